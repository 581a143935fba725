"""A minimum quality: pairs below it are not candidates, and a family whose only volunteers
were below it is told so; the report gives the proposals' quality quartiles to choose it."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import family, round_of, volunteer

from matcher import Round, SolverSettings, evaluate, solve
from matcher.check.evaluate import assignment_of
from matcher.domain.prepared import prepare
from matcher.domain.round import Policy
from matcher.result import UnmatchedReason
from matcher.scoring.candidates import score_candidates

TOWN = Path(__file__).parent.parent / "scenarios" / "town.json"


def _near_and_far(min_quality: float) -> Round:
    # Both families speak Dutch with a volunteer who does (language 1), share one half-day
    # (availability 1/3) and have a toddler the volunteer has no experience with (child_ages 0);
    # no themes or wishes. Weights language 1, distance 2, availability 1, child_ages 1:
    #   near (0 km of a bike volunteer's 8 km): (1 + 2 * 1     + 1/3 + 0) / 5 = 0.667
    #   far  (7 km):                            (1 + 2 * 0.125 + 1/3 + 0) / 5 = 0.317
    return round_of(
        [volunteer("V1"), volunteer("V2", km_north=7.0, slots=["tue-morning"])],
        [family("F1"), family("F2", km_north=14.0, slots=["tue-morning"])],
        policy=Policy(min_quality=min_quality),
    )


def test_pairs_below_the_minimum_are_not_candidates() -> None:
    assert len(score_candidates(prepare(_near_and_far(0.0)))) == 2
    kept = score_candidates(prepare(_near_and_far(0.5)))
    assert len(kept) == 1 and kept.quality.tolist() == [pytest.approx(2 / 3)]
    assert kept.poor_fits.tolist() == [0, 1]


def test_the_minimum_is_compared_in_quality_points() -> None:
    # 0.667 is 667 points: a minimum of 0.667 keeps the near pair, 0.668 does not.
    assert len(score_candidates(prepare(_near_and_far(0.667)))) == 1
    assert len(score_candidates(prepare(_near_and_far(0.668)))) == 0


def test_a_family_with_only_poor_fits_gets_its_own_reason(exact: SolverSettings) -> None:
    result = solve(_near_and_far(0.5), exact)
    assert [p.family_id for p in result.proposals] == ["F1"]
    [unmatched] = result.unmatched
    assert unmatched.reason == UnmatchedReason.POOR_FIT
    assert unmatched.message == (
        "The volunteers who could help are a poor fit (quality below 0.5): 1 volunteer passes "
        "every rule, the best at quality 0.317."
    )
    assert unmatched.rejected_by["min_quality"] == 1


def test_off_by_default_and_at_zero() -> None:
    town = Round.model_validate_json(TOWN.read_text())
    zero = town.model_copy(update={"policy": Policy(min_quality=0.0)})
    assert town.policy.min_quality == 0.0
    assert solve(zero).model_dump_json() == solve(town).model_dump_json()


def test_every_proposal_meets_the_minimum_on_a_town() -> None:
    town = Round.model_validate_json(TOWN.read_text())
    strict = town.model_copy(update={"policy": Policy(min_quality=0.75)})
    result = solve(strict)
    assert min(p.scores.quality for p in result.proposals) >= 0.75
    reasons = {u.reason for u in result.unmatched}
    assert UnmatchedReason.POOR_FIT in reasons
    checked = evaluate(strict, assignment_of(result.proposals))
    assert checked.violations == [] and checked.objective == result.report.objective


def test_the_report_gives_the_quality_quartiles() -> None:
    result = solve(Round.model_validate_json(TOWN.read_text()))
    spread = result.report.proposal_quality
    qualities = sorted(p.scores.quality for p in result.proposals)
    assert spread is not None
    assert (spread.minimum, spread.maximum) == (qualities[0], qualities[-1])
    assert spread.lower_quartile <= spread.median <= spread.upper_quartile
    assert solve(round_of([], [family()])).report.proposal_quality is None
