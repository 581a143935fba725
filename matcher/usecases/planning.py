"""Use case: a dated plan (introductions and weekly visits) for a solve's proposals."""

from __future__ import annotations

from datetime import date

from matcher.lifecycle.decisions import DecisionError
from matcher.result import SolveResult
from matcher.schedule.plan import Plan, plan_round
from matcher.usecases.decisions import MAX_DAYS_FROM_TODAY, near_today
from matcher.usecases.store import RoundStore


def plan(
    store: RoundStore,
    result: SolveResult,
    start: date | None,
    weeks: int,
    review_weeks: int,
) -> Plan:
    """Plan ``result``'s proposals from ``start`` (default: the round's date) over ``weeks``
    weeks of introductions, with visits up to a review after ``review_weeks`` weeks."""
    round_ = store.read().round
    first = round_.reference_date if start is None else start
    if not near_today(first, round_.reference_date):
        raise DecisionError(
            f"the plan's start {first.isoformat()} is more than {MAX_DAYS_FROM_TODAY} days from "
            f"the round's date {round_.reference_date.isoformat()}"
        )
    return plan_round(round_, result.proposals, first, weeks, review_weeks)
