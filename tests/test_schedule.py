"""Dated planning: introductions, weekly visits, holidays and absences, and the calendars."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
from builders import family, round_of, volunteer
from click.testing import CliRunner
from dateutil.rrule import rrulestr
from icalendar import Calendar

from matcher import Round, solve
from matcher.cli import main
from matcher.io.csv_round import write_round_csv
from matcher.schedule.availability import Availability, holiday_name
from matcher.schedule.ics import calendars
from matcher.schedule.plan import plan_round

COORDINATOR = {"id": "C1", "slots": ["mon-morning", "tue-morning"], "meetings_per_week": 1}


def _round(**fields: object) -> Round:
    return round_of(
        [volunteer(f"V{i}", slots=["mon-morning", "tue-morning"]) for i in range(1, 5)],
        [
            family(
                f"F{i}",
                slots=["mon-morning", "tue-morning"],
                coordinator="C1",
                registered=f"2026-0{i}-01",
            )
            for i in range(1, 5)
        ],
        coordinators=[COORDINATOR],
        **fields,
    )


def test_dutch_public_holidays_come_from_the_holidays_package() -> None:
    assert holiday_name(date(2027, 4, 27)) == "King's Day"
    assert holiday_name(date(2026, 12, 25)) == "Christmas Day"
    assert holiday_name(date(2027, 4, 28)) is None


def test_coordinator_capacity_and_longest_waiting_first() -> None:
    round_ = _round()
    result = solve(round_)
    # One meeting a week for two weeks: only the two longest-waiting families get one.
    plan = plan_round(round_, result.proposals, date(2026, 11, 30), weeks=2)
    assert plan.status == "optimal" and plan.bound == plan.objective
    assert sorted(i.family_id for i in plan.introductions) == ["F1", "F2"]
    assert [i.day for i in plan.introductions] == [date(2026, 11, 30), date(2026, 12, 7)]
    assert all(i.coordinator_id == "C1" for i in plan.introductions)
    weeks = {i.day.isocalendar()[1] for i in plan.introductions}
    assert len(weeks) == 2  # never two meetings in one week for this coordinator
    assert {u.family_id for u in plan.unplanned} == {"F3", "F4"}
    assert all("longer-waiting" in u.reason for u in plan.unplanned)


def test_no_visit_on_kings_day_or_christmas() -> None:
    tuesday = round_of([volunteer(slots=["tue-morning"])], [family(slots=["tue-morning"])])
    plan = plan_round(tuesday, solve(tuesday).proposals, date(2027, 4, 1), weeks=1)
    skipped = {s.day: s.reason for s in plan.visits[0].skipped}
    assert skipped[date(2027, 4, 27)] == "public holiday (King's Day)"
    friday = round_of([volunteer(slots=["fri-evening"])], [family(slots=["fri-evening"])])
    plan = plan_round(friday, solve(friday).proposals, date(2026, 12, 1), weeks=2)
    assert date(2026, 12, 25) in {s.day for s in plan.visits[0].skipped}


def test_a_visit_on_a_holiday_moves_to_another_shared_half_day_that_week() -> None:
    both = ["mon-morning", "tue-morning"]
    round_ = round_of([volunteer(slots=both)], [family(slots=both)])
    proposals = solve(round_).proposals
    assert proposals[0].slot == "mon-morning"
    plan = plan_round(round_, proposals, date(2027, 3, 1), weeks=1)
    # Easter Monday 2027-03-29: the Monday visit moves to Tuesday 2027-03-30.
    moved = {m.day: m for m in plan.visits[0].moved}
    assert moved[date(2027, 3, 29)].to_day == date(2027, 3, 30)
    assert moved[date(2027, 3, 29)].reason == "public holiday (Easter Monday)"
    assert date(2027, 3, 29) not in {s.day for s in plan.visits[0].skipped}


def test_absences_and_school_holidays_skip_visits_and_meetings() -> None:
    round_ = round_of(
        [volunteer(slots=["mon-morning"])],
        [family(slots=["mon-morning"])],
        absences=[{"person_id": "V1", "start": "2026-11-30", "end": "2026-12-06"}],
        school_holidays=[{"name": "kerstvakantie", "start": "2026-12-19", "end": "2027-01-03"}],
    )
    plan = plan_round(round_, solve(round_).proposals, date(2026, 11, 30), weeks=3)
    assert plan.introductions[0].day == date(2026, 12, 7)  # not in the absent week
    skipped = {s.day: s.reason for s in plan.visits[0].skipped}
    assert skipped[date(2026, 12, 21)] == "school holiday (kerstvakantie)"
    assert skipped[date(2026, 12, 28)] == "school holiday (kerstvakantie)"
    assert Availability(round_).blocked("V1", date(2026, 12, 2)) == "V1 is away"


def _occurrences(event: object) -> list[date]:
    start = event["dtstart"].dt  # type: ignore[index]
    if "rrule" not in event:  # type: ignore[operator]
        return [start.date()]
    rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=start)  # type: ignore[index]
    excluded = set()
    exdates = event.get("exdate", [])  # type: ignore[attr-defined]
    for group in exdates if isinstance(exdates, list) else [exdates]:
        excluded |= {d.dt.date() for d in group.dts}
    return [d.date() for d in rule if d.date() not in excluded]


def test_calendars_parse_back_to_the_plan() -> None:
    round_ = _round()
    plan = plan_round(round_, solve(round_).proposals, date(2027, 4, 12), weeks=4)
    files = calendars(plan)
    for series in plan.visits:
        calendar = Calendar.from_ical(files[f"volunteer-{series.volunteer_id}"])
        events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
        visits = events[f"visits-{series.family_id}-{series.volunteer_id}@matcher"]
        away = {s.day for s in series.skipped} | {m.day for m in series.moved}
        expected = [
            series.first + timedelta(weeks=k)
            for k in range((series.review - series.first).days // 7)
            if series.first + timedelta(weeks=k) not in away
        ]
        assert _occurrences(visits) == expected
        assert date(2027, 4, 27) not in expected  # King's Day
        for moved in series.moved:
            event = events[f"visit-{series.family_id}-{series.volunteer_id}-{moved.day}@matcher"]
            assert _occurrences(event) == [moved.to_day]
        assert "F" in str(visits["summary"]) and "address" not in str(visits).lower()
    coordinator = Calendar.from_ical(files["coordinator-C1"])
    intros = sorted(_occurrences(e)[0] for e in coordinator.walk("VEVENT"))
    assert intros == sorted(i.day for i in plan.introductions)
    starts = [e["dtstart"].dt for e in coordinator.walk("VEVENT")]
    assert all(isinstance(s, datetime) and s.tzinfo is not None for s in starts)


def test_plan_command_writes_json_excel_and_calendars(tmp_path: Path) -> None:
    folder = tmp_path / "round"
    write_round_csv(_round(), folder)
    runner = CliRunner()
    assert (
        runner.invoke(main, ["solve", str(folder), "--out", str(tmp_path / "out")]).exit_code == 0
    )
    done = runner.invoke(
        main,
        [
            "plan",
            str(folder),
            "--result",
            str(tmp_path / "out" / "result.json"),
            "--start",
            "2026-11-30",
            "--weeks",
            "4",
            "--out",
            str(tmp_path / "plan"),
        ],
    )
    assert done.exit_code == 0, done.output
    plan = json.loads((tmp_path / "plan" / "plan.json").read_text())
    assert len(plan["introductions"]) == 4
    workbook = openpyxl.load_workbook(tmp_path / "plan" / "plan.xlsx")
    assert workbook.sheetnames == [
        "Proposals",
        "Shortlists",
        "Unmatched",
        "Introductions",
        "Visits",
        "Skipped visits",
        "Moved visits",
        "Unplanned",
    ]
    assert (tmp_path / "plan" / "calendars" / "coordinator-C1.ics").exists()


def test_bad_dates_and_unknown_coordinators_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "round"
    write_round_csv(_round(), folder)
    (folder / "absences.csv").write_text("person_id,start,end\nV1,2026-12-10,2026-12-01\n")
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 2
    assert "absences.csv, row 2" in result.output and "ends (2026-12-01) before it starts" in (
        result.output
    )
    (folder / "absences.csv").write_text("person_id,start,end\n")
    families = (folder / "families.csv").read_text().replace(",C1", ",C9", 1)
    (folder / "families.csv").write_text(families)
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 2
    assert "families.csv, row 2, field 'coordinator': no coordinator 'C9'" in result.output


def test_proposals_for_people_no_longer_in_the_round_are_unplanned() -> None:
    round_ = _round()
    proposals = solve(round_).proposals
    smaller = round_.model_copy(update={"families": round_.families[1:]})
    plan = plan_round(smaller, proposals, date(2026, 11, 30), weeks=4)
    assert [(u.family_id, u.reason) for u in plan.unplanned] == [("F1", "no longer in the round")]
    assert len(plan.introductions) == 3
