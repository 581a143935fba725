"""The first visit of a new match is a real visit: never in a school holiday the round lists,
on a public holiday, or while the family or the volunteer is away; the checker sees it too."""

from __future__ import annotations

from datetime import date
from typing import Any

from builders import family, round_of, volunteer

from matcher import Round, solve
from matcher.check.plan import check_plan
from matcher.schedule.plan import plan_round

CHRISTMAS = {"name": "kerstvakantie", "start": "2026-12-19", "end": "2027-01-03"}
MONDAY = ["mon-morning"]


def _round(**fields: Any) -> Round:
    return round_of(
        [volunteer("V1", slots=MONDAY)],
        [family("F05", slots=MONDAY)],
        school_holidays=[CHRISTMAS],
        **fields,
    )


def _first_visit(round_: Round, start: date) -> date:
    proposals = solve(round_).proposals
    plan = plan_round(round_, proposals, start, weeks=1)
    assert check_plan(round_, proposals, plan) == []
    assert plan.introductions[0].day == start
    return plan.visits[0].first


def test_the_first_visit_waits_for_the_end_of_the_christmas_holiday() -> None:
    # Introduction on Monday 14 December 2026; Mondays 21 and 28 December are in the
    # holiday, so the first visit is Monday 4 January 2027.
    assert _first_visit(_round(), date(2026, 12, 14)) == date(2027, 1, 4)


def test_the_first_visit_waits_for_the_volunteer_or_the_family_to_be_back() -> None:
    for person in ("V1", "F05"):
        away = [{"person_id": person, "start": "2027-01-02", "end": "2027-01-10"}]
        # 21 and 28 December in the holiday, 4 January away: Monday 11 January.
        assert _first_visit(_round(absences=away), date(2026, 12, 14)) == date(2027, 1, 11)


def test_the_first_visit_is_not_on_a_public_holiday() -> None:
    easter = round_of([volunteer("V1", slots=MONDAY)], [family("F05", slots=MONDAY)])
    # Introduction on Monday 22 March 2027; Monday 29 March is Easter Monday.
    assert _first_visit(easter, date(2027, 3, 22)) == date(2027, 4, 5)


def test_the_checker_refuses_a_first_visit_in_the_holiday_or_later_than_needed() -> None:
    round_ = _round()
    proposals = solve(round_).proposals
    plan = plan_round(round_, proposals, date(2026, 12, 14), weeks=1)
    series = plan.visits[0]
    in_holiday = series.model_copy(update={"first": date(2026, 12, 21)})
    problems = check_plan(round_, proposals, plan.model_copy(update={"visits": [in_holiday]}))
    assert any("first visit on 2026-12-21 is in a holiday" in p for p in problems)
    late = series.model_copy(update={"first": date(2027, 1, 11)})
    problems = check_plan(round_, proposals, plan.model_copy(update={"visits": [late]}))
    assert any("first visit could be on 2027-01-04" in p for p in problems)
