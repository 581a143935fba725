"""The fixed vocabularies of the domain: age groups, parent themes, genders, travel modes,
languages (ISO 639 codes), with the Dutch words accepted for each.

Every enumeration here accepts its English value or a Dutch word, in any case, with accents,
spaces and dashes ignored (``Vrouw``, ``openbaar vervoer``); values are stored in English.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from functools import cache
from typing import Annotated, Self

import pycountry
from pydantic import AfterValidator, BeforeValidator

from matcher.i18n import N_


def word_key(text: str) -> str:
    """A word or header compared forgivingly: accents dropped, case folded, trimmed, and
    runs of spaces, dashes and underscores as one underscore (``' Coördinator-ID'`` ->
    ``coordinator_id``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    words = "".join(c if c.isalnum() or c in ":." else " " for c in plain.replace("'", ""))
    return "_".join(words.split())


class Vocabulary(StrEnum):
    """An enumeration that also accepts its Dutch words (``DUTCH_WORDS``), and its own values
    written in another case or with spaces for underscores."""

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, str):
            return None
        key = word_key(value)
        english = DUTCH_WORDS.get(cls, {}).get(key, key)
        return next((member for member in cls if word_key(member.value) == english), None)


class AgeGroup(Vocabulary):
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


class Theme(Vocabulary):
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
    Theme.CRYING_SLEEP: N_("crying and sleep"),
    Theme.FEEDING: N_("feeding"),
    Theme.LIMITS_BEHAVIOUR: N_("limits and behaviour"),
    Theme.DEVELOPMENT: N_("development worries"),
    Theme.STRESS_OVERLOAD: N_("stress and overload"),
    Theme.POSTNATAL_DEPRESSION: N_("postnatal depression"),
    Theme.MULTIPLES: N_("twins and multiples"),
    Theme.SEVERAL_YOUNG_CHILDREN: N_("several young children"),
    Theme.SINGLE_PARENT: N_("single parenthood"),
    Theme.DIVORCE: N_("divorce"),
    Theme.SMALL_NETWORK: N_("a small network"),
    Theme.RECENTLY_MOVED: N_("a recent move"),
    Theme.LOCAL_SERVICES: N_("finding local services"),
    Theme.STRUCTURE_PLANNING: N_("structure and planning"),
    Theme.MONEY_WORRIES: N_("money worries"),
    Theme.MIGRATION_INTEGRATION: N_("migration and integration"),
    Theme.PREGNANCY_FIRST_CHILD: N_("pregnancy and a first child"),
}


class ThemePriority(Vocabulary):
    """How much a stated question weighs in the theme score (high 3, medium 2, low 1)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


PRIORITY_WEIGHT: dict[ThemePriority, int] = {
    ThemePriority.HIGH: 3,
    ThemePriority.MEDIUM: 2,
    ThemePriority.LOW: 1,
}


class Gender(Vocabulary):
    """A person's gender, as far as a family's wish for a volunteer needs it."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNSPECIFIED = "unspecified"


class TravelMode(Vocabulary):
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


class Strength(Vocabulary):
    """Whether a family's preference is a hard rule or a soft wish."""

    HARD = "hard"
    SOFT = "soft"


class VolunteerStatus(Vocabulary):
    """Whether a volunteer can take a new family."""

    ACTIVE = "active"
    PAUSED = "paused"  # for a while: again from ``paused_until`` (or until set active)
    STOPPED = "stopped"  # left the programme


class FamilyStatus(Vocabulary):
    """A family in the programme (waiting, or supported by an active match), or closed."""

    OPEN = "open"
    CLOSED = "closed"


class ClosureReason(Vocabulary):
    """Why a family's support was closed."""

    FAMILY_COPES = "family_copes"
    AGED_OUT = "aged_out"
    FAMILY_STOPPED = "family_stopped"


DUTCH_WORDS: dict[type[Vocabulary], dict[str, str]] = {
    AgeGroup: {"zwangerschap": "pregnancy", "zwanger": "pregnancy"},
    Theme: {
        "huilen_slapen": "crying_sleep",
        "voeding": "feeding",
        "grenzen_gedrag": "limits_behaviour",
        "ontwikkeling": "development",
        "stress_overbelasting": "stress_overload",
        "postnatale_depressie": "postnatal_depression",
        "meerlingen": "multiples",
        "meerdere_jonge_kinderen": "several_young_children",
        "alleenstaande_ouder": "single_parent",
        "scheiding": "divorce",
        "klein_netwerk": "small_network",
        "recent_verhuisd": "recently_moved",
        "lokale_voorzieningen": "local_services",
        "structuur_planning": "structure_planning",
        "geldzorgen": "money_worries",
        "migratie_integratie": "migration_integration",
        "zwangerschap_eerste_kind": "pregnancy_first_child",
    },
    ThemePriority: {"hoog": "high", "gemiddeld": "medium", "middel": "medium", "laag": "low"},
    Gender: {
        "vrouw": "female",
        "man": "male",
        "anders": "other",
        "onbekend": "unspecified",
        "niet_opgegeven": "unspecified",
    },
    TravelMode: {
        "lopen": "walk",
        "te_voet": "walk",
        "fiets": "bike",
        "ov": "public_transport",
        "openbaar_vervoer": "public_transport",
        "auto": "car",
    },
    Strength: {"hard": "hard", "zacht": "soft"},
    VolunteerStatus: {"actief": "active", "gepauzeerd": "paused", "gestopt": "stopped"},
    FamilyStatus: {"open": "open", "afgesloten": "closed"},
    ClosureReason: {
        "gezin_redt_het": "family_copes",
        "redt_het": "family_copes",
        "te_oud": "aged_out",
        "gezin_gestopt": "family_stopped",
    },
}
"""The Dutch words each enumeration accepts (keys as ``word_key`` gives them); the first word
given for a value is the one written back to a Dutch file."""

YES_NO_WORDS = {
    "ja": True,
    "j": True,
    "waar": True,
    "yes": True,
    "y": True,
    "true": True,
    "nee": False,
    "n": False,
    "onwaar": False,
    "no": False,
    "false": False,
}
"""Words read as yes or no in a table cell (English and Dutch, any case)."""


def dutch_word(value: str) -> str:
    """The Dutch word for an English enumeration value (``female`` -> ``vrouw``); the value
    itself when it has none."""
    return _ENGLISH_TO_DUTCH.get(value, value)


def _first_words() -> dict[str, str]:
    first: dict[str, str] = {}
    for words in DUTCH_WORDS.values():
        for dutch, english in words.items():
            first.setdefault(english, dutch)
    return first


_ENGLISH_TO_DUTCH = _first_words()

DUTCH = "nl"


@cache
def canonical_language(code: str) -> str | None:
    """The one code the engine uses for an ISO 639 language: its 639-1 code when it has one,
    else its 639-3 code. ``ar``, ``ara`` (639-2/B, 639-2/T and 639-3) all give ``ar``; ``dut``
    and ``nld`` give ``nl``; ``arb`` (Standard Arabic) and ``rif`` (Tarifit) stay themselves,
    as distinct varieties. ``None`` for an unknown code."""
    if len(code) == 2:
        found = pycountry.languages.get(alpha_2=code)
    elif len(code) == 3:
        found = pycountry.languages.get(alpha_3=code) or pycountry.languages.get(bibliographic=code)
    else:
        found = None
    if found is None:
        return None
    return str(getattr(found, "alpha_2", None) or found.alpha_3)


@cache
def language_name(code: str) -> str:
    """English name of an ISO 639 code ('ar' or 'ara' -> 'Arabic'); the code itself when
    unknown."""
    canonical = canonical_language(code)
    if canonical is None:
        return code
    found = (
        pycountry.languages.get(alpha_2=canonical)
        if len(canonical) == 2
        else pycountry.languages.get(alpha_3=canonical)
    )
    return str(found.name) if found is not None else code


def _check_language(code: str) -> str:
    canonical = canonical_language(code)
    if canonical is None:
        raise ValueError(f"unknown language code {code!r}: use an ISO 639-1, 639-2 or 639-3 code")
    return canonical


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


LanguageCode = Annotated[str, BeforeValidator(_lower), AfterValidator(_check_language)]
"""An ISO 639 language code (639-1 ``ar``, 639-2/B or /T, or 639-3 ``ara``, ``rif``), stored
as its canonical code (``canonical_language``), so ``ara`` and ``ar`` are the same language."""
