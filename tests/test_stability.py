"""Re-solving with the previous result keeps its proposals unless changing them matches more
families or gains more than the stability margin; the checker still agrees on the objective."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import family, round_of, volunteer
from cli_runs import refused, run
from random_rounds import random_round

from matcher import Round, SolverSettings, evaluate, solve
from matcher.check.evaluate import assignment_of
from matcher.domain.round import ActiveMatch, Pair
from matcher.result import ChangeReason, SolveResult, SolveStatus

TOWN = Path(__file__).parent.parent / "scenarios" / "town.json"


def _town() -> Round:
    return Round.model_validate_json(TOWN.read_text())


def _with_one_more_family(round_: Round, copy_of: int) -> Round:
    extra = round_.families[copy_of].model_copy(update={"id": "FNEW"})
    return round_.model_copy(update={"families": (*round_.families, extra)})


def _changed(before: SolveResult, after: SolveResult) -> int:
    now = {(p.family_id, p.volunteer_id) for p in after.proposals}
    return sum((p.family_id, p.volunteer_id) not in now for p in before.proposals)


def _agrees_with_checker(round_: Round, result: SolveResult) -> None:
    checked = evaluate(round_, assignment_of(result.proposals))
    assert checked.violations == [] and checked.objective == result.report.objective


def test_one_more_family_changes_few_proposals_with_the_previous_result() -> None:
    # Measured on the shipped town (86 proposals): the family copied from row 40 reshuffles
    # 13 proposals without the previous result and 4 with it (one for a better fit).
    town = _town()
    base = solve(town)
    grown = _with_one_more_family(town, 40)
    plain, stable = solve(grown), solve(grown, previous=base)
    assert (_changed(base, plain), _changed(base, stable)) == (13, 4)
    assert stable.report.stability is not None and stable.report.stability.changed == 4
    assert stable.report.stability.kept == len(base.proposals) - 4
    # Families matched first: the stability bonus never costs a match.
    assert stable.report.priority_points == plain.report.priority_points
    _agrees_with_checker(grown, stable)
    # The bound is a bound on the round's own objective: at least the unconstrained optimum.
    assert stable.report.objective <= plain.report.objective <= stable.report.bound


def test_the_same_round_again_keeps_every_proposal(exact: SolverSettings) -> None:
    round_ = random_round(3, 20, 25, max_capacity=2, slot_pool=6)
    first = solve(round_, exact)
    again = solve(round_, exact, previous=first)
    assert again.proposals == first.proposals
    assert again.report.stability is not None
    assert (again.report.stability.kept, again.report.stability.changed) == (
        len(first.proposals),
        0,
    )
    assert again.report.objective == first.report.objective
    assert again.report.status == SolveStatus.OPTIMAL


def test_a_margin_of_zero_is_the_plain_optimum() -> None:
    town = _town()
    grown = _with_one_more_family(town, 40)
    stable = solve(grown, SolverSettings(stability_margin=0), previous=solve(town))
    assert stable.report.objective == solve(grown).report.objective


@pytest.mark.parametrize("seed", range(6))
def test_stability_never_costs_a_match_nor_more_than_the_margin(
    seed: int, exact: SolverSettings
) -> None:
    round_ = random_round(seed, 25, 30, max_capacity=2, slot_pool=6)
    # The previous result is that of a round with a few families less.
    earlier = round_.model_copy(update={"families": round_.families[5:]})
    previous = solve(earlier, exact)
    plain, stable = solve(round_, exact), solve(round_, exact, previous=previous)
    assert stable.report.priority_points == plain.report.priority_points
    assert stable.report.stability is not None
    kept = stable.report.stability.kept
    # Quality given up for stability: at most the margin (50 points) per kept proposal.
    assert plain.report.quality_points - stable.report.quality_points <= 50 * kept
    assert _changed(previous, stable) <= _changed(previous, plain)
    _agrees_with_checker(round_, stable)
    assert stable.report.objective <= plain.report.objective <= stable.report.bound


def test_why_previous_proposals_changed() -> None:
    people = [volunteer("V1"), volunteer("V2", km_north=1.0), volunteer("V3", km_north=2.0)]
    families = [family("F1"), family("F2", km_north=1.0), family("F3", km_north=2.0)]
    round_ = round_of(people, families)
    previous = solve(round_)
    assert {p.family_id: p.volunteer_id for p in previous.proposals} == {
        "F1": "V1",
        "F2": "V2",
        "F3": "V3",
    }
    later = round_.model_copy(
        update={
            "declined_pairs": (Pair(family_id="F2", volunteer_id="V2"),),
            "active_matches": (ActiveMatch(family_id="F3", volunteer_id="V3", slot="mon-morning"),),
        }
    )
    result = solve(later, previous=previous)
    stability = result.report.stability
    assert stability is not None
    # F2 may no longer have V2 and can only have V1: F1 moves to V2 so that both are matched.
    reasons = {c.family_id: c.reason for c in stability.changes}
    assert reasons == {
        "F1": ChangeReason.OTHER_FAMILIES,
        "F2": ChangeReason.NOT_POSSIBLE,
        "F3": ChangeReason.NOT_WAITING,
    }
    assert (stability.kept, stability.changed) == (0, 2)
    moved, declined, _ = stability.changes
    assert moved.volunteer_id == "V2" and "V1 is now proposed to F2" in moved.message
    assert "declined_or_excluded" in declined.message


def test_solve_keeps_previous_proposals_from_the_command_line(tmp_path: Path) -> None:
    town = _town()
    first = tmp_path / "first"
    assert run("solve", str(TOWN), "--out", str(first)).exit_code == 0
    grown = tmp_path / "grown.json"
    grown.write_text(_with_one_more_family(town, 40).model_dump_json())
    done = run(
        "solve", str(grown), "--out", str(tmp_path / "second"),
        "--previous", str(first / "result.json"), "--stability-margin", "0.05",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "Previous  kept 82 of 86 proposals, 4 changed (margin 0.05)" in done.output
    report = json.loads((tmp_path / "second" / "result.json").read_text())["report"]
    assert report["stability"]["changed"] == 4
    assert report["settings"]["stability_margin"] == 0.05


def test_a_bad_previous_result_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "result.json"
    bad.write_text('{"report": 1}')
    refused(run("solve", str(TOWN), "--out", "-", "--previous", str(bad)), str(bad))


def test_a_search_cut_short_reports_a_valid_bound_on_the_rounds_objective() -> None:
    round_ = random_round(7, 60, 80, max_capacity=3, slot_pool=6)
    earlier = round_.model_copy(update={"families": round_.families[10:]})
    previous = solve(earlier)
    optimum = solve(round_).report.objective
    settings = SolverSettings(backend="cpsat", deterministic_limit=0.1)
    result = solve(round_, settings, previous=previous)
    assert result.report.status == SolveStatus.FEASIBLE
    assert result.report.objective <= optimum <= result.report.bound
    _agrees_with_checker(round_, result)


def test_greedy_reports_what_it_kept_without_a_bonus() -> None:
    town = _town()
    greedy = SolverSettings(backend="greedy")
    base = solve(town, greedy)
    grown = _with_one_more_family(town, 40)
    result = solve(grown, greedy, previous=base)
    assert result.report.objective == solve(grown, greedy).report.objective
    assert result.report.stability is not None
    assert result.report.stability.kept + result.report.stability.changed == len(base.proposals)
    assert result.report.bound >= solve(grown).report.objective
