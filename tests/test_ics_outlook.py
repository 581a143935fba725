"""The calendar files as a strict program (Outlook) reads them: every ``TZID`` defined in a
``VTIMEZONE`` with the real changes to and from summer time, read by a second, independent
parser (``vobject``, which builds the zone from that block, not from its own time zone data)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import vobject
from builders import family, round_of, volunteer

from matcher import solve
from matcher.schedule.ics import calendars
from matcher.schedule.plan import plan_round

# The EU changes the clocks at 01:00 UTC on the last Sunday of March and of October.
SUMMER_2027 = datetime(2027, 3, 28, 1, tzinfo=UTC)
WINTER_2026 = datetime(2026, 10, 25, 1, tzinfo=UTC)


def _volunteer_calendar(start: date) -> tuple[Any, str]:
    """The volunteer's calendar of a Tuesday match introduced on ``start``, parsed by vobject
    with no zone known beforehand (vobject keeps the first zone it reads under a TZID for the
    whole process: forget it, so that this file's own block is the one used)."""
    tuesday = ["tue-morning"]
    round_ = round_of([volunteer("V1", slots=tuesday)], [family("F1", slots=tuesday)])
    plan = plan_round(round_, solve(round_).proposals, start, weeks=1, review_weeks=4)
    text = calendars(plan)["volunteer-V1"].decode()
    vars(vobject.icalendar)["__tzidMap"].pop("Europe/Amsterdam", None)
    return vobject.readOne(text), text


@pytest.mark.parametrize("start", [date(2027, 3, 9), date(2026, 10, 6)])
def test_every_tzid_has_its_vtimezone_and_dtstamps_are_utc(start: date) -> None:
    calendar, text = _volunteer_calendar(start)
    zones = [c for c in calendar.getChildren() if c.name == "VTIMEZONE"]
    assert [z.tzid.value for z in zones] == ["Europe/Amsterdam"]
    assert "TZID=Europe/Amsterdam" in text
    assert text.index("BEGIN:VTIMEZONE") < text.index("BEGIN:VEVENT")
    for event in calendar.vevent_list:
        assert event.dtstamp.value.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    ("start", "change", "before", "after"),
    [(date(2027, 3, 9), SUMMER_2027, 3600, 7200), (date(2026, 10, 6), WINTER_2026, 7200, 3600)],
)
def test_the_vtimezone_changes_the_clock_at_the_real_instant(
    start: date, change: datetime, before: int, after: int
) -> None:
    calendar, _ = _volunteer_calendar(start)
    zone = calendar.vtimezone.gettzinfo()
    just_before = datetime.fromtimestamp(change.timestamp() - 1, UTC).astimezone(zone)
    assert just_before.utcoffset().total_seconds() == before
    assert change.astimezone(zone).utcoffset().total_seconds() == after


@pytest.mark.parametrize(
    ("start", "change", "hours_before", "hours_after"),
    # Tuesday 09:30 in Amsterdam: 08:30 UTC in winter, 07:30 UTC in summer.
    [
        (date(2027, 3, 9), SUMMER_2027, (8, 30), (7, 30)),
        (date(2026, 10, 6), WINTER_2026, (7, 30), (8, 30)),
    ],
)
def test_weekly_visits_keep_their_local_time_across_the_change(
    start: date, change: datetime, hours_before: tuple[int, int], hours_after: tuple[int, int]
) -> None:
    calendar, _ = _volunteer_calendar(start)
    series = next(e for e in calendar.vevent_list if e.uid.value.startswith("visits-"))
    visits = [v.astimezone(UTC) for v in series.getrruleset(addRDate=True)]
    assert len(visits) == 4
    assert any(v < change for v in visits) and any(v > change for v in visits)
    for visit in visits:
        expected = hours_before if visit < change else hours_after
        assert (visit.hour, visit.minute) == expected
        assert visit.weekday() == 1


def test_a_plan_with_nothing_planned_has_no_calendars() -> None:
    round_ = round_of(
        [volunteer("V1", slots=["tue-morning"])], [family("F1", slots=["mon-morning"])]
    )
    plan = plan_round(round_, solve(round_).proposals, date(2027, 3, 9))
    assert plan.introductions == [] and calendars(plan) == {}
