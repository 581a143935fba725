"""Generalised assignment with CP-SAT: a family may take more than one unit of a volunteer's
capacity. The engine's rounds use head counts (one family, one place), which the min-cost flow
solves exactly; this is the same CP-SAT formulation with per-pair loads, for capacities that
are hours or effort rather than places (and for the OR-Library GAP benchmarks)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from ortools.sat.python import cp_model

from matcher.solve.cpsat import STATUS
from matcher.solve.result import SolveStatus

IntMatrix = NDArray[np.int64]


@dataclass(frozen=True)
class GeneralisedSolution:
    """Status, the agent chosen per job (-1 when none), objective and proven bound."""

    status: SolveStatus
    agent_of: NDArray[np.int64]
    objective: int
    bound: int


def solve_generalised(
    value: IntMatrix,
    load: IntMatrix,
    capacity: NDArray[np.int64],
    maximise: bool,
    assign_all: bool = True,
    time_limit_s: float = 60.0,
    workers: int = 1,
    seed: int = 0,
) -> GeneralisedSolution:
    """Assign jobs (columns) to agents (rows): agent ``i`` takes at most ``capacity[i]`` of
    load; each job goes to exactly one agent (at most one if not ``assign_all``); optimise the
    total ``value``."""
    agents, jobs = value.shape
    model = cp_model.CpModel()
    x = [[model.new_bool_var(f"x{i}_{j}") for j in range(jobs)] for i in range(agents)]
    for j in range(jobs):
        column = [x[i][j] for i in range(agents)]
        if assign_all:
            model.add_exactly_one(column)
        else:
            model.add_at_most_one(column)
    for i in range(agents):
        model.add(sum(int(load[i, j]) * x[i][j] for j in range(jobs)) <= int(capacity[i]))
    total = sum(int(value[i, j]) * x[i][j] for i in range(agents) for j in range(jobs))
    if maximise:
        model.maximize(total)
    else:
        model.minimize(total)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = STATUS[solver.solve(model)]
    agent_of = np.full(jobs, -1, dtype=np.int64)
    if status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        return GeneralisedSolution(status, agent_of, 0, round(solver.best_objective_bound))
    for i in range(agents):
        for j in range(jobs):
            if solver.boolean_value(x[i][j]):
                agent_of[j] = i
    objective = round(solver.objective_value)
    bound = objective if status == SolveStatus.OPTIMAL else round(solver.best_objective_bound)
    return GeneralisedSolution(status, agent_of, objective, bound)
