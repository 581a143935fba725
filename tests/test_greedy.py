"""The first-come-first-served backend: feasible, checked independently, never better than
the optimum, and its bound above the optimum."""

from __future__ import annotations

from pathlib import Path

from builders import family, round_of, volunteer
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from random_rounds import random_round

from matcher import Round, SolveStatus, evaluate, prepare, solve
from matcher.check.evaluate import assignment_of
from matcher.cli import main
from matcher.scoring.candidates import score_candidates
from matcher.solve.greedy import solve_greedy

SEEDS = st.integers(min_value=0, max_value=2**31 - 1)


def _with_backend(round_: Round, backend: str) -> Round:
    return round_.model_copy(
        update={"solver": round_.solver.model_copy(update={"backend": backend})}
    )


@settings(max_examples=40, deadline=None)
@given(
    seed=SEEDS,
    volunteers=st.integers(1, 10),
    families=st.integers(1, 16),
    slot_pool=st.sampled_from([2, 4, 21]),
)
def test_greedy_is_checked_and_never_beats_the_flow_optimum(
    seed: int, volunteers: int, families: int, slot_pool: int
) -> None:
    round_ = random_round(seed, volunteers, families, max_capacity=3, slot_pool=slot_pool)
    greedy = solve(_with_backend(round_, "greedy"))
    flow = solve(_with_backend(round_, "flow"))
    report = greedy.report
    checked = evaluate(round_, assignment_of(greedy.proposals))
    assert checked.violations == []
    assert checked.objective == report.objective
    assert checked.families_matched == report.families_matched
    assert checked.quality_points == report.quality_points
    assert report.backend == "greedy"
    if report.candidate_pairs:
        assert report.status == SolveStatus.FEASIBLE
    assert report.objective <= flow.report.objective <= report.bound
    assert report.gap >= 0


@settings(max_examples=25, deadline=None)
@given(seed=SEEDS)
def test_greedy_fixes_a_distinct_slot_for_every_chosen_pair(seed: int) -> None:
    candidates = score_candidates(prepare(random_round(seed, 6, 14, max_capacity=3, slot_pool=3)))
    selection = solve_greedy(candidates)
    assert sorted(selection.slot_of) == selection.chosen.tolist()
    for pair, slot in selection.slot_of.items():
        assert int(candidates.shared_slots[pair]) >> slot & 1
    by_volunteer: dict[int, list[int]] = {}
    for pair, slot in selection.slot_of.items():
        by_volunteer.setdefault(int(candidates.volunteer[pair]), []).append(slot)
    assert all(len(set(slots)) == len(slots) for slots in by_volunteer.values())
    assert selection.objective == int(candidates.weight[selection.chosen].sum())


def test_first_come_takes_the_only_volunteer_of_a_later_family() -> None:
    # F1 registered first and can have V1 or V2; V1 is nearer, so F1 takes V1. F2 (registered
    # later) could only have V1 (V2 is 9 km away, over its 5 km limit): greedy leaves F2
    # unmatched, the optimum matches both (F1-V2, F2-V1).
    round_ = round_of(
        [volunteer("V1"), volunteer("V2", km_north=4.0, max_travel_km=5)],
        [
            family("F1", km_north=1.0, registered="2026-01-05"),
            family("F2", km_north=-5.0, registered="2026-02-02"),
        ],
    )
    greedy = solve(_with_backend(round_, "greedy"))
    assert [(p.family_id, p.volunteer_id) for p in greedy.proposals] == [("F1", "V1")]
    assert greedy.report.status == SolveStatus.FEASIBLE
    optimum = solve(round_)
    assert optimum.report.families_matched == 2
    assert greedy.report.objective < optimum.report.objective <= greedy.report.bound


def test_rematch_families_come_first_then_registration_date() -> None:
    round_ = round_of(
        [volunteer()],
        [
            family("F1", registered="2026-01-05"),
            family("F2", registered="2026-03-02", rematch=True),
            family("F3", registered="2025-12-01"),
        ],
    )
    greedy = solve(_with_backend(round_, "greedy"))
    assert [p.family_id for p in greedy.proposals] == ["F2"]


def test_the_command_line_solves_with_greedy() -> None:
    location = Path(__file__).parent.parent / "scenarios" / "location"
    result = CliRunner().invoke(main, ["solve", str(location), "--backend", "greedy"])
    assert result.exit_code == 0, result.output
    assert "feasible (greedy, NOT proven optimal)" in result.output
