"""Realistic synthetic rounds on real Dutch postcode geography.

People live in PC4 areas of the chosen area, drawn uniformly (each area equally likely), with two
random letters for the full postcode. Distributions follow the programme's public figures (see
``distributions``). Everything is drawn from one seeded generator in a fixed order, so the same
arguments always give the same round.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from matcher.domain.frozen import Frozen
from matcher.domain.people import Family, Volunteer
from matcher.domain.round import ActiveMatch, Coordinator, Pair, Round
from matcher.domain.slots import SLOT_NAMES
from matcher.geo.postcodes import postcode_areas
from matcher.synthetic import distributions as d

Rng = np.random.Generator


class Area(Frozen):
    """Where a scenario lives: places (municipalities or towns), provinces or PC4 codes."""

    places: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    postcodes: tuple[str, ...] = ()

    def pc4_codes(self) -> list[str]:
        """The area's four-digit postcodes, sorted; ValueError for an unknown or empty area."""
        areas = postcode_areas()
        codes: set[str] = set()
        for kind, names, key in (
            ("place", self.places, "place"),
            ("province", self.provinces, "province"),
        ):
            for name in names:
                found = {pc for pc, a in areas.items() if getattr(a, key).lower() == name.lower()}
                if not found:
                    raise ValueError(f"unknown {kind} {name!r} in the postcode table")
                codes |= found
        for code in self.postcodes:
            if code not in areas:
                raise ValueError(f"unknown postcode {code!r}")
            codes.add(code)
        if not codes:
            raise ValueError("the area is empty: give a place, a province or postcodes")
        return sorted(codes)


def generate_round(
    area: Area,
    volunteers: int,
    families: int,
    seed: int,
    reference_date: date,
    active_share: float = 0.3,
) -> Round:
    """A round of ``volunteers`` and ``families`` waiting families in ``area``; about
    ``active_share`` of the volunteers already support a family (a locked active match)."""
    rng = np.random.default_rng(seed)
    codes = area.pc4_codes()
    vols = [random_volunteer(rng, f"V{i + 1:04d}", codes) for i in range(volunteers)]
    fams = [random_family(rng, f"F{i + 1:04d}", codes, reference_date) for i in range(families)]
    active, matched = _active_matches(rng, vols, codes, reference_date, families + 1, active_share)
    declined = [
        Pair(family_id=f.id, volunteer_id=vols[int(rng.integers(len(vols)))].id)
        for f in fams
        if vols and rng.random() < d.DECLINED_SHARE
    ]
    coordinators = _coordinators(families)
    fams = [
        f.model_copy(update={"coordinator": coordinators[i % len(coordinators)].id})
        for i, f in enumerate(fams)
    ]
    return Round(
        reference_date=reference_date,
        volunteers=tuple(vols),
        coordinators=tuple(coordinators),
        families=(*fams, *matched),
        active_matches=tuple(active),
        declined_pairs=tuple(declined),
    )


def _coordinators(families: int) -> list[Coordinator]:
    """About one coordinator per 30 waiting families, free on weekday mornings and afternoons;
    families are shared out in turn (no random draws, so people stay as they were)."""
    weekdays = [
        f"{day}-{part}"
        for day in ("mon", "tue", "wed", "thu", "fri")
        for part in ("morning", "afternoon")
    ]
    return [
        Coordinator(id=f"C{i + 1:02d}", slots=tuple(weekdays), meetings_per_week=4)
        for i in range(max(1, round(families / 30)))
    ]


def _postcode(rng: Rng, codes: list[str]) -> str:
    letters = "".join(rng.choice(list(d.POSTCODE_LETTERS), size=2))
    while letters in d.UNUSED_POSTCODE_LETTERS:
        letters = "".join(rng.choice(list(d.POSTCODE_LETTERS), size=2))
    return f"{codes[int(rng.integers(len(codes)))]} {letters}"


def _slots(rng: Rng, low: int, high: int) -> tuple[str, ...]:
    count = int(rng.integers(low, high + 1))
    chosen = rng.choice(len(SLOT_NAMES), size=count, replace=False, p=d.SLOT_POPULARITY)
    return tuple(SLOT_NAMES[i] for i in sorted(chosen.tolist()))


def _some(rng: Rng, items: tuple[str, ...], low: int, high: int) -> list[str]:
    count = int(rng.integers(low, high + 1))
    return sorted(rng.choice(items, size=min(count, len(items)), replace=False).tolist())


def _pick(rng: Rng, shares: dict[str, float]) -> str:
    names = list(shares)
    return str(names[int(rng.choice(len(names), p=np.array(list(shares.values()))))])


def random_volunteer(rng: Rng, id_: str, codes: list[str]) -> Volunteer:
    """A volunteer living in one of the PC4 ``codes``, drawn from the programme's figures."""
    languages = ["nl"]
    if rng.random() < d.VOLUNTEER_SECOND_LANGUAGE_SHARE:
        languages.append(_pick(rng, d.HOME_LANGUAGES))
    mode = _pick(rng, d.TRAVEL_MODES)
    explicit_km = rng.random() < d.EXPLICIT_TRAVEL_SHARE
    ready = rng.random() < d.READY_SHARE
    return Volunteer(
        id=id_,
        postcode=_postcode(rng, codes),
        languages=tuple(languages),
        slots=_slots(rng, 4, 10),
        capacity=int(_pick(rng, d.CAPACITIES)),
        max_travel_km=round(float(rng.uniform(5, 20)), 1) if explicit_km else None,
        travel_mode=mode,
        age_groups=tuple(_some(rng, d.AGE_GROUP_NAMES, 2, 5)),
        themes=tuple(_some(rng, d.THEME_NAMES, 3, 8)),
        gender=_pick(rng, d.VOLUNTEER_GENDERS),
        smokes=bool(rng.random() < d.SMOKER_SHARE),
        has_pets=bool(rng.random() < d.PETS_SHARE),
        training_complete=ready,
        vog_complete=ready or bool(rng.random() < 0.5),
    )


def random_family(rng: Rng, id_: str, codes: list[str], today: date) -> Family:
    """A family living in one of the PC4 ``codes`` who has waited a few weeks by ``today``."""
    speaks_dutch = rng.random() >= d.NO_DUTCH_SHARE
    languages: list[str] = []
    if not speaks_dutch or rng.random() < d.SECOND_HOME_LANGUAGE_SHARE:
        languages.append(_pick(rng, d.HOME_LANGUAGES))
    children, due = _children(rng, today)
    themes = _some(rng, d.THEME_NAMES, 1, 3)
    if rng.random() < d.SINGLE_PARENT_SHARE and "single_parent" not in themes:
        themes.append("single_parent")
    waited_weeks = int(min(rng.exponential(d.MEAN_WAITING_WEEKS), 40))
    return Family(
        id=id_,
        postcode=_postcode(rng, codes),
        languages=tuple(languages),
        speaks_dutch=bool(speaks_dutch),
        slots=_slots(rng, 5, 8),
        children=tuple(children),
        due_date=due,
        themes=tuple(f"{t}:{_pick(rng, d.THEME_PRIORITIES)}" for t in themes),
        volunteer_gender="female" if rng.random() < d.GENDER_WISH_SHARE else None,
        volunteer_gender_rule="hard" if rng.random() < 0.3 else "soft",
        no_pets=_wish(rng, d.NO_PETS_SHARE),
        non_smoker=_wish(rng, d.NON_SMOKER_SHARE),
        registered=today - timedelta(weeks=waited_weeks, days=int(rng.integers(7))),
        rematch=bool(rng.random() < d.REMATCH_SHARE),
        age_limit=int(_pick(rng, d.AGE_LIMITS)),
    )


def _wish(rng: Rng, share: float) -> str | None:
    if rng.random() >= share:
        return None
    return "hard" if rng.random() < 0.5 else "soft"


def _children(rng: Rng, today: date) -> tuple[list[dict[str, str]], date | None]:
    """Birth dates of the children, and a due date when the family expects a baby."""
    due = None
    if rng.random() < d.PREGNANCY_SHARE:
        due = today + timedelta(days=int(rng.integers(0, 16 * 7)))
    count = int(_pick(rng, d.CHILD_COUNTS)) if due is None else int(rng.integers(0, 3))
    youngest = float(rng.uniform(0, d.YOUNGEST_MAX_YEARS))
    if rng.random() < d.AGED_OUT_SHARE:
        youngest = float(rng.uniform(6, 9))
    ages = [youngest + float(rng.uniform(1.2, 4)) * i for i in range(count)]
    births = [today - timedelta(days=int(age * 365.25)) for age in ages]
    return [{"birth_date": b.isoformat()} for b in births], due


def _active_matches(
    rng: Rng,
    volunteers: list[Volunteer],
    codes: list[str],
    today: date,
    first_id: int,
    active_share: float,
) -> tuple[list[ActiveMatch], list[Family]]:
    """Running matches for a share of the volunteers, each with a family of its own."""
    matches: list[ActiveMatch] = []
    families: list[Family] = []
    for volunteer in volunteers:
        if rng.random() >= active_share or not volunteer.slots:
            continue
        family = random_family(rng, f"F{first_id + len(families):04d}", codes, today)
        slot = volunteer.slots[int(rng.integers(len(volunteer.slots)))]
        family = family.model_copy(
            update={"slots": tuple(sorted({*family.slots, slot}, key=SLOT_NAMES.index))}
        )
        families.append(family)
        matches.append(ActiveMatch(family_id=family.id, volunteer_id=volunteer.id, slot=slot))
    return matches, families
