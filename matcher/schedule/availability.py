"""Dated half-days: who is free on a given date and part of the day.

A person is free on a dated half-day when its weekday and part are among their weekly slots, it
is not a Dutch public holiday (the ``holidays`` package, ``NL``), and they are not absent. Visits
also pause in the round's school holidays.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import cache

import holidays

from matcher.domain.round import Round
from matcher.domain.slots import DAYS, PARTS

PART_TIMES = {
    "morning": (time(9, 30), time(12, 0)),
    "afternoon": (time(13, 30), time(16, 0)),
    "evening": (time(19, 0), time(21, 0)),
}
"""Start and end (local time) of each part of the day, for calendar events and the workbook."""


@dataclass(frozen=True, order=True)
class HalfDay:
    """A date and a part of the day."""

    day: date
    part: str

    @property
    def slot(self) -> str:
        """The weekly slot this half-day falls in, e.g. ``tue-morning``."""
        return f"{DAYS[self.day.weekday()]}-{self.part}"


@cache
def public_holidays(year: int) -> dict[date, str]:
    """Dutch public holidays of a year, by date."""
    return {day: str(name) for day, name in holidays.country_holidays("NL", years=year).items()}


def holiday_name(day: date) -> str | None:
    """The public holiday on ``day``, if any."""
    return public_holidays(day.year).get(day)


class Availability:
    """Answers "is this person free then?" for a round's people, with the reason when not."""

    def __init__(self, round_: Round) -> None:
        self._absent: dict[str, list[tuple[date, date]]] = defaultdict(list)
        for absence in round_.absences:
            self._absent[absence.person_id].append((absence.start, absence.end))
        self._school = [(p.start, p.end, p.name) for p in round_.school_holidays]

    def blocked(self, person_id: str, day: date) -> str | None:
        """Why ``person_id`` cannot meet on ``day`` (holiday or absence), or None."""
        name = holiday_name(day)
        if name is not None:
            return f"public holiday ({name})"
        if any(start <= day <= end for start, end in self._absent[person_id]):
            return f"{person_id} is away"
        return None

    def school_holiday(self, day: date) -> str | None:
        """The school holiday ``day`` falls in, if any."""
        return next((name for start, end, name in self._school if start <= day <= end), None)


def half_days(start: date, weeks: int) -> list[HalfDay]:
    """Every dated half-day from ``start`` for ``weeks`` weeks, in time order."""
    return [
        HalfDay(start + timedelta(days=offset), part)
        for offset in range(7 * weeks)
        for part in PARTS
    ]
