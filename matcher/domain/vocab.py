"""The fixed vocabularies of the domain: age groups, parent themes, genders, travel modes,
languages (ISO 639 codes)."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Annotated

import pycountry
from pydantic import AfterValidator, BeforeValidator


class AgeGroup(StrEnum):
    """Child age groups volunteers may have experience with (ages in whole years)."""

    PREGNANCY = "pregnancy"
    BABY = "0-1"
    TODDLER = "1-4"
    PRESCHOOL = "4-6"
    SCHOOL = "6-12"
    TEEN = "12-18"


AGE_GROUP_UPPER_YEARS: dict[AgeGroup, float] = {
    AgeGroup.BABY: 1,
    AgeGroup.TODDLER: 4,
    AgeGroup.PRESCHOOL: 6,
    AgeGroup.SCHOOL: 12,
    AgeGroup.TEEN: 18,
}


def age_group_of(age_years: float) -> AgeGroup:
    """The age group of a born child of the given age (18 and over counts as a teenager)."""
    for group, upper in AGE_GROUP_UPPER_YEARS.items():
        if age_years < upper:
            return group
    return AgeGroup.TEEN


class Theme(StrEnum):
    """The parents' stated questions, matched against volunteers' experience."""

    CRYING_SLEEP = "crying_sleep"
    FEEDING = "feeding"
    LIMITS_BEHAVIOUR = "limits_behaviour"
    DEVELOPMENT = "development"
    STRESS_OVERLOAD = "stress_overload"
    POSTNATAL_DEPRESSION = "postnatal_depression"
    MULTIPLES = "multiples"
    SEVERAL_YOUNG_CHILDREN = "several_young_children"
    SINGLE_PARENT = "single_parent"
    DIVORCE = "divorce"
    SMALL_NETWORK = "small_network"
    RECENTLY_MOVED = "recently_moved"
    LOCAL_SERVICES = "local_services"
    STRUCTURE_PLANNING = "structure_planning"
    MONEY_WORRIES = "money_worries"
    MIGRATION_INTEGRATION = "migration_integration"
    PREGNANCY_FIRST_CHILD = "pregnancy_first_child"


THEME_LABELS: dict[Theme, str] = {
    Theme.CRYING_SLEEP: "crying and sleep",
    Theme.FEEDING: "feeding",
    Theme.LIMITS_BEHAVIOUR: "limits and behaviour",
    Theme.DEVELOPMENT: "development worries",
    Theme.STRESS_OVERLOAD: "stress and overload",
    Theme.POSTNATAL_DEPRESSION: "postnatal depression",
    Theme.MULTIPLES: "twins and multiples",
    Theme.SEVERAL_YOUNG_CHILDREN: "several young children",
    Theme.SINGLE_PARENT: "single parenthood",
    Theme.DIVORCE: "divorce",
    Theme.SMALL_NETWORK: "a small network",
    Theme.RECENTLY_MOVED: "a recent move",
    Theme.LOCAL_SERVICES: "finding local services",
    Theme.STRUCTURE_PLANNING: "structure and planning",
    Theme.MONEY_WORRIES: "money worries",
    Theme.MIGRATION_INTEGRATION: "migration and integration",
    Theme.PREGNANCY_FIRST_CHILD: "pregnancy and a first child",
}


class ThemePriority(StrEnum):
    """How much a stated question weighs in the theme score (high 3, medium 2, low 1)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


PRIORITY_WEIGHT: dict[ThemePriority, int] = {
    ThemePriority.HIGH: 3,
    ThemePriority.MEDIUM: 2,
    ThemePriority.LOW: 1,
}


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNSPECIFIED = "unspecified"


class TravelMode(StrEnum):
    """How a volunteer travels; each mode has a default maximum distance."""

    WALK = "walk"
    BIKE = "bike"
    PUBLIC_TRANSPORT = "public_transport"
    CAR = "car"


DEFAULT_TRAVEL_KM: dict[TravelMode, float] = {
    TravelMode.WALK: 2.0,
    TravelMode.BIKE: 8.0,
    TravelMode.PUBLIC_TRANSPORT: 15.0,
    TravelMode.CAR: 25.0,
}


class Strength(StrEnum):
    """Whether a family's preference is a hard rule or a soft wish."""

    HARD = "hard"
    SOFT = "soft"


DUTCH = "nl"


@cache
def language_name(code: str) -> str:
    """English name of an ISO 639 code ('ar' -> 'Arabic'); the code itself when unknown."""
    found = (
        pycountry.languages.get(alpha_2=code)
        if len(code) == 2
        else pycountry.languages.get(alpha_3=code)
    )
    return str(found.name) if found is not None else code


def _check_language(code: str) -> str:
    if language_name(code) == code:
        raise ValueError(f"unknown language code {code!r}: use an ISO 639-1 or 639-3 code")
    return code


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


LanguageCode = Annotated[str, BeforeValidator(_lower), AfterValidator(_check_language)]
"""An ISO 639-1 (``ar``) or ISO 639-3 (``rif``) language code, kept as given."""
