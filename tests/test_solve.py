"""The solver against exact peers and the independent checker, on random rounds."""

from __future__ import annotations

import networkx as nx
import numpy as np
from builders import family, round_of, volunteer
from hypothesis import given, settings
from hypothesis import strategies as st
from random_rounds import random_round
from scipy.optimize import linear_sum_assignment

from matcher import Round, SolverSettings, SolveStatus, evaluate, prepare, solve
from matcher.check.evaluate import assignment_of
from matcher.scoring.candidates import Candidates, score_candidates

SEEDS = st.integers(min_value=0, max_value=2**31 - 1)


def _with_backend(round_: Round, backend: str) -> Round:
    return round_.model_copy(
        update={"solver": round_.solver.model_copy(update={"backend": backend})}
    )


def _assert_checked(round_: Round, settings: SolverSettings | None = None) -> int:
    """Solve, check the result independently, and return the objective."""
    result = solve(round_, settings)
    assert result.report.status == SolveStatus.OPTIMAL
    assert result.report.bound == result.report.objective and result.report.gap == 0
    checked = evaluate(round_, assignment_of(result.proposals))
    assert checked.violations == []
    assert checked.objective == result.report.objective
    assert checked.families_matched == result.report.families_matched
    assert checked.quality_points == result.report.quality_points
    return result.report.objective


def _weight_matrix(c: Candidates) -> np.ndarray:
    p = c.prepared
    matrix = np.zeros((len(p.families), len(p.volunteers)), dtype=np.int64)
    matrix[c.family, c.volunteer] = c.weight
    return matrix


@settings(max_examples=40, deadline=None)
@given(seed=SEEDS, volunteers=st.integers(1, 12), families=st.integers(1, 12))
def test_capacity_one_equals_linear_sum_assignment(
    seed: int, volunteers: int, families: int
) -> None:
    round_ = random_round(seed, volunteers, families, max_capacity=1, all_free=True)
    objective = _assert_checked(round_)
    weights = _weight_matrix(score_candidates(prepare(round_)))
    rows, cols = linear_sum_assignment(weights, maximize=True)
    assert objective == int(weights[rows, cols].sum())


@settings(max_examples=40, deadline=None)
@given(seed=SEEDS, volunteers=st.integers(1, 10), families=st.integers(1, 16))
def test_capacities_equal_networkx_min_cost_flow(seed: int, volunteers: int, families: int) -> None:
    round_ = random_round(seed, volunteers, families, max_capacity=3, all_free=True)
    objective = _assert_checked(round_)
    c = score_candidates(prepare(round_))
    graph = nx.DiGraph()
    graph.add_node("source", demand=-families)
    graph.add_node("sink", demand=families)
    for f in range(families):
        graph.add_edge("source", ("f", f), capacity=1, weight=0)
        graph.add_edge(("f", f), "sink", capacity=1, weight=0)
    for v, volunteer_ in enumerate(round_.volunteers):
        graph.add_edge(("v", v), "sink", capacity=volunteer_.capacity, weight=0)
    for f, v, w in zip(c.family.tolist(), c.volunteer.tolist(), c.weight.tolist(), strict=True):
        graph.add_edge(("f", f), ("v", v), capacity=1, weight=-w)
    assert objective == -nx.min_cost_flow_cost(graph)


@settings(max_examples=30, deadline=None)
@given(seed=SEEDS, volunteers=st.integers(1, 8), families=st.integers(1, 14))
def test_binding_slots_flow_equals_cpsat(seed: int, volunteers: int, families: int) -> None:
    # Few half-days in play and capacities up to 3: distinct slots really bind.
    round_ = random_round(seed, volunteers, families, max_capacity=3, slot_pool=3)
    flow = _assert_checked(_with_backend(round_, "flow"))
    cpsat = _assert_checked(_with_backend(round_, "cpsat"))
    assert flow == cpsat


@settings(max_examples=25, deadline=None)
@given(seed=SEEDS)
def test_greedy_is_feasible_and_never_beats_the_optimum(seed: int) -> None:
    round_ = random_round(seed, 8, 14, max_capacity=2, slot_pool=4)
    optimum = _assert_checked(round_)
    result = solve(_with_backend(round_, "greedy"))
    greedy = evaluate(round_, assignment_of(result.proposals))
    assert greedy.violations == []
    assert greedy.objective == result.report.objective <= optimum <= result.report.bound


def test_distinct_slots_bind_for_a_volunteer_with_two_places(exact: SolverSettings) -> None:
    # Both families can only do Monday morning: one volunteer with two places takes one.
    round_ = round_of(
        [volunteer(capacity=2, slots=["mon-morning", "tue-morning"])],
        [family("F1"), family("F2")],
    )
    _assert_checked(round_, exact)
    assert solve(round_, exact).report.families_matched == 1


def test_more_families_matched_beats_better_quality(exact: SolverSettings) -> None:
    # V1 fits F1 best and can serve F2; V2 (9 km from F2) can only serve F1. Matching both families
    # (F1-V2, F2-V1) must win over the single best pair F1-V1.
    round_ = round_of(
        [
            volunteer("V1", themes=["crying_sleep"], age_groups=["1-4"]),
            volunteer("V2", km_north=6.0),
        ],
        [
            family("F1", themes=["crying_sleep:high"]),
            family("F2", km_north=-3.0),
        ],
    )
    _assert_checked(round_, exact)
    result = solve(round_, exact)
    assert {(p.family_id, p.volunteer_id) for p in result.proposals} == {
        ("F1", "V2"),
        ("F2", "V1"),
    }


def test_longest_waiting_family_comes_first(exact: SolverSettings) -> None:
    round_ = round_of(
        [volunteer()],
        [family("F1", registered="2026-10-01"), family("F2", registered="2026-03-01")],
    )
    result = solve(round_, exact)
    assert [p.family_id for p in result.proposals] == ["F2"]
    assert result.unmatched[0].family_id == "F1"
    assert result.unmatched[0].reason == "outcompeted"
    assert result.unmatched[0].competitors[0].proposed_to == ["F2"]


def test_rematch_family_comes_before_a_longer_waiting_one(exact: SolverSettings) -> None:
    round_ = round_of(
        [volunteer()],
        [family("F1", registered="2026-03-01"), family("F2", rematch=True)],
    )
    assert [p.family_id for p in solve(round_, exact).proposals] == ["F2"]


def test_round_without_volunteers_is_a_normal_result(exact: SolverSettings) -> None:
    round_ = round_of([], [family()])
    result = solve(round_, exact)
    assert result.report.status == SolveStatus.OPTIMAL
    assert result.report.families_matched == 0
    assert result.unmatched[0].reason == "no_eligible_volunteer"
    assert "no volunteers" in result.unmatched[0].message


def test_cpsat_agrees_with_the_checker_on_a_larger_round() -> None:
    round_ = random_round(7, 30, 40, max_capacity=3, slot_pool=6)
    result = solve(round_, SolverSettings(backend="cpsat"))
    assert result.report.status == SolveStatus.OPTIMAL
    checked = evaluate(round_, assignment_of(result.proposals))
    assert checked.violations == [] and checked.objective == result.report.objective
    assert result.report.objective == solve(round_).report.objective


def test_a_time_limit_before_any_solution_reports_no_solution_and_a_valid_bound() -> None:
    round_ = random_round(7, 30, 40, max_capacity=3, slot_pool=6)
    optimum = solve(round_).report.objective
    # The limit covers the whole solve: it is over before the CP-SAT model is built.
    result = solve(round_, SolverSettings(backend="cpsat", time_limit_s=1e-6))
    assert result.report.status == SolveStatus.TIME_LIMIT_NO_SOLUTION
    assert result.report.objective == 0 and result.report.bound >= optimum
    assert result.proposals == [] and result.unmatched == []
    assert result.report.gap_text() == "no solution"


def test_a_deterministic_budget_cuts_the_search_the_same_way_every_time() -> None:
    round_ = random_round(7, 60, 80, max_capacity=3, slot_pool=6)
    optimum = solve(round_).report.objective
    settings = SolverSettings(backend="cpsat", deterministic_limit=0.1)
    first, second = solve(round_, settings), solve(round_, settings)
    assert first.report.status == SolveStatus.FEASIBLE  # a solution, not proven optimal
    assert first.report.objective < optimum <= first.report.bound
    assert first.model_dump_json() == second.model_dump_json()
    checked = evaluate(round_, assignment_of(first.proposals))
    assert checked.violations == [] and checked.objective == first.report.objective
