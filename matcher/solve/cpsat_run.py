"""One way to run a CP-SAT model: settings in, status, objective, proven bound and gap out.

Every CP-SAT model of the project (the round, the dated planner, the benchmarks' generalised
assignment) is solved here, so that statuses map one way and the bound is rounded one way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ortools.sat.python import cp_model

from matcher.result import SolveStatus

STATUS = {
    cp_model.OPTIMAL: SolveStatus.OPTIMAL,
    cp_model.FEASIBLE: SolveStatus.FEASIBLE,
    cp_model.INFEASIBLE: SolveStatus.INFEASIBLE,
    cp_model.UNKNOWN: SolveStatus.TIME_LIMIT_NO_SOLUTION,
    cp_model.MODEL_INVALID: SolveStatus.INVALID,
}


@dataclass(frozen=True)
class CpSatRun:
    """The outcome of one solve; ``solver`` answers value queries when there is a solution."""

    status: SolveStatus
    objective: int
    bound: int
    solver: cp_model.CpSolver

    @property
    def has_solution(self) -> bool:
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


def run_cpsat(
    model: cp_model.CpModel, time_limit_s: float, workers: int = 1, seed: int = 0
) -> CpSatRun:
    """Solve ``model`` within ``time_limit_s`` seconds. The objective is 0 without a solution;
    the bound is the solver's proven bound, equal to the objective when proven optimal."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = STATUS[solver.solve(model)]
    if status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        return CpSatRun(status, 0, _integral(solver.best_objective_bound), solver)
    objective = _integral(solver.objective_value)
    bound = objective if status == SolveStatus.OPTIMAL else _integral(solver.best_objective_bound)
    return CpSatRun(status, objective, bound, solver)


def _integral(value: float) -> int:
    """The models have integer coefficients, so objective and bound are integers; the solver
    reports them as floats (an infinite bound when it has none: reported as 0)."""
    return round(value) if math.isfinite(value) else 0
