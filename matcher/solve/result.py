"""Moved to ``matcher.result``; this path re-exports it."""

from matcher.result import (
    Alternative,
    Competitor,
    Proposal,
    ScoreBreakdown,
    Shortlist,
    SolveResult,
    SolverReport,
    SolveStatus,
    Unmatched,
    UnmatchedReason,
)

__all__ = [
    "Alternative",
    "Competitor",
    "Proposal",
    "ScoreBreakdown",
    "Shortlist",
    "SolveResult",
    "SolveStatus",
    "SolverReport",
    "Unmatched",
    "UnmatchedReason",
]
