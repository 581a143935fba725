"""Volunteers and families as the engine sees them: pseudonymous ids and only the facts matching
needs (no names, addresses or case notes)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from matcher.domain.frozen import Frozen
from matcher.domain.slots import SlotList
from matcher.domain.vocab import (
    DEFAULT_TRAVEL_KM,
    AgeGroup,
    ClosureReason,
    FamilyStatus,
    Gender,
    LanguageCode,
    Strength,
    Theme,
    ThemePriority,
    TravelMode,
    VolunteerStatus,
)
from matcher.geo.bounds import coordinate_problem

POSTCODE_PATTERN = re.compile(r"^([1-9][0-9]{3})\s?([A-Z]{2})?$")


def split_list(value: object) -> object:
    """Let a list be written as one string separated by spaces, commas or semicolons."""
    if isinstance(value, str):
        return [part for part in re.split(r"[\s,;]+", value) if part]
    return value


def _normalise_postcode(value: object) -> object:
    if not isinstance(value, str):
        return value
    text = value.strip().upper()
    if text == "":
        return None
    match = POSTCODE_PATTERN.match(text)
    if match is None:
        raise ValueError(f"invalid Dutch postcode {value!r}: use '1234' or '1234 AB'")
    return match.group(1) + (match.group(2) or "")


def _not_personal(value: object) -> object:
    """Refuse an id that looks like an e-mail address, a phone number or a citizen service
    number (BSN): records are keyed by the case system's pseudonymous id, never by those."""
    if not isinstance(value, str):
        return value
    if "@" in value:
        raise ValueError("looks like an e-mail address: use the case system's pseudonymous id")
    digits = re.sub(r"[\s.()-]", "", value)
    if re.fullmatch(r"(?:\+|00)31\d{9}|0\d{9}", digits):
        raise ValueError("looks like a phone number: use the case system's pseudonymous id")
    if re.fullmatch(r"\d{9}", digits) and is_bsn(digits):
        raise ValueError(
            "looks like a citizen service number (BSN): use the case system's pseudonymous id"
        )
    return value


def is_bsn(digits: str) -> bool:
    """Whether nine digits pass the BSN eleven-test (9*d1 + 8*d2 + ... + 2*d8 - d9 is a
    multiple of 11)."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


Id = Annotated[
    str,
    BeforeValidator(_not_personal),
    Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"),
]
"""A pseudonymous id from the case system: letters, digits and ``._:-``, at most 64 characters,
and nothing that looks like an e-mail address, a phone number or a BSN."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula."""


def _plain(value: str) -> str:
    """Refuse text a spreadsheet or a web page would read as a formula or markup."""
    if value.startswith(FORMULA_STARTS):
        raise ValueError(f"may not start with {value[0]!r} (a spreadsheet reads it as a formula)")
    if any(char in "<>" or (ord(char) < 32 and char != "\n") for char in value):
        raise ValueError("may not hold <, > or control characters")
    return value


Label = Annotated[str, Field(min_length=1, max_length=60), AfterValidator(_plain)]
"""A short name such as a school holiday's: at most 60 characters, no markup or formula."""

Text = Annotated[str, Field(max_length=2_000), AfterValidator(_plain)]
"""A sentence the engine wrote (a reason, a message), read back from a result file."""

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2099, 12, 31)
Day = Annotated[date, Field(ge=EARLIEST_DAY, le=LATEST_DAY)]
"""A date in people's lives and plans: 1900 to 2099 (a mistyped year is refused, not solved)."""

Postcode = Annotated[str | None, BeforeValidator(_normalise_postcode)]
"""A Dutch postcode, normalised to ``1234`` or ``1234AB``."""


class _Located(Frozen):
    """Where someone lives: a Dutch postcode, or latitude and longitude (which then win)."""

    postcode: Postcode = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _needs_a_location(self) -> _Located:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give both latitude and longitude, or neither")
        if self.postcode is None and self.latitude is None:
            raise ValueError("a postcode or latitude/longitude is required")
        if self.latitude is not None and self.longitude is not None:
            problem = coordinate_problem(self.latitude, self.longitude, self.postcode)
            if problem is not None:
                raise ValueError(problem)
        return self


class Volunteer(_Located):
    """A trained volunteer who can visit families."""

    id: Id
    languages: Annotated[tuple[LanguageCode, ...], BeforeValidator(split_list)] = Field(
        min_length=1
    )
    slots: SlotList = ()
    capacity: int = Field(default=1, ge=1, le=3, description="families at once (1-3)")
    max_travel_km: float | None = Field(
        default=None, gt=0, le=500, description="hard travel limit; defaults by travel mode"
    )
    travel_mode: TravelMode = TravelMode.BIKE
    age_groups: Annotated[tuple[AgeGroup, ...], BeforeValidator(split_list)] = ()
    themes: Annotated[tuple[Theme, ...], BeforeValidator(split_list)] = ()
    gender: Gender = Gender.UNSPECIFIED
    smokes: bool = False
    has_pets: bool = False
    training_complete: bool
    vog_complete: bool = Field(description="certificate of conduct (VOG) received")
    status: VolunteerStatus = VolunteerStatus.ACTIVE
    paused_until: Day | None = Field(
        default=None, description="a paused volunteer takes families again from this day"
    )
    stopped_on: Day | None = Field(default=None, description="the day the volunteer stopped")

    @model_validator(mode="after")
    def _dates_fit_the_status(self) -> Volunteer:
        if self.paused_until is not None and self.status != VolunteerStatus.PAUSED:
            raise ValueError("paused_until is only for a paused volunteer (status paused)")
        if self.stopped_on is not None and self.status != VolunteerStatus.STOPPED:
            raise ValueError("stopped_on is only for a volunteer who stopped (status stopped)")
        return self

    def takes_families_on(self, day: date) -> bool:
        """Whether the volunteer may be proposed to a new family on ``day``: active, or paused
        with a pause that has ended by then."""
        if self.status == VolunteerStatus.PAUSED:
            return self.paused_until is not None and self.paused_until <= day
        return self.status == VolunteerStatus.ACTIVE

    def status_text(self) -> str:
        """The status for people: "active", "paused until 2027-03-01", "stopped on ..."."""
        if self.status == VolunteerStatus.PAUSED:
            return f"paused until {self.paused_until}" if self.paused_until else "paused"
        if self.status == VolunteerStatus.STOPPED and self.stopped_on is not None:
            return f"stopped on {self.stopped_on}"
        return str(self.status)

    @property
    def travel_limit_km(self) -> float:
        """The volunteer's own travel limit: ``max_travel_km``, or the travel mode's default."""
        return (
            self.max_travel_km
            if self.max_travel_km is not None
            else DEFAULT_TRAVEL_KM[self.travel_mode]
        )


class Child(Frozen):
    """A child of the family: a birth date, or an age in years when the date is not shared."""

    birth_date: Day | None = None
    age_years: float | None = Field(default=None, ge=0, lt=25)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip().lower().removesuffix("y")
            return {"birth_date": text} if "-" in text else {"age_years": text}
        if isinstance(value, int | float):
            return {"age_years": value}
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> Child:
        if (self.birth_date is None) == (self.age_years is None):
            raise ValueError("give a birth_date or an age_years for each child")
        return self


class ThemeRequest(Frozen):
    """A question the parents want help with, and how much it matters to them."""

    theme: Theme
    priority: ThemePriority = ThemePriority.MEDIUM

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            theme, _, priority = value.partition(":")
            return {"theme": theme.strip(), "priority": priority.strip() or "medium"}
        return value


class Family(_Located):
    """A family waiting for a volunteer."""

    id: Id
    languages: Annotated[tuple[LanguageCode, ...], BeforeValidator(split_list)] = Field(
        default=(), description="home languages besides Dutch (or Dutch itself)"
    )
    speaks_dutch: bool = True
    slots: SlotList = ()
    children: Annotated[tuple[Child, ...], BeforeValidator(split_list)] = ()
    due_date: Day | None = Field(default=None, description="expected birth, for a pregnancy")
    themes: Annotated[tuple[ThemeRequest, ...], BeforeValidator(split_list)] = ()
    volunteer_gender: Gender | None = None
    volunteer_gender_rule: Strength = Strength.SOFT
    no_pets: Strength | None = None
    non_smoker: Strength | None = None
    registered: Day = Field(description="date the family first started waiting")
    rematch: bool = Field(default=False, description="re-opened after a match ended")
    waiting_since: Day | None = Field(
        default=None,
        description="start of the current wait when the family waits again after a match "
        "ended (default: registered)",
    )
    age_limit: int = Field(
        default=6, ge=1, le=18, description="programme age limit of the municipality"
    )
    coordinator: Id | None = Field(default=None, description="the family's coordinator")
    status: FamilyStatus = FamilyStatus.OPEN
    closed_on: Day | None = Field(default=None, description="the day the family was closed")
    closed_reason: ClosureReason | None = None

    @model_validator(mode="after")
    def _someone_to_support(self) -> Family:
        if not self.children and self.due_date is None:
            raise ValueError("a family needs children or a due_date")
        if not self.languages and not self.speaks_dutch:
            raise ValueError("a family that speaks no Dutch needs its home languages")
        return self

    @model_validator(mode="after")
    def _dates_fit_the_status(self) -> Family:
        if self.status == FamilyStatus.OPEN and (
            self.closed_on is not None or self.closed_reason is not None
        ):
            raise ValueError("closed_on and closed_reason are only for a closed family")
        if self.waiting_since is not None and self.waiting_since < self.registered:
            raise ValueError("waiting_since lies before registered")
        return self

    @property
    def closed(self) -> bool:
        """Whether the family's support was closed (it is never proposed again)."""
        return self.status == FamilyStatus.CLOSED

    @property
    def waiting_start(self) -> date:
        """Where the current wait began: ``waiting_since``, else ``registered``."""
        return self.waiting_since or self.registered

    def closed_text(self) -> str:
        """How the closure reads for people: "closed on 2026-11-30 (family_copes)"."""
        when = f" on {self.closed_on}" if self.closed_on else ""
        why = f" ({self.closed_reason})" if self.closed_reason else ""
        return f"closed{when}{why}"
