"""The ``VTIMEZONE`` block of a calendar file, from the system's time zone data (``zoneinfo``).

Calendar programs that do not know a ``TZID`` by name (Outlook among them) read the zone's rules
from this block. Each change between standard and summer time in the years the calendar covers
gets its own observance, whose ``DTSTART`` is the local clock time just before the change (in the
``TZOFFSETFROM`` offset), as RFC 5545 section 3.6.5 asks.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

_DAY = timedelta(days=1)


def vtimezone(zone: ZoneInfo, first: date, last: date) -> Timezone:
    """The ``VTIMEZONE`` of ``zone`` valid from 1 January of ``first``'s year to 31 December
    of ``last``'s year: the offset in force then, and every change in between."""
    start = datetime(first.year, 1, 1, tzinfo=UTC)
    end = datetime(last.year + 1, 1, 1, tzinfo=UTC)
    component = Timezone()
    component.add("tzid", zone.key)
    component.add_component(_observance(zone, start, _offset(zone, start)))
    moment = start
    while moment < end:
        after = moment + _DAY
        if _offset(zone, after) != _offset(zone, moment):
            change = _change(zone, moment, after)
            component.add_component(_observance(zone, change, _offset(zone, moment)))
        moment = after
    return component


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    return moment.astimezone(zone).utcoffset() or timedelta(0)


def _change(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The first second at which the offset differs from the one at ``before``."""
    old = _offset(zone, before)
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        middle = middle.replace(microsecond=0)
        if _offset(zone, middle) == old:
            before = middle
        else:
            after = middle
    return after


def _observance(
    zone: ZoneInfo, moment: datetime, offset_from: timedelta
) -> TimezoneStandard | TimezoneDaylight:
    """The observance that starts at ``moment`` (UTC), after ``offset_from``."""
    local = moment.astimezone(zone)
    summer = bool(local.dst())
    observance = TimezoneDaylight() if summer else TimezoneStandard()
    observance.add("dtstart", (moment + offset_from).replace(tzinfo=None))
    observance.add("tzoffsetfrom", offset_from)
    observance.add("tzoffsetto", _offset(zone, moment))
    observance.add("tzname", local.tzname())
    return observance
