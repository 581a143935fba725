"""The dated plan against its independent checker, on random rounds and calendars."""

from __future__ import annotations

from datetime import date, timedelta

from builders import family, round_of, volunteer
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import Round, solve
from matcher.check.plan import check_plan
from matcher.schedule.plan import plan_round

SLOTS = ["mon-morning", "tue-morning", "wed-afternoon", "thu-evening", "sat-morning"]
STARTS = st.dates(min_value=date(2026, 11, 30), max_value=date(2027, 12, 20))


@st.composite
def rounds(draw: st.DrawFn) -> Round:
    """Small rounds with two coordinators, absences and a school holiday, near holidays."""
    slot_sets = st.lists(st.sampled_from(SLOTS), min_size=1, max_size=3, unique=True)
    n_volunteers = draw(st.integers(1, 5))
    n_families = draw(st.integers(1, 6))
    coordinators = [
        {"id": c, "slots": draw(slot_sets), "meetings_per_week": draw(st.integers(1, 3))}
        for c in ("C1", "C2")
    ]
    people = [f"V{i}" for i in range(n_volunteers)] + [f"F{i}" for i in range(n_families)]
    absences = []
    for person in draw(st.lists(st.sampled_from([*people, "C1", "C2"]), max_size=4)):
        start = date(2026, 11, 30) + timedelta(days=draw(st.integers(0, 400)))
        absences.append(
            {
                "person_id": person,
                "start": start,
                "end": start + timedelta(days=draw(st.integers(0, 20))),
            }
        )
    holiday_start = date(2026, 12, 1) + timedelta(days=draw(st.integers(0, 380)))
    return round_of(
        [
            volunteer(f"V{i}", slots=draw(slot_sets), capacity=draw(st.integers(1, 2)))
            for i in range(n_volunteers)
        ],
        [
            family(f"F{i}", slots=draw(slot_sets), coordinator=draw(st.sampled_from(["C1", "C2"])))
            for i in range(n_families)
        ],
        coordinators=coordinators,
        absences=absences,
        school_holidays=[
            {"name": "vakantie", "start": holiday_start, "end": holiday_start + timedelta(days=9)}
        ],
    )


@settings(max_examples=60, deadline=None)
@given(round_=rounds(), start=STARTS, weeks=st.integers(1, 4), review=st.integers(1, 20))
def test_every_plan_keeps_every_rule(round_: Round, start: date, weeks: int, review: int) -> None:
    proposals = solve(round_).proposals
    plan = plan_round(round_, proposals, start, weeks, review)
    assert plan.status == "optimal"
    assert check_plan(round_, proposals, plan) == []


def test_the_checker_sees_a_meeting_moved_onto_a_holiday_and_a_double_booking() -> None:
    round_ = round_of(
        [volunteer("V1", slots=["mon-morning"], capacity=2)],
        [family("F1"), family("F2", registered="2026-02-01")],
    )
    proposals = solve(round_).proposals
    plan = plan_round(round_, proposals, date(2027, 3, 22), weeks=3)
    assert check_plan(round_, proposals, plan) == []
    easter_monday = plan.introductions[0].model_copy(update={"day": date(2027, 3, 29)})
    broken = plan.model_copy(update={"introductions": [easter_monday, *plan.introductions[1:]]})
    assert any("public holiday" in p for p in check_plan(round_, proposals, broken))
    twice = plan.model_copy(update={"introductions": plan.introductions * 2})
    problems = check_plan(round_, proposals, twice)
    assert any("planned 2 times" in p for p in problems)
    assert any("meetings on" in p for p in problems)


def test_the_checker_sees_a_visit_on_a_public_holiday() -> None:
    round_ = round_of([volunteer(slots=["tue-morning"])], [family(slots=["tue-morning"])])
    proposals = solve(round_).proposals
    plan = plan_round(round_, proposals, date(2027, 4, 1), weeks=1)
    series = plan.visits[0]
    assert date(2027, 4, 27) in {s.day for s in series.skipped}  # King's Day
    kept = series.model_copy(
        update={"skipped": [s for s in series.skipped if s.day != date(2027, 4, 27)]}
    )
    broken = plan.model_copy(update={"visits": [kept]})
    assert any("2027-04-27" in p for p in check_plan(round_, proposals, broken))
