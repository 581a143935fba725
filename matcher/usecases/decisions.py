"""Use cases of the coordinator's decisions: accept or decline a proposal, end a match.

Each runs in one store transaction: the round is read under the store's lock, the decision is
checked against the round as it is now (not as it was when the proposal was made: the result
must be of this round, with its proposed people unchanged, and an accepted pair must break no
hard rule today), the new round is validated, and it is written together with its line in the
decision log, or not at all.

A result written before results carried their round's fingerprint is still accepted, with a
warning: the coordinator may hold the outcome of an introduction proposed by it, and the hard
rules are still checked against the round as it is now.
"""

from __future__ import annotations

import logging
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
    active_match_of,
    decline,
    end_match,
    find_proposal,
)
from matcher.lifecycle.still_holds import Tie, broken_rules, tie_to_round
from matcher.result import Proposal, SolveResult
from matcher.usecases.store import RoundStore

logger = logging.getLogger(__name__)

MAX_DAYS_FROM_TODAY = 366
"""How far from today an effective date may lie (a typo such as 9999-12-31 is refused)."""


@dataclass(frozen=True)
class Ended:
    """A match that ended: with whom, whether the family now waits for a new volunteer, and
    the other families a volunteer who stopped still visits (their matches are to be ended
    too)."""

    family_id: str
    volunteer_id: str
    reason: EndReason
    waiting_again: bool
    volunteer_still_visits: tuple[str, ...] = ()


def decide(
    store: RoundStore,
    result: SolveResult,
    family_id: str,
    accepted: bool,
    coordinator: str,
    now: datetime,
) -> Proposal:
    """Accept (it becomes an active match) or decline (never proposed again) the result's
    proposal for ``family_id``. ``DecisionError`` when the result is not of this round, when
    the proposed family or volunteer changed since the solve, or (to accept) when the pair now
    breaks a hard rule."""
    proposal = find_proposal(result.proposals, family_id)
    entry = DecisionRecord(
        time=now,
        coordinator=coordinator,
        action=Action.ACCEPT if accepted else Action.DECLINE,
        family_id=family_id,
        volunteer_id=proposal.volunteer_id,
        slot=proposal.slot,
    )
    with store.transaction() as transaction:
        round_ = transaction.round
        warn_if_untied(tie_to_round(result, round_, [proposal]))
        if accepted:
            updated = accept(round_, proposal)
            broken = broken_rules(prepare(round_), [proposal])[0]
            if broken:
                raise DecisionError(
                    f"{family_id} with {proposal.volunteer_id} cannot be accepted now: "
                    + "; ".join(broken)
                )
        else:
            updated = decline(round_, proposal)
        transaction.commit(still_valid(updated), entry)
    return proposal


def warn_if_untied(tie: Tie) -> None:
    """Say so when a result cannot be tied to its round (written before results were)."""
    if tie == Tie.UNKNOWN:
        logger.warning(
            "the result carries no fingerprint of the round it was solved from (it was written "
            "by an earlier version): only the hard rules were checked against the round as it "
            "is now; changes to the proposed people since the solve cannot be seen"
        )


def end(
    store: RoundStore,
    family_id: str,
    reason: EndReason,
    day: date,
    coordinator: str,
    now: datetime,
) -> Ended:
    """End a family's active match on ``day`` (within a year of ``now``), recorded in the log
    with ``day`` as its effective date."""
    if not near_today(day, now.date()):
        raise DecisionError(
            f"the end date {day.isoformat()} is more than a year from today: check it"
        )
    with store.transaction() as transaction:
        round_ = transaction.round
        match = active_match_of(round_, family_id)
        updated = still_valid(end_match(round_, family_id, reason, day))
        entry = DecisionRecord(
            time=now,
            coordinator=coordinator,
            action=Action.END,
            family_id=family_id,
            volunteer_id=match.volunteer_id,
            reason=reason,
            effective_date=day,
        )
        transaction.commit(updated, entry)
    others = (
        tuple(m.family_id for m in updated.active_matches if m.volunteer_id == match.volunteer_id)
        if reason == EndReason.VOLUNTEER_STOPPED
        else ()
    )
    return Ended(family_id, match.volunteer_id, reason, reason.family_waits_again, others)


def still_valid(updated: Round) -> Round:
    """``updated`` when it is a valid round; ``DecisionError`` saying why not."""
    try:
        prepare(updated)
    except RoundError as error:
        raise DecisionError(f"the decision would leave an invalid round: {error}") from None
    return updated


def near_today(day: date, today: date) -> bool:
    """Whether ``day`` lies within a year of ``today``."""
    return abs(day - today) <= timedelta(days=MAX_DAYS_FROM_TODAY)
