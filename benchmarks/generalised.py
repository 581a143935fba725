"""Generalised assignment with CP-SAT, for the OR-Library GAP benchmarks: a job may take more
than one unit of an agent's capacity. The engine's rounds use head counts (one family, one
place), which the min-cost flow solves exactly; this is the same CP-SAT formulation with per-pair
loads, solved by the engine's CP-SAT runner."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from ortools.sat.python import cp_model

from matcher.result import SolveStatus
from matcher.solve.cpsat_run import run_cpsat

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
    run = run_cpsat(model, time_limit_s, workers, seed)
    agent_of = np.full(jobs, -1, dtype=np.int64)
    if run.has_solution:
        for i in range(agents):
            for j in range(jobs):
                if run.solver.boolean_value(x[i][j]):
                    agent_of[j] = i
    return GeneralisedSolution(run.status, agent_of, run.objective, run.bound)
