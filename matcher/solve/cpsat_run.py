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
    model: cp_model.CpModel,
    time_limit_s: float,
    workers: int = 1,
    seed: int = 0,
    deterministic_limit: float | None = None,
    bound_without_solution: int | None = None,
) -> CpSatRun:
    """Solve ``model`` within ``time_limit_s`` seconds (nothing is searched when that is 0 or
    less). The objective is 0 without a solution. The bound is the solver's proven bound, equal
    to the objective when proven optimal; before the solver proved one (it then reports 0 or an
    infinity), it is ``bound_without_solution`` when the caller knows a valid one, else the
    bound the variables' domains alone give. A ``deterministic_limit`` (CP-SAT's work units)
    stops the search at the same point on any machine."""
    solver = cp_model.CpSolver()
    fallback = bound_without_solution
    if time_limit_s <= 0:
        bound = domain_bound(model) if fallback is None else fallback
        return CpSatRun(SolveStatus.TIME_LIMIT_NO_SOLUTION, 0, bound, solver)
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if deterministic_limit is not None:
        solver.parameters.max_deterministic_time = deterministic_limit
    status = STATUS[solver.solve(model)]
    if status == SolveStatus.OPTIMAL:
        objective = round(solver.objective_value)
        return CpSatRun(status, objective, objective, solver)
    if status == SolveStatus.FEASIBLE and math.isfinite(solver.best_objective_bound):
        return CpSatRun(
            status, round(solver.objective_value), round(solver.best_objective_bound), solver
        )
    objective = round(solver.objective_value) if status == SolveStatus.FEASIBLE else 0
    return CpSatRun(
        status, objective, domain_bound(model) if fallback is None else fallback, solver
    )


def domain_bound(model: cp_model.CpModel) -> int:
    """A bound on the objective from the variables' domains alone, ignoring every constraint:
    the best each term can be on its own. Valid, and cheap, for any linear objective."""
    objective = model.proto.objective
    variables = model.proto.variables
    best = objective.offset  # CP-SAT keeps a minimisation; a maximisation is scaled by -1
    for ref, coefficient in zip(objective.vars, objective.coeffs, strict=True):
        domain = list(variables[ref if ref >= 0 else -ref - 1].domain)  # no [-1] on the proto
        low, high = (domain[0], domain[-1]) if ref >= 0 else (-domain[-1], -domain[0])
        best += min(coefficient * low, coefficient * high)
    return round(best * (objective.scaling_factor or 1.0))
