"""matcher: propose volunteer-family matches for home-visiting programmes, provably optimal.

>>> from matcher import Round, solve
>>> result = solve(Round.model_validate_json(text))          # doctest: +SKIP
>>> result.report.status, [p.volunteer_id for p in result.proposals]  # doctest: +SKIP
"""

from matcher.check.evaluate import Assignment, Evaluation, evaluate
from matcher.domain.people import Child, Family, ThemeRequest, Volunteer
from matcher.domain.prepared import PreparedRound, prepare
from matcher.domain.round import ActiveMatch, Pair, Policy, Round, SolverSettings, Weights
from matcher.engine import solve, solve_prepared
from matcher.errors import Problem, RoundError
from matcher.result import (
    Proposal,
    Shortlist,
    SolveResult,
    SolverReport,
    SolveStatus,
    Unmatched,
)

__all__ = [
    "ActiveMatch",
    "Assignment",
    "Child",
    "Evaluation",
    "Family",
    "Pair",
    "Policy",
    "PreparedRound",
    "Problem",
    "Proposal",
    "Round",
    "RoundError",
    "Shortlist",
    "SolveResult",
    "SolveStatus",
    "SolverReport",
    "SolverSettings",
    "ThemeRequest",
    "Unmatched",
    "Volunteer",
    "Weights",
    "evaluate",
    "prepare",
    "solve",
    "solve_prepared",
]
