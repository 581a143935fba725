"""What a solve returns: proposals, unmatched families with reasons, shortlists and a report of
the solver's status, objective, bound and gap. All are pydantic models that serialise to JSON."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from matcher.domain.frozen import Frozen
from matcher.domain.round import Policy, SolverSettings, Weights


class SolveStatus(StrEnum):
    """How the solver ended. Only ``optimal`` is a proof of optimality."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # a solution, not proven optimal (e.g. the time limit came first)
    INFEASIBLE = "infeasible"
    TIME_LIMIT_NO_SOLUTION = "time_limit_no_solution"
    INVALID = "invalid"


class ScoreBreakdown(Frozen):
    """The quality terms of a pair (each 0..1; None where it does not apply) and their mean."""

    language: float | None
    distance: float | None
    availability: float | None
    child_ages: float | None
    themes: float | None
    preferences: float | None
    quality: float = Field(description="weighted mean of the terms that apply, 0..1")


class Proposal(Frozen):
    """A volunteer to introduce to a family, and the weekly half-day for their visits."""

    family_id: str
    volunteer_id: str
    slot: str
    other_shared_slots: list[str]
    distance_km: float
    quality_points: int
    family_priority: int
    scores: ScoreBreakdown
    reasons: list[str]


class Alternative(Frozen):
    """A volunteer a family could have, for the coordinator's shortlist."""

    volunteer_id: str
    quality: float
    distance_km: float
    shared_slots: list[str]
    proposed_to: list[str] = Field(description="the families this volunteer is proposed to")


class Shortlist(Frozen):
    family_id: str
    alternatives: list[Alternative]


class UnmatchedReason(StrEnum):
    NOT_ELIGIBLE = "not_eligible"
    NO_ELIGIBLE_VOLUNTEER = "no_eligible_volunteer"
    OUTCOMPETED = "outcompeted"


class Competitor(Frozen):
    """An eligible volunteer who was proposed to other families instead."""

    volunteer_id: str
    proposed_to: list[str]


class Unmatched(Frozen):
    """A waiting family without a proposal, and why."""

    family_id: str
    reason: UnmatchedReason
    message: str
    rejected_by: dict[str, int] = Field(
        description="per hard rule, how many volunteers it ruled out for this family"
    )
    competitors: list[Competitor]


class SolverReport(Frozen):
    """Status, objective, proven bound and gap, and the settings used."""

    backend: str
    status: SolveStatus
    objective: int = Field(description="sum over proposals of multiplier * priority + quality")
    bound: int = Field(description="proven upper bound on the objective")
    gap: float = Field(description="(bound - objective) / max(1, objective)")
    multiplier: int
    families_waiting: int
    families_matched: int
    priority_points: int
    quality_points: int
    candidate_pairs: int
    settings: SolverSettings
    weights: Weights
    policy: Policy

    @property
    def has_solution(self) -> bool:
        """Whether the solver found a solution (optimal or not)."""
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)

    def gap_text(self) -> str:
        """The gap for people: a percentage, or "no solution" when there is nothing to compare."""
        return f"{self.gap:.2%}" if self.has_solution else "no solution"


class SolveResult(Frozen):
    """The outcome of one matching round."""

    reference_date: date
    report: SolverReport
    proposals: list[Proposal]
    unmatched: list[Unmatched]
    shortlists: list[Shortlist]
    runtime_s: float = Field(
        default=0.0,
        exclude=True,
        description="wall-clock seconds; not serialised, so that output files are reproducible",
    )
