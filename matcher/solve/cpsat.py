"""The same round as a CP-SAT model: an alternative backend that honours time limits and
workers, and an independent check of the flow backend.

Variables: ``x[p]`` per candidate pair; ``y[p, s]`` per shared half-day only for pairs at
volunteers with two or more free places (a one-place volunteer can use any shared half-day).
Rules are small functions applied in ``CONSTRAINTS`` order; the objective is the flow's (or
the weights the caller gives, e.g. with a bonus for keeping a previous proposal). Building a
large model takes a good part of a second: every loop looks at the deadline as it goes.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray
from ortools.sat.python import cp_model

from matcher.domain.round import SolverSettings
from matcher.domain.slots import SLOT_COUNT
from matcher.result import SolveStatus
from matcher.scoring.candidates import Candidates
from matcher.solve.cpsat_run import run_cpsat
from matcher.solve.selection import Selection

T = TypeVar("T")


@dataclass
class _Variables:
    x: list[cp_model.IntVar]
    y: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)


class _OutOfTime(Exception):
    """The deadline passed while the model was being built."""


LOAD_SHARE = 0.25
"""CP-SAT's own work outside its timer (copying, checking and loading the model, writing the
response) takes about a fifth of the time Python took to build the model (0.5 s for a
region's 144,000 variables): that much is kept from its time limit."""

CHECK_EVERY = 4096
"""Items a model-building loop handles between two looks at the clock."""


def _check(deadline: float) -> None:
    if time.perf_counter() > deadline:
        raise _OutOfTime


def _checked(items: Iterable[T], deadline: float) -> Iterator[T]:
    """``items``, looking at the deadline every ``CHECK_EVERY`` of them."""
    for i, item in enumerate(items):
        if i % CHECK_EVERY == 0:
            _check(deadline)
        yield item


def _variables(model: cp_model.CpModel, c: Candidates, deadline: float) -> _Variables:
    variables = _Variables(x=[])
    for i in _checked(range(len(c)), deadline):
        variables.x.append(model.new_bool_var(f"x{i}"))
    multi = c.prepared.volunteer_free_capacity[c.volunteer] >= 2
    for pair in _checked(np.flatnonzero(multi).tolist(), deadline):
        for slot in range(SLOT_COUNT):
            if int(c.shared_slots[pair]) >> slot & 1:
                variables.y[pair, slot] = model.new_bool_var(f"y{pair}_{slot}")
    return variables


def _one_volunteer_per_family(
    model: cp_model.CpModel, c: Candidates, v: _Variables, deadline: float
) -> None:
    """A family gets at most one proposal."""
    for pairs in _checked(_group(c.family.tolist()).values(), deadline):
        model.add_at_most_one(v.x[i] for i in pairs)


def _capacity(model: cp_model.CpModel, c: Candidates, v: _Variables, deadline: float) -> None:
    """A volunteer takes at most their free places."""
    free = c.prepared.volunteer_free_capacity
    for volunteer, pairs in _checked(_group(c.volunteer.tolist()).items(), deadline):
        if len(pairs) > free[volunteer]:
            model.add(sum(v.x[i] for i in pairs) <= int(free[volunteer]))


def _distinct_slots(model: cp_model.CpModel, c: Candidates, v: _Variables, deadline: float) -> None:
    """Each match at a multi-place volunteer takes one shared half-day, no two the same."""
    by_pair: defaultdict[int, list[cp_model.IntVar]] = defaultdict(list)
    by_volunteer_slot: defaultdict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    volunteer = c.volunteer.tolist()
    for (pair, slot), var in _checked(v.y.items(), deadline):
        by_pair[pair].append(var)
        by_volunteer_slot[volunteer[pair], slot].append(var)
    for pair, slot_vars in _checked(by_pair.items(), deadline):
        model.add(sum(slot_vars) == v.x[pair])
    for slot_vars in _checked(by_volunteer_slot.values(), deadline):
        model.add_at_most_one(slot_vars)


def _maximise(model: cp_model.CpModel, v: _Variables, weight: NDArray[np.int64]) -> None:
    """Maximise the weighted sum of the pairs, written straight into the model (CP-SAT keeps
    a minimisation: coefficients negated, scaling factor -1), which is many times faster than
    building the expression for a large round."""
    objective = model.proto.objective
    objective.vars.extend(x.index for x in v.x)
    objective.coeffs.extend((-weight).tolist())
    objective.scaling_factor = -1.0


Rule = Callable[[cp_model.CpModel, Candidates, _Variables, float], None]
CONSTRAINTS: tuple[Rule, ...] = (
    _one_volunteer_per_family,
    _capacity,
    _distinct_slots,
)


def solve_cpsat(
    candidates: Candidates,
    settings: SolverSettings,
    deadline: float,
    weight: NDArray[np.int64] | None = None,
) -> Selection:
    """Solve the round with CP-SAT with the settings' workers and seed, stopping at
    ``deadline`` (a ``time.perf_counter`` value: the time limit covers building the model).
    ``weight`` is the objective coefficient of each pair (default: the candidates' own)."""
    c = candidates
    weight = c.weight if weight is None else weight
    model = cp_model.CpModel()
    building = time.perf_counter()
    try:
        variables = _variables(model, c, deadline)
        for add_rule in CONSTRAINTS:
            _check(deadline)
            add_rule(model, c, variables, deadline)
        _check(deadline)
        _maximise(model, variables, weight)
    except _OutOfTime:
        return Selection(SolveStatus.TIME_LIMIT_NO_SOLUTION, _NONE, 0, _bound(c, weight))
    built = time.perf_counter()
    left = deadline - built - LOAD_SHARE * (built - building)
    run = run_cpsat(
        model,
        left,
        settings.workers,
        settings.seed,
        settings.deterministic_limit,
        _bound(c, weight),
    )
    if not run.has_solution:
        return Selection(run.status, _NONE, 0, run.bound)
    values = np.asarray(run.solver.response_proto.solution, dtype=np.int64)
    x_index = np.array([x.index for x in variables.x], dtype=np.intp)
    return Selection(
        status=run.status,
        chosen=np.flatnonzero(values[x_index]).astype(np.intp),
        objective=run.objective,
        bound=run.bound,
        slot_of={pair: slot for (pair, slot), y in variables.y.items() if values[y.index]},
    )


_NONE = np.zeros(0, dtype=np.intp)


def _bound(c: Candidates, weight: NDArray[np.int64]) -> int:
    """A valid bound before the solver proves one: each family adds at most its best pair."""
    best = np.zeros(len(c.prepared.families), dtype=np.int64)
    np.maximum.at(best, c.family, weight)
    return int(best.sum())


def _group(keys: list[int]) -> dict[int, list[int]]:
    groups: defaultdict[int, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        groups[key].append(i)
    return groups
