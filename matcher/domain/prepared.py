"""Validate a round once, at the boundary, and precompute the arrays everything after it uses.

``prepare`` checks every cross-reference (duplicate ids, unknown postcodes, locked matches and
forbidden pairs naming missing people, volunteers over capacity) and raises ``RoundError`` listing
all problems with their location. The ``PreparedRound`` it returns may be trusted downstream.

It is also the one place where people who take no part in the matching are left out: closed
families do not wait, and volunteers who are paused on the round's date or stopped have no free
place (the ``no_capacity`` rule), so no solver, shortlist or explanation proposes them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from matcher.domain.people import Family, Volunteer
from matcher.domain.round import Round
from matcher.domain.slots import SLOT_INDEX, slots_to_mask
from matcher.domain.vocab import (
    DUTCH,
    PRIORITY_WEIGHT,
    AgeGroup,
    Theme,
    age_group_of,
)
from matcher.errors import Problem, RoundError
from matcher.geo.postcodes import locate

DAYS_PER_YEAR = 365.25
PREGNANCY_DAYS = 280

BoolMatrix = NDArray[np.bool_]
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

AGE_GROUPS = tuple(AgeGroup)
THEMES = tuple(Theme)


@dataclass(frozen=True)
class FamilyStage:
    """What the programme sees of a family's children on the reference date."""

    age_groups: frozenset[AgeGroup]
    youngest_age: float | None  # in years, None when only a pregnancy
    pregnancy_weeks: float | None  # None when no pregnancy


@dataclass(frozen=True)
class PreparedRound:
    """A validated round with per-person arrays (volunteers ``v``, families ``f``, in input order).

    Matrices are indexed ``[f, v]`` or ``[person, vocabulary item]``.
    """

    round: Round
    volunteer_index: dict[str, int]
    family_index: dict[str, int]
    volunteer_lat: FloatArray
    volunteer_lon: FloatArray
    family_lat: FloatArray
    family_lon: FloatArray
    volunteer_pc6: tuple[str | None, ...]
    family_pc6: tuple[str | None, ...]
    volunteer_free_slots: IntArray  # availability bitmask minus slots held by locked matches
    family_slots: IntArray
    volunteer_free_capacity: IntArray  # 0 for a volunteer paused on the round's date or stopped
    volunteer_max_km: FloatArray  # the hard travel limit after policy
    languages: tuple[str, ...]
    volunteer_languages: BoolMatrix  # [v, language]
    family_languages: BoolMatrix  # [f, language]: home languages plus Dutch if spoken
    family_home_languages: BoolMatrix  # [f, language]: home languages (Dutch if none stated)
    volunteer_age_groups: BoolMatrix  # [v, AGE_GROUPS]
    family_age_groups: BoolMatrix  # [f, AGE_GROUPS]
    volunteer_themes: BoolMatrix  # [v, THEMES]
    family_theme_weights: FloatArray  # [f, THEMES]: 0, or the priority weight 1..3
    family_stages: tuple[FamilyStage, ...]
    family_waiting: NDArray[np.bool_]  # not closed, and not already in an active match
    family_weeks_waiting: IntArray
    family_priority: IntArray
    forbidden: frozenset[tuple[int, int]]  # (f, v) declined or excluded
    locked: tuple[tuple[int, int, int], ...]  # (f, v, slot index) of active matches

    @property
    def volunteers(self) -> tuple[Volunteer, ...]:
        return self.round.volunteers

    @property
    def families(self) -> tuple[Family, ...]:
        return self.round.families


def prepare(round_: Round) -> PreparedRound:
    """Check a round's cross-references and build its arrays; raise ``RoundError`` if invalid."""
    problems: list[Problem] = []
    if not round_.volunteers and not round_.families:
        problems.append(Problem((), "the round is empty: it has no volunteers and no families"))
    volunteer_index = _index_ids("volunteers", [v.id for v in round_.volunteers], problems)
    family_index = _index_ids("families", [f.id for f in round_.families], problems)
    v_lat, v_lon = _coordinates("volunteers", round_.volunteers, problems)
    f_lat, f_lon = _coordinates("families", round_.families, problems)
    stages = _family_stages(round_, problems)
    _check_dates(round_, problems)
    locked = _locked_matches(round_, volunteer_index, family_index, problems)
    forbidden = _forbidden_pairs(round_, volunteer_index, family_index, problems)
    _check_people_named(round_, volunteer_index, family_index, problems)
    if problems:
        raise RoundError(problems)

    free_slots, free_capacity, waiting = _free_after_locked(round_, locked)
    languages, family_home, family_all = _family_languages(round_)
    weeks = np.array(
        [(round_.reference_date - f.waiting_start).days // 7 for f in round_.families],
        dtype=np.int64,
    )
    return PreparedRound(
        round=round_,
        volunteer_index=volunteer_index,
        family_index=family_index,
        volunteer_lat=v_lat,
        volunteer_lon=v_lon,
        family_lat=f_lat,
        family_lon=f_lon,
        volunteer_pc6=tuple(v.postcode for v in round_.volunteers),
        family_pc6=tuple(f.postcode for f in round_.families),
        volunteer_free_slots=free_slots,
        family_slots=np.array([slots_to_mask(f.slots) for f in round_.families], dtype=np.int64),
        volunteer_free_capacity=free_capacity,
        volunteer_max_km=_travel_limits(round_),
        languages=languages,
        volunteer_languages=_membership([v.languages for v in round_.volunteers], languages),
        family_languages=family_all,
        family_home_languages=family_home,
        volunteer_age_groups=_membership([v.age_groups for v in round_.volunteers], AGE_GROUPS),
        family_age_groups=_membership([s.age_groups for s in stages], AGE_GROUPS),
        volunteer_themes=_membership([v.themes for v in round_.volunteers], THEMES),
        family_theme_weights=_theme_weights(round_),
        family_stages=tuple(stages),
        family_waiting=waiting,
        family_weeks_waiting=weeks,
        family_priority=np.array(
            [
                round_.weights.family_priority(int(w), f.rematch)
                for w, f in zip(weeks, round_.families, strict=True)
            ],
            dtype=np.int64,
        ),
        forbidden=frozenset(forbidden),
        locked=tuple(locked),
    )


def _free_after_locked(
    round_: Round, locked: list[tuple[int, int, int]]
) -> tuple[IntArray, IntArray, NDArray[np.bool_]]:
    """Volunteers' free half-days and places once their active matches are taken out (no
    place at all for a volunteer paused on the round's date, or stopped), and which families
    still wait (open ones without an active match)."""
    day = round_.reference_date
    free_slots = np.array([slots_to_mask(v.slots) for v in round_.volunteers], dtype=np.int64)
    free_capacity = np.array(
        [v.capacity if v.takes_families_on(day) else 0 for v in round_.volunteers],
        dtype=np.int64,
    )
    waiting = np.array([not f.closed for f in round_.families], dtype=bool)
    for f, v, slot in locked:
        free_slots[v] &= ~(1 << slot)
        free_capacity[v] = max(free_capacity[v] - 1, 0)
        waiting[f] = False
    return free_slots, free_capacity, waiting


def _family_languages(round_: Round) -> tuple[tuple[str, ...], BoolMatrix, BoolMatrix]:
    """Every language of the round (Dutch always), and per family its home languages (Dutch
    if none stated) and all it speaks (home languages plus Dutch if spoken)."""
    languages = tuple(
        sorted(
            {code for v in round_.volunteers for code in v.languages}
            | {code for f in round_.families for code in f.languages}
            | {DUTCH}
        )
    )
    family_home = _membership([f.languages or (DUTCH,) for f in round_.families], languages)
    family_all = family_home.copy()
    family_all[:, languages.index(DUTCH)] |= np.array(
        [f.speaks_dutch for f in round_.families], dtype=bool
    )
    return languages, family_home, family_all


def _theme_weights(round_: Round) -> FloatArray:
    """[f, THEMES]: the priority weight (1..3) of each question the family asked, else 0."""
    return np.array(
        [
            [sum(PRIORITY_WEIGHT[r.priority] for r in f.themes if r.theme == t) for t in THEMES]
            for f in round_.families
        ],
        dtype=np.float64,
    ).reshape(len(round_.families), len(THEMES))


def _index_ids(kind: str, ids: list[str], problems: list[Problem]) -> dict[str, int]:
    index: dict[str, int] = {}
    folded: dict[str, str] = {}  # ids differing only in case collide in file names on Windows
    for i, id_ in enumerate(ids):
        first = folded.get(id_.casefold())
        if first is not None:
            same = "duplicate id" if first == id_ else f"id differs only in case from {first!r}:"
            problems.append(
                Problem((kind, i, "id"), f"{same} {id_!r} (first at {kind}[{index[first]}])")
            )
        else:
            index[id_] = i
            folded[id_.casefold()] = id_
    return index


def _coordinates(
    kind: str, people: tuple[Volunteer, ...] | tuple[Family, ...], problems: list[Problem]
) -> tuple[FloatArray, FloatArray]:
    lat = np.zeros(len(people))
    lon = np.zeros(len(people))
    for i, person in enumerate(people):
        if person.latitude is not None and person.longitude is not None:
            lat[i], lon[i] = person.latitude, person.longitude
            continue
        assert person.postcode is not None  # the model guarantees a location
        area = locate(person.postcode)
        if area is None:
            problems.append(
                Problem((kind, i, "postcode"), f"unknown postcode {person.postcode[:4]!r}")
            )
        else:
            lat[i], lon[i] = area.latitude, area.longitude
    return lat, lon


def _family_stages(round_: Round, problems: list[Problem]) -> list[FamilyStage]:
    today = round_.reference_date
    stages = []
    for i, family in enumerate(round_.families):
        ages = []
        for c, child in enumerate(family.children):
            if child.birth_date is not None:
                if child.birth_date > today:
                    problems.append(
                        Problem(
                            ("families", i, "children", c),
                            "birth date lies after the round's reference date",
                        )
                    )
                ages.append((today - child.birth_date).days / DAYS_PER_YEAR)
            elif child.age_years is not None:
                ages.append(child.age_years)
        pregnancy_weeks = None
        if family.due_date is not None:
            days_to_birth = (family.due_date - today).days
            if days_to_birth >= 0:
                pregnancy_weeks = (PREGNANCY_DAYS - days_to_birth) / 7
            else:  # born since the family registered: a baby now
                ages.append(-days_to_birth / DAYS_PER_YEAR)
        groups = {age_group_of(age) for age in ages}
        if pregnancy_weeks is not None:
            groups.add(AgeGroup.PREGNANCY)
        stages.append(
            FamilyStage(
                age_groups=frozenset(groups),
                youngest_age=min(ages) if ages else None,
                pregnancy_weeks=pregnancy_weeks,
            )
        )
    return stages


def _check_dates(round_: Round, problems: list[Problem]) -> None:
    for i, family in enumerate(round_.families):
        for name in ("registered", "waiting_since"):
            day = getattr(family, name)
            if day is not None and day > round_.reference_date:
                problems.append(
                    Problem(("families", i, name), "lies after the round's reference date")
                )


def _locked_matches(
    round_: Round,
    volunteer_index: dict[str, int],
    family_index: dict[str, int],
    problems: list[Problem],
) -> list[tuple[int, int, int]]:
    locked = []
    families_seen: dict[int, int] = {}
    slots_seen: dict[tuple[int, int], int] = {}
    load: Counter[int] = Counter()
    for m, match in enumerate(round_.active_matches):
        where = ("active_matches", m)
        v = _lookup(volunteer_index, match.volunteer_id, (*where, "volunteer_id"), problems)
        f = _lookup(family_index, match.family_id, (*where, "family_id"), problems)
        if v is None or f is None:
            continue
        slot = SLOT_INDEX[match.slot]
        if f in families_seen:
            problems.append(
                Problem(
                    (*where, "family_id"),
                    f"family already has an active match (active_matches[{families_seen[f]}])",
                )
            )
            continue
        if (v, slot) in slots_seen:
            problems.append(
                Problem(
                    (*where, "slot"),
                    f"volunteer already visits another family in {match.slot} "
                    f"(active_matches[{slots_seen[v, slot]}])",
                )
            )
            continue
        if round_.families[f].closed:
            problems.append(
                Problem(
                    (*where, "family_id"),
                    f"the family is {round_.families[f].closed_text()}: it has no active match",
                )
            )
            continue
        families_seen[f] = m
        slots_seen[v, slot] = m
        load[v] += 1
        if load[v] > round_.volunteers[v].capacity:
            problems.append(
                Problem(
                    (*where, "volunteer_id"),
                    f"volunteer is over capacity: {load[v]} active matches, "
                    f"capacity {round_.volunteers[v].capacity}",
                )
            )
        locked.append((f, v, slot))
    return locked


def _forbidden_pairs(
    round_: Round,
    volunteer_index: dict[str, int],
    family_index: dict[str, int],
    problems: list[Problem],
) -> set[tuple[int, int]]:
    pairs = set()
    for kind, listed in (
        ("declined_pairs", round_.declined_pairs),
        ("exclusions", round_.exclusions),
    ):
        for p, pair in enumerate(listed):
            f = _lookup(family_index, pair.family_id, (kind, p, "family_id"), problems)
            v = _lookup(volunteer_index, pair.volunteer_id, (kind, p, "volunteer_id"), problems)
            if f is not None and v is not None:
                pairs.add((f, v))
    return pairs


def _check_people_named(
    round_: Round,
    volunteer_index: dict[str, int],
    family_index: dict[str, int],
    problems: list[Problem],
) -> None:
    """Coordinators of families and the people of absences must exist."""
    coordinators = {c.id for c in round_.coordinators}
    if len(coordinators) < len(round_.coordinators):
        problems.append(Problem(("coordinators",), "duplicate coordinator ids"))
    for i, family in enumerate(round_.families):
        if family.coordinator is not None and family.coordinator not in coordinators:
            problems.append(
                Problem(("families", i, "coordinator"), f"no coordinator {family.coordinator!r}")
            )
    people = coordinators | set(volunteer_index) | set(family_index)
    for i, absence in enumerate(round_.absences):
        if absence.person_id not in people:
            problems.append(
                Problem(("absences", i, "person_id"), f"no one with id {absence.person_id!r}")
            )


def _lookup(
    index: dict[str, int], id_: str, where: tuple[str | int, ...], problems: list[Problem]
) -> int | None:
    found = index.get(id_)
    if found is None:
        kind = "volunteer" if where[-1] == "volunteer_id" else "family"
        problems.append(Problem(where, f"no {kind} with id {id_!r} in this round"))
    return found


def _travel_limits(round_: Round) -> FloatArray:
    return np.array([round_.policy.travel_limit_km(v) for v in round_.volunteers], dtype=np.float64)


def _membership(items: Sequence[Collection[str]], vocabulary: tuple[str, ...]) -> BoolMatrix:
    position = {item: i for i, item in enumerate(vocabulary)}
    matrix = np.zeros((len(items), len(vocabulary)), dtype=bool)
    for row, owned in enumerate(items):
        for item in owned:
            matrix[row, position[item]] = True
    return matrix
