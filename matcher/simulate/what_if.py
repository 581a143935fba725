"""What-if scenarios: a starting situation, demand and recruitment over time, and levers to
compare against the baseline. Read from TOML (see ``scenarios/what-if.toml``).

A scenario file is user input: everything is checked when it is loaded, not when the run
reaches it (places, lever names), every size a user controls is bounded, and numbers must be
finite. Problems come back as an ``InputError`` naming the file and the field.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import (
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from matcher.domain.frozen import Frozen
from matcher.domain.round import Backend, Policy, Round, Weights
from matcher.domain.slots import Slot
from matcher.domain.vocab import LanguageCode
from matcher.io.problems import InputError, InputProblem, field_path, validation_problems
from matcher.io.rounds import load_round
from matcher.synthetic.generate import Area

MAX_WEEKS = 260  # five years
MAX_PEOPLE = 5_000  # volunteers or families at the start: more than the largest region
MAX_ARRIVALS = 20_000.0  # families a year: five times the national total
MAX_COHORT = 1_000
MAX_COHORTS = 100
MAX_LEVERS = 50
BASELINE_NAME = "baseline"


class _Model(Frozen):
    """A scenario model: frozen, strict, and every number finite."""

    model_config = ConfigDict(allow_inf_nan=False)


def _known_area(area: Area) -> Area:
    area.pc4_codes()  # ValueError naming the unknown place, province or postcode
    return area


class Cohort(_Model):
    """Newly trained volunteers who become available in a given week."""

    week: int = Field(ge=0, le=MAX_WEEKS)
    size: int = Field(ge=0, le=MAX_COHORT)
    language: LanguageCode | None = Field(
        default=None, description="a language they all speak besides Dutch"
    )
    places: tuple[str, ...] = Field(
        default=(), max_length=100, description="where they live (default: the area)"
    )
    extra_slots: tuple[Slot, ...] = Field(default=(), description="half-days they all offer")

    @field_validator("places")
    @classmethod
    def _known_places(cls, places: tuple[str, ...]) -> tuple[str, ...]:
        if places:
            _known_area(Area(places=places))
        return places


class Lever(_Model):
    """A change to compare against the baseline; every field left out changes nothing."""

    name: str = Field(min_length=1, max_length=120)
    cohorts: tuple[Cohort, ...] = Field(
        default=(), max_length=MAX_COHORTS, description="extra volunteers"
    )
    capacity_share: float = Field(
        default=0.0, ge=0, le=1, description="share of volunteers taking one more family"
    )
    extra_travel_km: float = Field(default=0.0, ge=0, le=100, description="wider travel radius")
    evening_share: float = Field(
        default=0.0, ge=0, le=1, description="share of volunteers adding weekday evenings"
    )
    cadence_weeks: int | None = Field(default=None, ge=1, le=13)
    backend: Backend | None = Field(
        default=None,
        description="how rounds are matched: flow or cpsat (the engine's optimum), or greedy "
        "(first come, first served, as coordinators match by hand)",
    )


class Simulation(_Model):
    """A what-if scenario: the defaults are the programme norm for one location."""

    area: Area
    start_date: date
    start_round: Round | None = Field(
        default=None,
        description="start from this round's volunteers, waiting families and active matches "
        "(in TOML: the path of a round file or folder) instead of generated ones",
    )
    horizon_weeks: int = Field(default=52, ge=1, le=MAX_WEEKS)
    volunteers: int = Field(default=24, ge=0, le=MAX_PEOPLE, description="volunteers at the start")
    active_share: float = Field(
        default=0.6, ge=0, le=1, description="share of them already supporting a family"
    )
    waiting_families: int = Field(
        default=4, ge=0, le=MAX_PEOPLE, description="families waiting at the start"
    )
    arrivals_per_year: float = Field(default=28, ge=0, le=MAX_ARRIVALS)
    intake_weeks: int = Field(
        default=1,
        ge=0,
        le=26,
        description="weeks from referral to the waiting list (the coordinator's intake visit); "
        "time to match counts from referral",
    )
    seasonality: tuple[Annotated[float, Field(ge=0, le=10)], ...] = Field(
        default=(1.0,) * 12, description="monthly multipliers of arrivals, January first"
    )
    support_weeks: tuple[
        Annotated[int, Field(le=MAX_WEEKS)],
        Annotated[int, Field(le=MAX_WEEKS)],
        Annotated[int, Field(le=MAX_WEEKS)],
    ] = Field(default=(17, 39, 78), description="support duration: minimum, mode and maximum weeks")
    churn_per_year: float = Field(
        default=0.23, ge=0, le=1, description="share of volunteers who stop in a year"
    )
    cohorts: tuple[Cohort, ...] = Field(default=(), max_length=MAX_COHORTS)
    cadence_weeks: int = Field(default=2, ge=1, le=13, description="weeks between rounds")
    withdraw_after_weeks: int | None = Field(
        default=26,
        ge=1,
        le=MAX_WEEKS,
        description="families still waiting this long give up (None: never)",
    )
    accept_share: float = Field(
        default=0.9, ge=0, le=1, description="share of proposals accepted at the introduction"
    )
    weights: Weights = Weights()
    policy: Policy = Policy()
    backend: Backend = Field(default=Backend.FLOW, description="how rounds are matched")
    replications: int = Field(default=20, ge=1, le=10_000)
    seed: int = Field(default=0, ge=0, le=2**63 - 1)
    levers: tuple[Lever, ...] = Field(default=(), max_length=MAX_LEVERS)

    @field_validator("area")
    @classmethod
    def _known(cls, area: Area) -> Area:
        return _known_area(area)

    @field_validator("weights")
    @classmethod
    def _finite_weights(cls, weights: Weights) -> Weights:
        for name, value in weights.model_dump().items():
            if not 0 <= value <= 1_000:
                raise ValueError(f"weight {name!r} must be a number from 0 to 1000, not {value}")
        return weights

    @field_validator("levers")
    @classmethod
    def _distinct_names(cls, levers: tuple[Lever, ...]) -> tuple[Lever, ...]:
        seen: dict[str, int] = {}
        for i, lever in enumerate(levers):
            key = " ".join(lever.name.split()).casefold()
            if key == BASELINE_NAME:
                raise ValueError(
                    f"lever {i} is named {lever.name!r}, like the baseline it is compared with"
                )
            if key in seen:
                raise ValueError(
                    f"levers {seen[key]} and {i} have the same name {lever.name!r}; "
                    "give every lever its own"
                )
            seen[key] = i
        return levers

    @model_validator(mode="after")
    def _consistent(self) -> Simulation:
        if len(self.seasonality) != 12:
            raise ValueError("seasonality needs 12 monthly multipliers")
        low, mode, high = self.support_weeks
        if not 1 <= low <= mode <= high:
            raise ValueError("support_weeks must be minimum <= mode <= maximum, at least 1")
        starts = [(f"cohorts.{i}", c) for i, c in enumerate(self.cohorts)] + [
            (f"levers.{i}.cohorts.{j}", c)
            for i, lever in enumerate(self.levers)
            for j, c in enumerate(lever.cohorts)
        ]
        for where, cohort in starts:
            if cohort.week >= self.horizon_weeks:
                raise ValueError(
                    f"{where}.week is {cohort.week}, after the horizon of "
                    f"{self.horizon_weeks} weeks (weeks count from 0)"
                )
        return self


def load_simulation(path: Path) -> Simulation:
    """Read a what-if scenario from TOML; ``InputError`` names the field of any problem."""
    name = str(path)
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise InputError([InputProblem(name, None, None, "no such file")]) from None
    except UnicodeDecodeError as error:
        message = f"not UTF-8 text (byte {error.start}); save the scenario as UTF-8"
        raise InputError([InputProblem(name, None, None, message)]) from None
    except tomllib.TOMLDecodeError as error:
        raise InputError([InputProblem(name, None, None, f"invalid TOML: {error}")]) from None
    if isinstance(data.get("start_round"), str):
        data["start_round"] = load_round(path.parent / data["start_round"])
    return simulation_of(data, name)


def simulation_of(data: dict[str, object], name: str) -> Simulation:
    """A what-if scenario from its parsed TOML or JSON (``name`` says where it came from in
    problems); ``InputError`` names the field of any problem."""
    try:
        return Simulation.model_validate(data)
    except ValidationError as error:
        raise InputError(
            validation_problems(
                error, lambda loc, message: InputProblem(name, None, field_path(loc), message)
            )
        ) from None
