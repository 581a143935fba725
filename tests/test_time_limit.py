"""The time limit covers the whole solve: the CP-SAT model is built against the deadline, and
the search stops early enough to leave time for the explanations. No wall-clock assertions:
these tests check that the deadline is consulted; ``benchmarks/time_limit.py`` measures."""

from __future__ import annotations

import importlib
import time

import numpy as np
import pytest
from ortools.sat.python import cp_model
from random_rounds import random_round

from matcher import SolverSettings
from matcher.domain.prepared import prepare
from matcher.domain.round import Backend
from matcher.engine import BACKENDS, EXPLAIN_SECONDS_PER_FAMILY, solve_prepared
from matcher.result import SolveStatus
from matcher.scoring.candidates import Candidates, score_candidates
from matcher.solve.selection import Selection

cpsat = importlib.import_module("matcher.solve.cpsat")  # ``matcher.solve`` is also a function


def _candidates() -> Candidates:
    return score_candidates(prepare(random_round(7, 30, 40, max_capacity=3, slot_pool=6)))


@pytest.mark.parametrize("rule", cpsat.CONSTRAINTS, ids=lambda rule: rule.__name__)
def test_every_model_rule_looks_at_the_deadline(rule: cpsat.Rule) -> None:
    c = _candidates()
    model = cp_model.CpModel()
    variables = cpsat._variables(model, c, deadline=time.perf_counter() + 3600)
    with pytest.raises(cpsat._OutOfTime):
        rule(model, c, variables, time.perf_counter() - 1)


def test_a_deadline_in_the_past_gives_no_solution_and_a_valid_bound() -> None:
    c = _candidates()
    optimum = solve_prepared(c.prepared).report.objective
    selection = cpsat.solve_cpsat(c, SolverSettings(backend="cpsat"), time.perf_counter() - 1)
    assert selection.status == SolveStatus.TIME_LIMIT_NO_SOLUTION
    assert selection.chosen.size == 0 and selection.bound >= optimum


def test_the_search_leaves_time_for_the_explanations(monkeypatch: pytest.MonkeyPatch) -> None:
    round_ = random_round(7, 30, 40, max_capacity=3, slot_pool=6)
    prepared = prepare(round_)
    seen: list[float] = []

    def recording(c: Candidates, s: SolverSettings, deadline: float, w: np.ndarray) -> Selection:
        seen.append(deadline)
        return BACKENDS[Backend.FLOW](c, s, deadline, w)

    monkeypatch.setitem(BACKENDS, Backend.CPSAT, recording)
    started = time.perf_counter()
    result = solve_prepared(
        prepared, SolverSettings(backend="cpsat", time_limit_s=10), started=started
    )
    waiting = result.report.families_waiting
    assert seen == [pytest.approx(started + 10 - EXPLAIN_SECONDS_PER_FAMILY * waiting)]


def test_at_most_half_the_limit_is_set_aside(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[float] = []

    def recording(c: Candidates, s: SolverSettings, deadline: float, w: np.ndarray) -> Selection:
        seen.append(deadline)
        return BACKENDS[Backend.FLOW](c, s, deadline, w)

    monkeypatch.setitem(BACKENDS, Backend.CPSAT, recording)
    prepared = prepare(random_round(7, 30, 40))
    started = time.perf_counter()
    solve_prepared(prepared, SolverSettings(backend="cpsat", time_limit_s=1e-3), started=started)
    assert seen == [pytest.approx(started + 0.5e-3)]


def test_cpsat_is_given_less_than_what_is_left_for_its_own_loading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    given: list[tuple[float, float]] = []
    real = cpsat.run_cpsat

    def recording(model: cp_model.CpModel, limit: float, *args: object) -> object:
        given.append((limit, time.perf_counter()))
        return real(model, limit, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(cpsat, "run_cpsat", recording)
    deadline = time.perf_counter() + 30
    selection = cpsat.solve_cpsat(_candidates(), SolverSettings(backend="cpsat"), deadline)
    [(limit, called)] = given
    assert limit < deadline - called and selection.status == SolveStatus.OPTIMAL
