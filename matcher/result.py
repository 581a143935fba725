"""What a solve returns: proposals, unmatched families with reasons, shortlists and a report of
the solver's status, objective, bound and gap. All are pydantic models that serialise to JSON."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from matcher.domain.frozen import Frozen
from matcher.domain.people import Id, Text
from matcher.domain.round import (
    EARLIEST_ROUND,
    LATEST_ROUND,
    MAX_PEOPLE,
    MAX_RECORDS,
    Policy,
    SolverSettings,
    Weights,
)
from matcher.domain.slots import SLOT_COUNT, Slot
from matcher.fingerprint import RoundFingerprint


class SolveStatus(StrEnum):
    """How the solver ended. Only ``optimal`` is a proof of optimality."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # a solution, not proven optimal (e.g. the time limit came first)
    INFEASIBLE = "infeasible"
    TIME_LIMIT_NO_SOLUTION = "time_limit_no_solution"
    INVALID = "invalid"


# A result read back from a file is checked like any input: ids are ids, slots are slots and
# sentences hold no formula or markup, so an edited result.json cannot smuggle text into the
# files written from it.
Slots = Annotated[list[Slot], Field(max_length=SLOT_COUNT)]
Ids = Annotated[list[Id], Field(max_length=MAX_PEOPLE)]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z_]{0,39}$")]
Count = Annotated[int, Field(ge=-(2**62), le=2**62)]
Language = Literal["nl", "en"]


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

    family_id: Id
    volunteer_id: Id
    slot: Slot
    other_shared_slots: Slots
    distance_km: float
    quality_points: Count
    family_priority: Count
    scores: ScoreBreakdown
    reasons: Annotated[list[Text], Field(max_length=50)]


class Alternative(Frozen):
    """A volunteer a family could have, for the coordinator's shortlist."""

    volunteer_id: Id
    quality: float
    distance_km: float
    shared_slots: Slots
    proposed_to: Ids = Field(description="the families this volunteer is proposed to")
    proposed: bool = Field(
        default=False, description="whether this is the volunteer proposed to this family"
    )


class Shortlist(Frozen):
    family_id: Id
    alternatives: Annotated[list[Alternative], Field(max_length=MAX_PEOPLE)]


class UnmatchedReason(StrEnum):
    NOT_ELIGIBLE = "not_eligible"
    NO_ELIGIBLE_VOLUNTEER = "no_eligible_volunteer"
    OUTCOMPETED = "outcompeted"
    POOR_FIT = "poor_fit"  # the only volunteers who could help fit below the minimum quality


class Competitor(Frozen):
    """An eligible volunteer who was proposed to other families instead."""

    volunteer_id: Id
    proposed_to: Ids


class Unmatched(Frozen):
    """A waiting family without a proposal, and why."""

    family_id: Id
    reason: UnmatchedReason
    message: Text
    rejected_by: dict[Name, Count] = Field(
        max_length=64, description="per hard rule, how many volunteers it ruled out for this family"
    )
    competitors: Annotated[list[Competitor], Field(max_length=MAX_PEOPLE)]


class QualitySpread(Frozen):
    """How good the proposals are: the quartiles of their quality (each 0..1), for choosing a
    minimum quality."""

    minimum: float
    lower_quartile: float
    median: float
    upper_quartile: float
    maximum: float


class ChangeReason(StrEnum):
    """Why a previous proposal is not proposed again."""

    NOT_WAITING = "not_waiting"  # the family is matched meanwhile or left the round
    NOT_POSSIBLE = "not_possible"  # the pair is no longer allowed (a rule, a place, a person)
    BETTER_FIT = "better_fit"  # the family's new volunteer fits better by more than the margin
    OTHER_FAMILIES = "other_families"  # keeping it would cost other families a match or more


class Change(Frozen):
    """A previous proposal that was not kept, and why."""

    family_id: Id
    previous_volunteer_id: Id
    volunteer_id: Id | None = Field(description="the family's new volunteer, if any")
    reason: ChangeReason
    message: Text


class Stability(Frozen):
    """How a re-solve treated the previous result's proposals."""

    margin: float = Field(description="quality (0..1) a change must gain per kept pair")
    previous_proposals: Count
    kept: Count
    changed: Count = Field(description="previous proposals of families still waiting, not kept")
    changes: Annotated[list[Change], Field(max_length=MAX_PEOPLE)]


class SolverReport(Frozen):
    """Status, objective, proven bound and gap, and the settings used."""

    backend: Name
    status: SolveStatus
    objective: Count = Field(description="sum over proposals of multiplier * priority + quality")
    bound: Count = Field(description="proven upper bound on the objective")
    gap: float = Field(description="(bound - objective) / max(1, objective)")
    multiplier: Count
    families_waiting: Count
    families_matched: Count
    priority_points: Count
    quality_points: Count
    candidate_pairs: Count
    settings: SolverSettings
    weights: Weights
    policy: Policy
    proposal_quality: QualitySpread | None = Field(
        default=None, description="quartiles of the proposals' quality (none without proposals)"
    )
    stability: Stability | None = Field(
        default=None, description="on a re-solve with a previous result: what was kept"
    )

    @property
    def has_solution(self) -> bool:
        """Whether the solver found a solution (optimal or not)."""
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)

    def gap_text(self) -> str:
        """The gap for people: a percentage, or "no solution" when there is nothing to compare."""
        return f"{self.gap:.2%}" if self.has_solution else "no solution"


class SolveResult(Frozen):
    """The outcome of one matching round."""

    reference_date: date = Field(ge=EARLIEST_ROUND, le=LATEST_ROUND)
    report: SolverReport
    proposals: Annotated[list[Proposal], Field(max_length=MAX_PEOPLE)]
    unmatched: Annotated[list[Unmatched], Field(max_length=MAX_PEOPLE)]
    shortlists: Annotated[list[Shortlist], Field(max_length=MAX_RECORDS)]
    round_fingerprint: RoundFingerprint | None = Field(
        default=None,
        description="the round it was solved from (None in results written before it was kept)",
    )
    runtime_s: float = Field(
        default=0.0,
        exclude=True,
        description="wall-clock seconds; not serialised, so that output files are reproducible",
    )
    language: Language = Field(
        default="en",
        exclude_if=lambda language: language == "en",
        description="the language of the reasons and messages (written only when not English, "
        "so English results read and write as they always have)",
    )
