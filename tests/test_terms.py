"""A hand-computed value per score term, with the arithmetic in a comment, checked against both
the vectorised scoring and the independent checker."""

from __future__ import annotations

from typing import Any

import pytest
from builders import family, round_of, volunteer

from matcher import Assignment, evaluate, prepare, solve
from matcher.check.evaluate import pair_quality
from matcher.geo.distance import geodesic_km
from matcher.scoring.candidates import score_candidates

ONLY = dict.fromkeys(
    ("language", "distance", "availability", "child_ages", "themes", "preferences"), 0.0
)


def _term(name: str, v: dict[str, Any], f: dict[str, Any]) -> float:
    """The one candidate pair's value for ``name``, after checking the checker agrees."""
    weights = ONLY | {name: 1.0}
    round_ = round_of([volunteer(**v)], [family(**f)], weights=weights)
    candidates = score_candidates(prepare(round_))
    assert len(candidates) == 1
    value = float(candidates.terms[name][0])
    checked = pair_quality(
        round_,
        round_.families[0],
        round_.volunteers[0],
        set(round_.volunteers[0].slots),
        geodesic_km(52.0, 5.0, round_.volunteers[0].latitude or 0, 5.0),
    )
    assert checked == pytest.approx(value, abs=1e-9)
    return value


def test_language_shared_home_language_scores_one() -> None:
    # Both speak Arabic: 1
    f = {"languages": ["ar"], "speaks_dutch": True}
    assert _term("language", {"languages": ["nl", "ar"]}, f) == 1.0


def test_language_dutch_only_scores_half() -> None:
    # The family's home language is Turkish; they share only Dutch: 0.5
    f = {"languages": ["tr"], "speaks_dutch": True}
    assert _term("language", {"languages": ["nl"]}, f) == 0.5


def test_distance_decays_linearly_to_the_limit() -> None:
    # 2 km north with a bike limit of 8 km: 1 - 2/8 = 0.75 (the builder's 2 km is ~2.000 km)
    assert _term("distance", {"km_north": 2.0}, {}) == pytest.approx(0.75, abs=1e-3)


def test_distance_uses_the_volunteers_own_limit() -> None:
    # 3 km with max_travel_km 12: 1 - 3/12 = 0.75
    value = _term("distance", {"km_north": 3.0, "max_travel_km": 12}, {})
    assert value == pytest.approx(0.75, abs=1e-3)


def test_availability_counts_shared_half_days_up_to_three() -> None:
    both = ["mon-morning", "tue-morning"]
    # 2 shared half-days, saturation 3: 2/3
    assert _term("availability", {"slots": both}, {"slots": [*both, "sat-evening"]}) == (
        pytest.approx(2 / 3)
    )
    five = ["mon-morning", "tue-morning", "wed-morning", "thu-morning", "fri-morning"]
    # 5 shared, capped at 3: 3/3 = 1
    assert _term("availability", {"slots": five}, {"slots": five}) == 1.0


def test_child_ages_share_of_groups_with_experience() -> None:
    # Children aged 0.5 (group 0-1) and 5 (group 4-6); experience with 0-1 only: 1/2
    f = {"children": [{"age_years": 0.5}, {"age_years": 5}]}
    assert _term("child_ages", {"age_groups": ["0-1", "12-18"]}, f) == 0.5


def test_themes_weighted_by_priority() -> None:
    # crying_sleep high (3), divorce low (1), money_worries medium (2); volunteer knows crying
    # and divorce: (3 + 1) / (3 + 1 + 2) = 4/6
    f = {"themes": ["crying_sleep:high", "divorce:low", "money_worries"]}
    v = {"themes": ["crying_sleep", "divorce", "feeding"]}
    assert _term("themes", v, f) == pytest.approx(4 / 6)


def test_preferences_share_of_soft_wishes_met() -> None:
    # Soft wishes: female volunteer (met), no pets (not met), non-smoker (met): 2/3
    f = {"volunteer_gender": "female", "no_pets": "soft", "non_smoker": "soft"}
    v = {"gender": "female", "has_pets": True, "smokes": False}
    assert _term("preferences", v, f) == pytest.approx(2 / 3)


def test_quality_is_the_weighted_mean_of_the_terms_that_apply() -> None:
    # Terms: language 1 (w 1), distance 1 - 0/8 = 1 (w 2), availability 1/3 (w 1),
    # child_ages 0 (w 1); themes and preferences do not apply (no questions, no wishes).
    # (1*1 + 2*1 + 1*(1/3) + 1*0) / (1 + 2 + 1 + 1) = (10/3) / 5 = 2/3 -> 667 points
    round_ = round_of([volunteer()], [family()])
    candidates = score_candidates(prepare(round_))
    assert candidates.quality[0] == pytest.approx(2 / 3)
    assert candidates.points[0] == 667
    checked = evaluate(round_, [Assignment("F1", "V1", "mon-morning")])
    assert checked.quality_points == 667


def test_priority_counts_waiting_weeks_and_rematch() -> None:
    # Registered 2026-01-05, round on 2026-11-24: 323 days = 46 weeks -> 100 + 46 = 146;
    # a re-match adds 40 -> 186
    round_ = round_of([volunteer()], [family(), family("F2", rematch=True)])
    assert prepare(round_).family_priority.tolist() == [146, 186]


def test_waiting_points_may_not_outweigh_one_more_family() -> None:
    with pytest.raises(ValueError, match="at most 99"):
        round_of([volunteer()], [family()], weights={"points_per_week_waiting": 2})


def test_every_list_of_quality_terms_is_the_one_list() -> None:
    from matcher.domain.round import QUALITY_TERMS, Weights
    from matcher.io.results import proposals_csv
    from matcher.result import ScoreBreakdown
    from matcher.scoring.terms import TERMS

    assert tuple(TERMS) == QUALITY_TERMS
    assert tuple(Weights.model_fields)[: len(QUALITY_TERMS)] == QUALITY_TERMS
    assert tuple(ScoreBreakdown.model_fields) == (*QUALITY_TERMS, "quality")
    header = proposals_csv(solve(round_of([volunteer()], [family()]))).splitlines()[0]
    assert [c for c in header.split(",") if c in QUALITY_TERMS] == list(QUALITY_TERMS)
