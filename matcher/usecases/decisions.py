"""Use cases of the coordinator's decisions: accept or decline a proposal, end a match.

Each runs in one store transaction: the round is read under the store's lock, the decision is
checked against the round as it is now (not as it was when the proposal was made), the new round
is validated, and it is written together with its line in the decision log, or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from matcher.domain.prepared import prepare
from matcher.domain.round import Round
from matcher.errors import RoundError
from matcher.lifecycle.decisions import (
    Action,
    DecisionError,
    DecisionRecord,
    EndReason,
    accept,
    decline,
    end_match,
    find_proposal,
)
from matcher.result import Proposal, SolveResult
from matcher.usecases.store import RoundStore

MAX_DAYS_FROM_TODAY = 366
"""How far from today an effective date may lie (a typo such as 9999-12-31 is refused)."""


@dataclass(frozen=True)
class Ended:
    """A match that ended: with whom, and whether the family now waits for a new volunteer."""

    family_id: str
    volunteer_id: str
    reason: EndReason
    waiting_again: bool


def decide(
    store: RoundStore,
    result: SolveResult,
    family_id: str,
    accepted: bool,
    coordinator: str,
    now: datetime,
) -> Proposal:
    """Accept (it becomes an active match) or decline (never proposed again) the result's
    proposal for ``family_id``. ``DecisionError`` when it no longer holds."""
    proposal = find_proposal(result.proposals, family_id)
    entry = DecisionRecord(
        time=now,
        coordinator=coordinator,
        action=Action.ACCEPT if accepted else Action.DECLINE,
        family_id=family_id,
        volunteer_id=proposal.volunteer_id,
        slot=proposal.slot,
    )
    change = accept if accepted else decline
    with store.transaction() as transaction:
        updated = _still_valid(change(transaction.round, proposal))
        transaction.commit(updated, entry)
    return proposal


def end(
    store: RoundStore,
    family_id: str,
    reason: EndReason,
    day: date,
    coordinator: str,
    now: datetime,
) -> Ended:
    """End a family's active match on ``day`` (within a year of ``now``)."""
    if not near_today(day, now.date()):
        raise DecisionError(
            f"the end date {day.isoformat()} is more than a year from today: check it"
        )
    with store.transaction() as transaction:
        round_ = transaction.round
        match = next((m for m in round_.active_matches if m.family_id == family_id), None)
        if match is None:
            raise DecisionError(f"family {family_id!r} has no active match")
        updated = _still_valid(end_match(round_, family_id, reason, day))
        entry = DecisionRecord(
            time=now,
            coordinator=coordinator,
            action=Action.END,
            family_id=family_id,
            volunteer_id=match.volunteer_id,
            reason=reason,
        )
        transaction.commit(updated, entry)
    waiting = any(f.id == family_id for f in updated.families)
    return Ended(family_id, match.volunteer_id, reason, waiting)


def _still_valid(updated: Round) -> Round:
    try:
        prepare(updated)
    except RoundError as error:
        raise DecisionError(f"the decision would leave an invalid round: {error}") from None
    return updated


def near_today(day: date, today: date) -> bool:
    """Whether ``day`` lies within a year of ``today``."""
    return abs(day - today) <= timedelta(days=MAX_DAYS_FROM_TODAY)
