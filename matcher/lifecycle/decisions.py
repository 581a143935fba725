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
from matcher.domain.vocab import ClosureReason, FamilyStatus, VolunteerStatus
from matcher.result import Proposal


class DecisionError(ValueError):
    """A decision that cannot be applied to the round as it is."""


class Action(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    END = "end"


class EndReason(StrEnum):
    """Why a match ends. When the volunteer stops with the programme or only with this family,
    the family waits again for another volunteer; otherwise the family is closed."""

    VOLUNTEER_STOPPED = "volunteer_stopped"  # the volunteer leaves the programme
    VOLUNTEER_CONTINUES = "volunteer_continues"  # this match ends; the volunteer stays
    FAMILY_COPES = "family_copes"
    AGED_OUT = "aged_out"
    FAMILY_STOPPED = "family_stopped"

    @property
    def family_waits_again(self) -> bool:
        """Whether the family waits for another volunteer (else it is closed)."""
        return self in (EndReason.VOLUNTEER_STOPPED, EndReason.VOLUNTEER_CONTINUES)


class DecisionRecord(Frozen):
    """One line of the decision log: when it was entered (``time``), and for an ended match
    the day it ended as the coordinator gave it (``effective_date``)."""

    time: datetime
    coordinator: str
    action: Action
    family_id: str
    volunteer_id: str
    slot: str | None = None
    reason: EndReason | None = None
    effective_date: date | None = None


def accept(round_: Round, proposal: Proposal) -> Round:
    """The proposal becomes an active match with its weekly slot. Only the round's
    cross-references are checked here; ``still_holds.broken_rules`` checks the hard rules."""
    families = {f.id: f for f in round_.families}
    volunteers = {v.id: v for v in round_.volunteers}
    family = families.get(proposal.family_id)
    if family is None:
        raise DecisionError(f"family {proposal.family_id!r} is no longer in the round")
    if family.closed:
        raise DecisionError(f"family {family.id!r} is {family.closed_text()}")
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
    family = next((f for f in round_.families if f.id == proposal.family_id), None)
    if family is not None and family.closed:
        raise DecisionError(f"family {family.id!r} is {family.closed_text()}")
    pair = Pair(family_id=proposal.family_id, volunteer_id=proposal.volunteer_id)
    if pair in round_.declined_pairs:
        raise DecisionError("this pair is already declined")
    return round_.model_copy(update={"declined_pairs": (*round_.declined_pairs, pair)})


def active_match_of(round_: Round, family_id: str) -> ActiveMatch:
    """The family's active match; ``DecisionError`` when it has none (or is closed)."""
    family = next((f for f in round_.families if f.id == family_id), None)
    if family is None:
        raise DecisionError(f"no family {family_id!r} in the round")
    if family.closed:
        raise DecisionError(f"family {family_id!r} is {family.closed_text()}: no match to end")
    match = next((m for m in round_.active_matches if m.family_id == family_id), None)
    if match is None:
        raise DecisionError(f"family {family_id!r} has no active match")
    return match


def end_match(round_: Round, family_id: str, reason: EndReason, today: date) -> Round:
    """End a family's active match on ``today``.

    ``volunteer_stopped``: the volunteer's status becomes stopped (from ``today``), the family
    waits again with re-match priority, and the pair is added to the declined pairs, so the
    family is never proposed to that volunteer again (also should they come back).
    ``volunteer_continues``: the same for the family and the pair; the volunteer stays active.
    Otherwise the family is closed (status, date and reason kept; it stays in the round and is
    never proposed again). The family's ``registered`` date is kept: a family that waits again
    waits from ``waiting_since``. The round's date moves up to ``today`` if earlier."""
    match = active_match_of(round_, family_id)
    family = next(f for f in round_.families if f.id == family_id)
    if today < family.registered:
        raise DecisionError(
            f"the end date {today.isoformat()} lies before the family registered "
            f"({family.registered.isoformat()})"
        )
    remaining = tuple(m for m in round_.active_matches if m is not match)
    if not reason.family_waits_again:
        closed = family.model_copy(
            update={
                "status": FamilyStatus.CLOSED,
                "closed_on": today,
                "closed_reason": ClosureReason(reason.value),
            }
        )
        return round_.model_copy(
            update={
                "active_matches": remaining,
                "families": tuple(closed if f is family else f for f in round_.families),
            }
        )
    waiting = family.model_copy(update={"rematch": True, "waiting_since": today})
    pair = Pair(family_id=family_id, volunteer_id=match.volunteer_id)
    declined = round_.declined_pairs + (() if pair in round_.declined_pairs else (pair,))
    volunteers = round_.volunteers
    if reason == EndReason.VOLUNTEER_STOPPED:
        volunteers = tuple(
            v.model_copy(
                update={
                    "status": VolunteerStatus.STOPPED,
                    "stopped_on": today,
                    "paused_until": None,
                }
            )
            if v.id == match.volunteer_id
            else v
            for v in volunteers
        )
    return round_.model_copy(
        update={
            "active_matches": remaining,
            "families": tuple(waiting if f is family else f for f in round_.families),
            "volunteers": volunteers,
            "declined_pairs": declined,
            "reference_date": max(round_.reference_date, today),
        }
    )


def find_proposal(proposals: list[Proposal], family_id: str) -> Proposal:
    """The proposal for a family, or ``DecisionError`` if the result has none."""
    for proposal in proposals:
        if proposal.family_id == family_id:
            return proposal
    raise DecisionError(f"the result has no proposal for family {family_id!r}")
