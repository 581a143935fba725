"""The same round as a CP-SAT model: an alternative backend that honours time limits and
workers, and an independent check of the flow backend.

Variables: ``x[p]`` per candidate pair; ``y[p, s]`` per shared half-day only for pairs at
volunteers with two or more free places (a one-place volunteer can use any shared half-day).
Rules are small functions applied in ``CONSTRAINTS`` order; the objective is the flow's.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from matcher.domain.round import SolverSettings
from matcher.domain.slots import SLOT_COUNT
from matcher.result import SolveStatus
from matcher.scoring.candidates import Candidates
from matcher.solve.cpsat_run import run_cpsat
from matcher.solve.selection import Selection


@dataclass
class _Variables:
    x: list[cp_model.IntVar]
    y: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)


class _OutOfTime(Exception):
    """The deadline passed while the model was being built."""


def _check(deadline: float) -> None:
    if time.perf_counter() > deadline:
        raise _OutOfTime


def _variables(model: cp_model.CpModel, c: Candidates, deadline: float) -> _Variables:
    variables = _Variables(x=[])
    for i in range(len(c)):
        if i % 8192 == 0:
            _check(deadline)  # building a large model takes seconds: the limit covers it
        variables.x.append(model.new_bool_var(f"x{i}"))
    multi = c.prepared.volunteer_free_capacity[c.volunteer] >= 2
    for pair in np.flatnonzero(multi).tolist():
        for slot in range(SLOT_COUNT):
            if int(c.shared_slots[pair]) >> slot & 1:
                variables.y[pair, slot] = model.new_bool_var(f"y{pair}_{slot}")
    return variables


def _one_volunteer_per_family(model: cp_model.CpModel, c: Candidates, v: _Variables) -> None:
    """A family gets at most one proposal."""
    for pairs in _group(c.family.tolist()).values():
        model.add_at_most_one(v.x[i] for i in pairs)


def _capacity(model: cp_model.CpModel, c: Candidates, v: _Variables) -> None:
    """A volunteer takes at most their free places."""
    free = c.prepared.volunteer_free_capacity
    for volunteer, pairs in _group(c.volunteer.tolist()).items():
        if len(pairs) > free[volunteer]:
            model.add(sum(v.x[i] for i in pairs) <= int(free[volunteer]))


def _distinct_slots(model: cp_model.CpModel, c: Candidates, v: _Variables) -> None:
    """Each match at a multi-place volunteer takes one shared half-day, no two the same."""
    by_pair: defaultdict[int, list[cp_model.IntVar]] = defaultdict(list)
    by_volunteer_slot: defaultdict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    for (pair, slot), var in v.y.items():
        by_pair[pair].append(var)
        by_volunteer_slot[int(c.volunteer[pair]), slot].append(var)
    for pair, slot_vars in by_pair.items():
        model.add(sum(slot_vars) == v.x[pair])
    for slot_vars in by_volunteer_slot.values():
        model.add_at_most_one(slot_vars)


CONSTRAINTS: tuple[Callable[[cp_model.CpModel, Candidates, _Variables], None], ...] = (
    _one_volunteer_per_family,
    _capacity,
    _distinct_slots,
)


def solve_cpsat(candidates: Candidates, settings: SolverSettings, deadline: float) -> Selection:
    """Solve the round with CP-SAT with the settings' workers and seed, stopping at
    ``deadline`` (a ``time.perf_counter`` value: the time limit covers building the model)."""
    c = candidates
    model = cp_model.CpModel()
    try:
        variables = _variables(model, c, deadline)
        for add_rule in CONSTRAINTS:
            _check(deadline)
            add_rule(model, c, variables)
        _check(deadline)
        model.maximize(cp_model.LinearExpr.weighted_sum(variables.x, c.weight.tolist()))
    except _OutOfTime:
        return Selection(SolveStatus.TIME_LIMIT_NO_SOLUTION, _NONE, 0, _bound(c))
    left = deadline - time.perf_counter()
    run = run_cpsat(
        model, left, settings.workers, settings.seed, settings.deterministic_limit, _bound(c)
    )
    if not run.has_solution:
        return Selection(run.status, _NONE, 0, run.bound)
    solver = run.solver
    chosen = np.array(
        [i for i, x in enumerate(variables.x) if solver.boolean_value(x)], dtype=np.intp
    )
    return Selection(
        status=run.status,
        chosen=chosen,
        objective=run.objective,
        bound=run.bound,
        slot_of={pair: slot for (pair, slot), y in variables.y.items() if solver.boolean_value(y)},
    )


_NONE = np.zeros(0, dtype=np.intp)


def _bound(c: Candidates) -> int:
    """A valid bound before the solver proves one: each family adds at most its best pair."""
    best = np.zeros(len(c.prepared.families), dtype=np.int64)
    np.maximum.at(best, c.family, c.weight)
    return int(best.sum())


def _group(keys: list[int]) -> dict[int, list[int]]:
    groups: defaultdict[int, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        groups[key].append(i)
    return groups
