"""A matching round as the user supplies it: people, locked and forbidden pairs, and settings."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from matcher.domain.frozen import Frozen
from matcher.domain.people import Day, Family, Id, Label, Volunteer
from matcher.domain.slots import Slot, SlotList

MAX_PEOPLE = 20_000
"""Volunteers, and families, in one round (the whole country has about 3,000 and 4,000)."""
MAX_RECORDS = 100_000
"""Entries of any other list of a round."""
MAX_WEIGHT = 1_000.0
"""The largest weight of a quality term (weights are relative: 1 and 2 are typical)."""
MAX_SEED = 2**31 - 1
"""CP-SAT's random seed is a 32-bit signed integer."""
EARLIEST_ROUND = date(2000, 1, 1)
LATEST_ROUND = date(2099, 12, 31)


class ActiveMatch(Frozen):
    """A running match: it keeps one unit of the volunteer's capacity and its weekly slot."""

    family_id: Id
    volunteer_id: Id
    slot: Slot


class Coordinator(Frozen):
    """A coordinator who holds introduction meetings in their free weekly half-days."""

    id: Id
    slots: SlotList = ()
    meetings_per_week: int = Field(default=3, ge=1, le=20)


class _DateRange(Frozen):
    start: Day
    end: Day

    @model_validator(mode="after")
    def _ends_after_start(self) -> _DateRange:
        if self.end < self.start:
            raise ValueError(f"the range ends ({self.end}) before it starts ({self.start})")
        return self


class Absence(_DateRange):
    """A volunteer, family or coordinator away from ``start`` to ``end`` (both included)."""

    person_id: Id


class Period(_DateRange):
    """A named date range, such as a school holiday (both ends included)."""

    name: Label


class Pair(Frozen):
    """A family-volunteer pair that must never be proposed (declined, or an exclusion)."""

    family_id: Id
    volunteer_id: Id


BASE_PRIORITY = 100
"""Points every matched family is worth; waiting and re-match points stay below it."""


QUALITY_TERMS = ("language", "distance", "availability", "child_ages", "themes", "preferences")
"""The quality terms of a pair, in report order: the one list. ``Weights`` and the result's
``ScoreBreakdown`` have a field for each, ``scoring.terms.TERMS`` a function for each, and the
result files and the report a column for each (a test checks that they agree)."""


class Weights(Frozen):
    """Relative weights of the quality terms (each term is in 0..1), and the priority points that
    rank families in the first objective level. A term with weight 0 is ignored."""

    language: float = Field(default=1.0, ge=0, le=MAX_WEIGHT)
    distance: float = Field(default=2.0, ge=0, le=MAX_WEIGHT)
    availability: float = Field(default=1.0, ge=0, le=MAX_WEIGHT)
    child_ages: float = Field(default=1.0, ge=0, le=MAX_WEIGHT)
    themes: float = Field(default=2.0, ge=0, le=MAX_WEIGHT)
    preferences: float = Field(default=1.0, ge=0, le=MAX_WEIGHT)
    points_per_week_waiting: int = Field(default=1, ge=0, le=99)
    max_weeks_counted: int = Field(default=52, ge=0, le=52)
    rematch_points: int = Field(default=40, ge=0, le=99)

    @model_validator(mode="after")
    def _count_comes_first(self) -> Weights:
        bonus = self.points_per_week_waiting * self.max_weeks_counted + self.rematch_points
        if bonus >= BASE_PRIORITY:
            raise ValueError(
                f"waiting and re-match points may add at most {BASE_PRIORITY - 1} "
                f"(got {bonus}), so that matching more families always comes first"
            )
        return self

    def family_priority(self, weeks_waiting: int, rematch: bool) -> int:
        """Priority points of a family: 100, plus points for waiting, plus the re-match bonus."""
        counted = min(max(weeks_waiting, 0), self.max_weeks_counted)
        return (
            BASE_PRIORITY
            + counted * self.points_per_week_waiting
            + (self.rematch_points if rematch else 0)
        )


class SamePlaceRule(StrEnum):
    """When a family and a volunteer live too close to know each other."""

    OFF = "off"
    STREET = "street"  # the same six-character postcode (1234 AB)
    AREA = "area"  # the same four-digit postcode area


class Policy(Frozen):
    """Switches and limits for the hard rules."""

    require_common_language: bool = Field(
        default=True,
        description="a pair must share a language (Dutch counts when the family speaks it)",
    )
    enforce_travel_limit: bool = Field(
        default=True, description="a volunteer's maximum travel distance is hard"
    )
    max_distance_km: float | None = Field(
        default=None,
        gt=0,
        le=1_000,
        description="a limit for everyone, on top of each volunteer's own",
    )
    enforce_age_limit: bool = Field(
        default=True, description="only families within the programme's age limit are matched"
    )
    min_pregnancy_weeks: int = Field(default=28, ge=0, le=40)
    require_training_and_vog: bool = True
    same_place: SamePlaceRule = SamePlaceRule.STREET
    availability_saturation: int = Field(
        default=3, ge=1, le=21, description="shared half-days at which availability scores 1"
    )
    min_quality: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="a pair whose quality (0..1) is below this is not proposed (0: off)",
    )

    def travel_limit_km(self, volunteer: Volunteer) -> float:
        """The volunteer's hard travel limit under this policy (their own, capped by
        ``max_distance_km``)."""
        own = volunteer.travel_limit_km
        return own if self.max_distance_km is None else min(own, self.max_distance_km)


class Backend(StrEnum):
    """``flow``: exact min-cost flow (the default); ``cpsat``: the same model in CP-SAT;
    ``greedy``: first come, first served, as coordinators match by hand (feasible, no proof)."""

    FLOW = "flow"
    CPSAT = "cpsat"
    GREEDY = "greedy"


class SolverSettings(Frozen):
    backend: Backend = Backend.FLOW
    time_limit_s: float = Field(default=60.0, gt=0, le=86_400)
    deterministic_limit: float | None = Field(
        default=None,
        gt=0,
        le=86_400,
        description="CP-SAT's deterministic time budget (work units, roughly seconds): a solve "
        "it cuts short gives the same result on every machine (with workers=1)",
    )
    workers: int = Field(default=1, ge=1, le=64)
    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    shortlist_size: int = Field(default=3, ge=0, le=20)
    stability_margin: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="on a re-solve with the previous result, a previous proposal is kept "
        "unless changing it matches more families or gains more than this much quality (0..1) "
        "per kept pair",
    )


class Round(Frozen):
    """Everything one matching round needs. Cross-references are checked by ``prepare``."""

    reference_date: date = Field(
        default_factory=date.today,
        ge=EARLIEST_ROUND,
        le=LATEST_ROUND,
        description="the day the round is run (ages, waiting time)",
    )
    volunteers: tuple[Volunteer, ...] = Field(default=(), max_length=MAX_PEOPLE)
    families: tuple[Family, ...] = Field(default=(), max_length=MAX_PEOPLE)
    active_matches: tuple[ActiveMatch, ...] = Field(default=(), max_length=MAX_RECORDS)
    declined_pairs: tuple[Pair, ...] = Field(default=(), max_length=MAX_RECORDS)
    exclusions: tuple[Pair, ...] = Field(default=(), max_length=MAX_RECORDS)
    coordinators: tuple[Coordinator, ...] = Field(default=(), max_length=MAX_RECORDS)
    absences: tuple[Absence, ...] = Field(default=(), max_length=MAX_RECORDS)
    school_holidays: tuple[Period, ...] = Field(
        default=(),
        max_length=MAX_RECORDS,
        description="periods without visits (the region's school holidays)",
    )
    weights: Weights = Weights()
    policy: Policy = Policy()
    solver: SolverSettings = SolverSettings()

    @model_validator(mode="before")
    @classmethod
    def _not_too_many(cls, data: Any) -> Any:
        """Refuse an oversized round before validating its people one by one."""
        if isinstance(data, dict):
            for name in ("volunteers", "families"):
                people = data.get(name)
                if isinstance(people, list | tuple) and len(people) > MAX_PEOPLE:
                    raise ValueError(
                        f"a round holds at most {MAX_PEOPLE:,} {name} (got {len(people):,}): "
                        "split it by area or coordinator"
                    )
        return data
