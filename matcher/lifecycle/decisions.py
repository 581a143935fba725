"""The coordinator's decisions on a round: accept or decline a proposal, end a match.

Each decision is a pure function from a round to the next round; bad requests raise
``DecisionError`` with a clear message and leave nothing changed. ``DecisionRecord`` is the line
the append-only decision log keeps: who, when, what, by id only.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from matcher.domain.frozen import Frozen
from matcher.domain.round import ActiveMatch, Pair, Round
from matcher.result import Proposal


class DecisionError(ValueError):
    """A decision that cannot be applied to the round as it is."""


class Action(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    END = "end"


class EndReason(StrEnum):
    """Why a match ends. Only when the volunteer stops does the family wait again."""

    VOLUNTEER_STOPPED = "volunteer_stopped"
    FAMILY_COPES = "family_copes"
    AGED_OUT = "aged_out"
    FAMILY_STOPPED = "family_stopped"


class DecisionRecord(Frozen):
    """One line of the decision log."""

    time: datetime
    coordinator: str
    action: Action
    family_id: str
    volunteer_id: str
    slot: str | None = None
    reason: EndReason | None = None


def accept(round_: Round, proposal: Proposal) -> Round:
    """The proposal becomes an active match with its weekly slot."""
    family_ids = {f.id for f in round_.families}
    volunteers = {v.id: v for v in round_.volunteers}
    if proposal.family_id not in family_ids:
        raise DecisionError(f"family {proposal.family_id!r} is no longer in the round")
    volunteer = volunteers.get(proposal.volunteer_id)
    if volunteer is None:
        raise DecisionError(f"volunteer {proposal.volunteer_id!r} is no longer in the round")
    if any(m.family_id == proposal.family_id for m in round_.active_matches):
        raise DecisionError(f"family {proposal.family_id!r} already has an active match")
    theirs = [m for m in round_.active_matches if m.volunteer_id == volunteer.id]
    if len(theirs) >= volunteer.capacity:
        raise DecisionError(
            f"volunteer {volunteer.id!r} is now full ({len(theirs)} of {volunteer.capacity})"
        )
    if any(m.slot == proposal.slot for m in theirs):
        raise DecisionError(
            f"volunteer {volunteer.id!r} already visits a family on {proposal.slot}"
        )
    match = ActiveMatch(
        family_id=proposal.family_id, volunteer_id=proposal.volunteer_id, slot=proposal.slot
    )
    return round_.model_copy(update={"active_matches": (*round_.active_matches, match)})


def decline(round_: Round, proposal: Proposal) -> Round:
    """The pair did not click at the introduction: it is never proposed again."""
    pair = Pair(family_id=proposal.family_id, volunteer_id=proposal.volunteer_id)
    if pair in round_.declined_pairs:
        raise DecisionError("this pair is already declined")
    return round_.model_copy(update={"declined_pairs": (*round_.declined_pairs, pair)})


def end_match(round_: Round, family_id: str, reason: EndReason, today: date) -> Round:
    """End a family's active match. When the volunteer stopped, the family waits again with
    re-match priority from ``today`` (and the round's date moves up to ``today`` if earlier);
    otherwise the family leaves the round."""
    match = next((m for m in round_.active_matches if m.family_id == family_id), None)
    if match is None:
        raise DecisionError(f"family {family_id!r} has no active match")
    remaining = tuple(m for m in round_.active_matches if m is not match)
    if reason == EndReason.VOLUNTEER_STOPPED:
        families = tuple(
            f.model_copy(update={"rematch": True, "registered": today}) if f.id == family_id else f
            for f in round_.families
        )
        return round_.model_copy(
            update={
                "active_matches": remaining,
                "families": families,
                "reference_date": max(round_.reference_date, today),
            }
        )
    return round_.model_copy(
        update={
            "active_matches": remaining,
            "families": tuple(f for f in round_.families if f.id != family_id),
            "declined_pairs": tuple(p for p in round_.declined_pairs if p.family_id != family_id),
            "exclusions": tuple(p for p in round_.exclusions if p.family_id != family_id),
        }
    )


def find_proposal(proposals: list[Proposal], family_id: str) -> Proposal:
    """The proposal for a family, or ``DecisionError`` if the result has none."""
    for proposal in proposals:
        if proposal.family_id == family_id:
            return proposal
    raise DecisionError(f"the result has no proposal for family {family_id!r}")
