"""The plan as iCalendar files (``icalendar``): one per coordinator (introductions) and one per
volunteer (introductions and weekly visits as a recurring event with exceptions). Events carry
ids only: no names, no addresses. Times are local (``TZID=Europe/Amsterdam``) and every file
carries that zone's ``VTIMEZONE``, which strict programs such as Outlook need."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from matcher.schedule.availability import PART_TIMES
from matcher.schedule.plan import Introduction, MovedVisit, Plan, VisitSeries
from matcher.schedule.timezone import vtimezone

ZONE = ZoneInfo("Europe/Amsterdam")
PRODUCT = "-//matcher//home-visit plan//EN"


def calendars(plan: Plan) -> dict[str, bytes]:
    """An ``.ics`` file's bytes per person: ``coordinator-<id>`` and ``volunteer-<id>``."""
    owners: dict[str, list[Event]] = {}
    for intro in plan.introductions:
        event = _introduction(intro)
        owners.setdefault(f"volunteer-{intro.volunteer_id}", []).append(event)
        if intro.coordinator_id is not None:
            owners.setdefault(f"coordinator-{intro.coordinator_id}", []).append(
                _introduction(intro)
            )
    for series in plan.visits:
        events = owners.setdefault(f"volunteer-{series.volunteer_id}", [])
        events.append(_visits(series))
        events.extend(_moved(series, moved) for moved in series.moved)
    if not owners:
        return {}
    days = [i.day for i in plan.introductions] + [s.review for s in plan.visits]
    zone = vtimezone(ZONE, min(days), max(days))
    files = {}
    for owner, events in sorted(owners.items()):
        calendar = Calendar()
        calendar.add("prodid", PRODUCT)
        calendar.add("version", "2.0")
        calendar.add_component(zone)
        for event in events:
            calendar.add_component(event)
        files[owner] = calendar.to_ical()
    return files


def _at(day: date, part: str, which: int) -> datetime:
    return datetime.combine(day, PART_TIMES[part][which], tzinfo=ZONE)


def _introduction(intro: Introduction) -> Event:
    event = Event()
    event.add("uid", f"intro-{intro.family_id}-{intro.volunteer_id}@matcher")
    event.add("dtstamp", _at(intro.day, intro.part, 0).astimezone(UTC))
    event.add(
        "summary", f"Introduction: family {intro.family_id} and volunteer {intro.volunteer_id}"
    )
    event.add("dtstart", _at(intro.day, intro.part, 0))
    event.add("dtend", _at(intro.day, intro.part, 1))
    return event


def _visits(series: VisitSeries) -> Event:
    part = series.slot.split("-")[1]
    event = Event()
    event.add("uid", f"visits-{series.family_id}-{series.volunteer_id}@matcher")
    event.add("dtstamp", _at(series.first, part, 0).astimezone(UTC))
    event.add("summary", f"Home visit: family {series.family_id}")
    event.add("dtstart", _at(series.first, part, 0))
    event.add("dtend", _at(series.first, part, 1))
    last = _at(series.review - timedelta(weeks=1), part, 0)  # the last visit before the review
    event.add("rrule", {"freq": "weekly", "until": last.astimezone(UTC)})
    for day in [s.day for s in series.skipped] + [m.day for m in series.moved]:
        event.add("exdate", _at(day, part, 0))
    return event


def _moved(series: VisitSeries, moved: MovedVisit) -> Event:
    event = Event()
    event.add("uid", f"visit-{series.family_id}-{series.volunteer_id}-{moved.day}@matcher")
    event.add("dtstamp", _at(moved.to_day, moved.to_part, 0).astimezone(UTC))
    event.add("summary", f"Home visit: family {series.family_id} (moved: {moved.reason})")
    event.add("dtstart", _at(moved.to_day, moved.to_part, 0))
    event.add("dtend", _at(moved.to_day, moved.to_part, 1))
    return event
