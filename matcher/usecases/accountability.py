"""Use case: the figures a location gives a municipality that commissions the programme, per
quarter or year, computed from the round as stored and its decision log (pure: no store).

Definitions (the lifecycle of the programme: waiting → proposal → introduction → active → closed):

- A family's **municipality** is the place of its postcode in the package's PC4 table
  (GeoNames' place: the municipality or, for a municipality of several villages, the village; the
  table carries no separate municipality column). Families known only by coordinates are in none.
- A **match** runs from the day its proposal was accepted (an ``accept`` line of the decision log)
  to the day it ended (an ``end`` line's effective date). A running match of the round with no
  ``accept`` line began before the log did: it counts as running since before every period.
- **Registered**: the family's ``registered`` date lies in the period.
- **Supported**: the family had a running match (weekly visits after an accepted introduction) on
  at least one day of the period. Waiting or being proposed is not support.
- **Matched**: a match of the family began in the period.
- **Waiting at the end**: registered by the period's last day, not closed by then, and no match
  running on that day.
- **Closed**: ``closed_on`` lies in the period, counted by ``closed_reason``.
- **Wait to a match**: for each match that began in the period, the weeks from the start of that
  wait (the end of the family's previous match, else ``waiting_since`` when it lies before the
  match, else ``registered``) to the match's first day. The median is the middle value (the mean
  of the two middle ones for an even count); p90 is the nearest rank: the smallest wait that at
  least 90 % of the waits do not exceed.
- **Volunteers active**: volunteers with a running match with a family of the municipality in the
  period; **new**: those of them whose first match of all (in the log) began in the period. The
  round holds no training dates, so "new" means new to families, not newly trained.
- **Home languages reached**: the languages besides Dutch of the supported families.

Counts of 1 to 4 families or volunteers could identify them: they are reported as suppressed
(``Count.value`` is None), and so are the wait figures when fewer than 5 matches began. When
one reason of closure is suppressed, so is the smallest other (the total would give it away).
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import Field

from matcher.domain.frozen import Frozen
from matcher.domain.people import Family
from matcher.domain.round import Round
from matcher.domain.vocab import ClosureReason
from matcher.geo.postcodes import locate
from matcher.lifecycle.decisions import Action, DecisionRecord

SMALLEST_SHOWN = 5
"""Counts from 1 up to this (exclusive) are suppressed."""
PERIOD = re.compile(r"^(?P<year>20\d\d)(?:-[Qq](?P<quarter>[1-4]))?$")


class PeriodError(ValueError):
    """A period that is not written as ``2026`` or ``2026-Q3``."""


@dataclass(frozen=True)
class Period:
    """A quarter or a year: its first and last day, and its name (``2026-Q3``, ``2026``)."""

    name: str
    first: date
    last: date

    def holds(self, day: date) -> bool:
        return self.first <= day <= self.last


def parse_period(text: str) -> Period:
    """The period ``2026`` (a year) or ``2026-Q3`` (a quarter); ``PeriodError`` otherwise."""
    found = PERIOD.match(text.strip())
    if found is None:
        raise PeriodError(f"{text!r} is not a period: write a year (2026) or a quarter (2026-Q3)")
    year = int(found["year"])
    if found["quarter"] is None:
        return Period(str(year), date(year, 1, 1), date(year, 12, 31))
    quarter = int(found["quarter"])
    first = date(year, 3 * quarter - 2, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return Period(f"{year}-Q{quarter}", first, after - timedelta(days=1))


def municipality_of(family: Family) -> str | None:
    """The municipality (place) of the family's postcode; None without a known postcode."""
    if family.postcode is None:
        return None
    area = locate(family.postcode)
    return area.place if area is not None else None


def municipalities(round_: Round) -> list[str]:
    """The municipalities the round's families live in, sorted."""
    return sorted({m for f in round_.families if (m := municipality_of(f)) is not None})


class Count(Frozen):
    """A number of families or volunteers; from 1 to 4 it is suppressed (``value`` is None)."""

    value: int | None = Field(description="the count; null when suppressed")
    suppressed: bool = Field(description="true for 1 to 4: shown as '< 5'")


def count(number: int) -> Count:
    """``number`` as it may be published."""
    if 0 < number < SMALLEST_SHOWN:
        return Count(value=None, suppressed=True)
    return Count(value=number, suppressed=False)


def counts_of_a_total(numbers: Sequence[int]) -> list[Count]:
    """The parts of a published total: when exactly one part is suppressed, the smallest other
    part is suppressed too, so that the total minus the shown parts cannot give it away."""
    shown = [count(number) for number in numbers]
    hidden = [i for i, c in enumerate(shown) if c.suppressed]
    if len(hidden) == 1:
        others = [i for i, c in enumerate(shown) if not c.suppressed and numbers[i] > 0]
        if others:
            smallest = min(others, key=lambda i: numbers[i])
            shown[smallest] = Count(value=None, suppressed=True)
    return shown


class ReasonCount(Frozen):
    """Families closed for one reason (``null``: no reason recorded)."""

    reason: ClosureReason | None
    families: Count


class LanguageCount(Frozen):
    """Supported families with a home language (ISO 639 code)."""

    language: str
    families: Count


class Accountability(Frozen):
    """The figures of one municipality in one period (see the module for each definition)."""

    municipality: str
    period: str
    first_day: date
    last_day: date
    families_registered: Count
    families_supported: Count
    families_matched: Count
    families_waiting_at_end: Count
    families_closed: Count
    closed_by_reason: list[ReasonCount]
    matches_started: Count
    wait_weeks_median: float | None = Field(
        description="weeks from the start of a wait to the match; null when suppressed or none"
    )
    wait_weeks_p90: float | None
    wait_suppressed: bool = Field(description="true when fewer than 5 matches began")
    volunteers_active: Count
    volunteers_new: Count
    home_languages: list[LanguageCount]


@dataclass(frozen=True)
class Spell:
    """One match: its family, volunteer, first day (None: before the log) and end (None: runs)."""

    family_id: str
    volunteer_id: str
    start: date | None
    end: date | None

    def runs_during(self, first: date, last: date) -> bool:
        return (self.start is None or self.start <= last) and (
            self.end is None or self.end >= first
        )

    def runs_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or self.end > day)


def spells(round_: Round, decisions: Sequence[DecisionRecord]) -> list[Spell]:
    """Every match the log and the round know of, in the order they began. An accepted match
    that is neither running nor ended in the log (its family erased) is left out."""
    begun: dict[str, tuple[str, date]] = {}
    found: list[Spell] = []
    for line in decisions:
        day = line.effective_date or line.time.date()
        if line.action == Action.ACCEPT:
            begun[line.family_id] = (line.volunteer_id, day)
        elif line.action == Action.END:
            volunteer, start = begun.pop(line.family_id, (line.volunteer_id, None))
            found.append(Spell(line.family_id, volunteer, start, day))
    for match in round_.active_matches:
        volunteer, start = begun.get(match.family_id, (match.volunteer_id, None))
        known = start if volunteer == match.volunteer_id else None
        found.append(Spell(match.family_id, match.volunteer_id, known, None))
    return sorted(found, key=lambda s: (s.start or date.min, s.family_id))


def _wait_weeks(family: Family, spell: Spell, earlier: list[Spell]) -> float:
    """Weeks from the start of the wait that ``spell`` ended to its first day."""
    assert spell.start is not None
    ends = [s.end for s in earlier if s.end is not None and s.end <= spell.start]
    if ends:
        since = max(ends)
    elif family.waiting_since is not None and family.waiting_since <= spell.start:
        since = family.waiting_since
    else:
        since = family.registered
    return (spell.start - since).days / 7


def p90(values: Sequence[float]) -> float:
    """The nearest-rank 90th percentile: the smallest value at least 90 % do not exceed."""
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def accountability(
    round_: Round, decisions: Sequence[DecisionRecord], municipality: str, period: Period
) -> Accountability:
    """The figures of ``municipality`` (a place of the PC4 table, any case) in ``period``."""
    wanted = municipality.strip().casefold()
    families = {f.id: f for f in round_.families if (municipality_of(f) or "").casefold() == wanted}
    names = {municipality_of(f) or "" for f in families.values()}
    every = spells(round_, decisions)
    theirs = [s for s in every if s.family_id in families]
    supported = [s for s in theirs if s.runs_during(period.first, period.last)]
    started = [s for s in theirs if s.start is not None and period.holds(s.start)]
    waits = [
        _wait_weeks(
            families[s.family_id], s, [e for e in theirs if e.family_id == s.family_id and e != s]
        )
        for s in started
    ]
    running_at_end = {s.family_id for s in theirs if s.runs_on(period.last)}
    waiting = [
        f
        for f in families.values()
        if f.registered <= period.last
        and f.id not in running_at_end
        and not (f.closed and (f.closed_on is None or f.closed_on <= period.last))
    ]
    closed = [f for f in families.values() if f.closed_on is not None and period.holds(f.closed_on)]
    reasons = Counter(f.closed_reason for f in closed)
    ordered_reasons = sorted(reasons.items(), key=lambda item: str(item[0] or ""))
    active = {s.volunteer_id for s in supported}
    first_match: dict[str, date | None] = {}
    for s in every:
        known = first_match.get(s.volunteer_id, date.max)
        first_match[s.volunteer_id] = (
            None if s.start is None or known is None else min(known, s.start)
        )
    new = {v for v in active if (day := first_match.get(v)) is not None and period.holds(day)}
    languages = Counter(
        language
        for family_id in {s.family_id for s in supported}
        for language in families[family_id].languages
        if language != "nl"
    )
    shown_waits = len(waits) >= SMALLEST_SHOWN
    return Accountability(
        municipality=next(iter(names), municipality.strip()),
        period=period.name,
        first_day=period.first,
        last_day=period.last,
        families_registered=count(sum(period.holds(f.registered) for f in families.values())),
        families_supported=count(len({s.family_id for s in supported})),
        families_matched=count(len({s.family_id for s in started})),
        families_waiting_at_end=count(len(waiting)),
        families_closed=count(len(closed)),
        closed_by_reason=[
            ReasonCount(reason=reason, families=shown)
            for (reason, _), shown in zip(
                ordered_reasons,
                counts_of_a_total([number for _, number in ordered_reasons]),
                strict=True,
            )
        ],
        matches_started=count(len(started)),
        wait_weeks_median=round(statistics.median(waits), 1) if shown_waits else None,
        wait_weeks_p90=round(p90(waits), 1) if shown_waits else None,
        wait_suppressed=0 < len(waits) < SMALLEST_SHOWN,
        volunteers_active=count(len(active)),
        volunteers_new=count(len(new)),
        home_languages=[
            LanguageCount(language=language, families=count(number))
            for language, number in sorted(languages.items(), key=lambda item: (-item[1], item[0]))
        ],
    )
