"""Use case: a dated plan (introductions and weekly visits) for a solve's proposals."""

from __future__ import annotations

from datetime import date

from matcher.domain.prepared import PreparedRound
from matcher.lifecycle.decisions import DecisionError
from matcher.lifecycle.still_holds import SOLVE_AGAIN, broken_rules, tie_to_round
from matcher.result import Proposal, SolveResult
from matcher.schedule.plan import Plan, Unplanned, plan_round
from matcher.usecases.decisions import MAX_DAYS_FROM_TODAY, near_today, warn_if_untied
from matcher.usecases.store import RoundStore

ACCEPTED = "accepted already: the introduction was held and the match is active"
SHOWN_PROBLEMS = 5
"""Proposals named in the message when a result no longer holds (then how many more)."""


def plan(
    store: RoundStore,
    result: SolveResult,
    start: date | None,
    weeks: int,
    review_weeks: int,
) -> Plan:
    """Plan ``result``'s proposals from ``start`` (default: the round's date) over ``weeks``
    weeks of introductions, with visits up to a review after ``review_weeks`` weeks.
    ``DecisionError`` when the result is not of this round, or when one of its proposals no
    longer holds (its people changed, or the pair breaks a hard rule now). A proposal already
    accepted as proposed is not planned again: it is listed as unplanned, saying so."""
    prepared = store.read()
    round_ = prepared.round
    first = round_.reference_date if start is None else start
    if not near_today(first, round_.reference_date):
        raise DecisionError(
            f"the plan's start {first.isoformat()} is more than {MAX_DAYS_FROM_TODAY} days from "
            f"the round's date {round_.reference_date.isoformat()}"
        )
    warn_if_untied(tie_to_round(result, round_, result.proposals))
    matches = {(m.family_id, m.volunteer_id, m.slot) for m in round_.active_matches}
    accepted = [p for p in result.proposals if (p.family_id, p.volunteer_id, p.slot) in matches]
    open_ = [p for p in result.proposals if p not in accepted]
    _check_proposals(prepared, open_)
    dated = plan_round(round_, open_, first, weeks, review_weeks)
    held = [Unplanned(family_id=p.family_id, reason=ACCEPTED) for p in accepted]
    return dated.model_copy(update={"unplanned": [*held, *dated.unplanned]})


def _check_proposals(prepared: PreparedRound, open_: list[Proposal]) -> None:
    """Refuse the plan when a proposal not yet accepted breaks a hard rule now."""
    problems = [
        f"{p.family_id} with {p.volunteer_id}: {', '.join(broken)}"
        for p, broken in zip(open_, broken_rules(prepared, open_), strict=True)
        if broken
    ]
    if problems:
        more = len(problems) - SHOWN_PROBLEMS
        raise DecisionError(
            f"{len(problems)} of the result's proposals no longer hold: "
            + "; ".join(problems[:SHOWN_PROBLEMS])
            + (f"; and {more} more" if more > 0 else "")
            + f"; {SOLVE_AGAIN}"
        )
