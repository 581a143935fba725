"""An independent checker: recompute the objective of an assignment and check every hard rule.

It works from the user's ``Round`` alone, one pair at a time in plain Python with geopy's
geodesic distance, sharing no code with the vectorised scoring or the solvers beyond the domain
definitions (vocabularies, priority points, the one score-scaling function). Solve tests assert
that the solver's objective equals ``evaluate``'s.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from matcher.domain.people import Family, Volunteer
from matcher.domain.round import Round, SamePlaceRule
from matcher.domain.vocab import (
    DUTCH,
    PRIORITY_WEIGHT,
    Strength,
    age_group_of,
)
from matcher.geo.distance import geodesic_km
from matcher.geo.postcodes import locate
from matcher.result import Proposal
from matcher.scoring.scale import priority_multiplier, quality_points


@dataclass(frozen=True)
class Assignment:
    """One proposed match: a family, its volunteer and their weekly half-day."""

    family_id: str
    volunteer_id: str
    slot: str


@dataclass
class Evaluation:
    """The recomputed objective of an assignment and every hard rule it breaks."""

    families_matched: int = 0
    priority_points: int = 0
    quality_points: int = 0
    objective: int = 0
    violations: list[str] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.violations


def evaluate(round_: Round, assignment: Iterable[Assignment]) -> Evaluation:
    """Check ``assignment`` against every hard rule of ``round_`` and recompute its objective."""
    volunteers = {v.id: v for v in round_.volunteers}
    families = {f.id: f for f in round_.families}
    locked_slots: defaultdict[str, set[str]] = defaultdict(set)
    for match in round_.active_matches:
        locked_slots[match.volunteer_id].add(match.slot)
    matched_before = {m.family_id for m in round_.active_matches}
    forbidden = {
        (p.family_id, p.volunteer_id) for p in (*round_.declined_pairs, *round_.exclusions)
    }
    waiting = sum(1 for f in round_.families if f.id not in matched_before and not f.closed)
    multiplier = priority_multiplier(waiting)

    result = Evaluation()
    new_load: Counter[str] = Counter()
    used_slots: defaultdict[str, list[str]] = defaultdict(list)
    seen_families: set[str] = set()
    for a in assignment:
        family, volunteer = families.get(a.family_id), volunteers.get(a.volunteer_id)
        if family is None or volunteer is None:
            result.violations.append(f"{a.family_id}-{a.volunteer_id}: unknown id")
            continue
        if a.family_id in seen_families:
            result.violations.append(f"{a.family_id}: more than one proposal")
        if a.family_id in matched_before:
            result.violations.append(f"{a.family_id}: already in an active match")
        if (a.family_id, a.volunteer_id) in forbidden:
            result.violations.append(f"{a.family_id}-{a.volunteer_id}: declined or excluded pair")
        seen_families.add(a.family_id)
        new_load[a.volunteer_id] += 1
        used_slots[a.volunteer_id].append(a.slot)
        distance = _distance(family, volunteer)
        for broken in pair_violations(round_, family, volunteer, a.slot, distance):
            result.violations.append(f"{a.family_id}-{a.volunteer_id}: {broken}")
        free = set(volunteer.slots) - locked_slots[volunteer.id]
        quality = pair_quality(round_, family, volunteer, free, distance)
        points = int(quality_points(np.array([quality]))[0])
        weeks = (round_.reference_date - family.waiting_start).days // 7
        priority = round_.weights.family_priority(weeks, family.rematch)
        result.families_matched += 1
        result.priority_points += priority
        result.quality_points += points
        result.objective += multiplier * priority + points

    for volunteer_id, load in new_load.items():
        if volunteer_id not in volunteers:
            continue
        locked = locked_slots[volunteer_id]
        if load + len(locked) > volunteers[volunteer_id].capacity:
            result.violations.append(f"{volunteer_id}: over capacity")
        slots = used_slots[volunteer_id] + sorted(locked)
        if len(set(slots)) < len(slots):
            result.violations.append(f"{volunteer_id}: two visits in one half-day")
    return result


def pair_violations(
    round_: Round, family: Family, volunteer: Volunteer, slot: str, distance: float
) -> list[str]:
    """Names of the hard rules a single pair in ``slot`` breaks."""
    policy = round_.policy
    broken = []
    if family.closed:
        broken.append(f"family {family.closed_text()}")
    if not volunteer.takes_families_on(round_.reference_date):
        broken.append(f"volunteer {volunteer.status_text()}")
    if policy.require_training_and_vog and not (
        volunteer.training_complete and volunteer.vog_complete
    ):
        broken.append("volunteer not ready (training or VOG)")
    if policy.enforce_age_limit and not _eligible(round_, family):
        broken.append("family outside the programme's age limit")
    if policy.require_common_language and not (
        _family_languages(family) & set(volunteer.languages)
    ):
        broken.append("no common language")
    if policy.enforce_travel_limit and distance > round_.policy.travel_limit_km(volunteer):
        broken.append(f"travel {distance:.2f} km over the limit")
    if slot not in family.slots or slot not in volunteer.slots:
        broken.append(f"{slot} is not free for both")
    if family.volunteer_gender_rule == Strength.HARD and family.volunteer_gender not in (
        None,
        volunteer.gender,
    ):
        broken.append("gender preference")
    if family.no_pets == Strength.HARD and volunteer.has_pets:
        broken.append("pets")
    if family.non_smoker == Strength.HARD and volunteer.smokes:
        broken.append("smoking")
    if _same_place(policy.same_place, family.postcode, volunteer.postcode):
        broken.append("same place")
    return broken


def pair_quality(
    round_: Round, family: Family, volunteer: Volunteer, free_slots: set[str], distance: float
) -> float:
    """Weighted mean of the quality terms that apply (see ``matcher.scoring.terms``)."""
    home = set(family.languages) or {DUTCH}
    spoken = set(volunteer.languages)
    terms: dict[str, float | None] = {
        "language": 1.0 if home & spoken else 0.5 if _family_languages(family) & spoken else 0.0,
        "distance": min(1.0, max(0.0, 1.0 - distance / round_.policy.travel_limit_km(volunteer))),
    }
    saturation = round_.policy.availability_saturation
    terms["availability"] = min(len(set(family.slots) & free_slots), saturation) / saturation
    groups = _age_groups(round_.reference_date, family)
    terms["child_ages"] = len(groups & set(volunteer.age_groups)) / len(groups) if groups else None
    asked = {r.theme: 0 for r in family.themes}
    for request in family.themes:
        asked[request.theme] += PRIORITY_WEIGHT[request.priority]
    known = sum(w for theme, w in asked.items() if theme in volunteer.themes)
    terms["themes"] = known / sum(asked.values()) if asked else None
    wishes = []
    if family.volunteer_gender is not None and family.volunteer_gender_rule == Strength.SOFT:
        wishes.append(volunteer.gender == family.volunteer_gender)
    if family.no_pets == Strength.SOFT:
        wishes.append(not volunteer.has_pets)
    if family.non_smoker == Strength.SOFT:
        wishes.append(not volunteer.smokes)
    terms["preferences"] = sum(wishes) / len(wishes) if wishes else None

    weights = round_.weights.model_dump()
    total = sum(weights[name] * value for name, value in terms.items() if value is not None)
    weight = sum(weights[name] for name, value in terms.items() if value is not None)
    return total / weight if weight > 0 else 0.0


def _family_languages(family: Family) -> set[str]:
    return set(family.languages) | ({DUTCH} if family.speaks_dutch else set())


def _coordinates(person: Family | Volunteer) -> tuple[float, float]:
    if person.latitude is not None and person.longitude is not None:
        return person.latitude, person.longitude
    assert person.postcode is not None
    area = locate(person.postcode)
    assert area is not None, "evaluate expects a round that passed prepare()"
    return area.latitude, area.longitude


def _distance(family: Family, volunteer: Volunteer) -> float:
    return geodesic_km(*_coordinates(family), *_coordinates(volunteer))


def _ages(today: date, family: Family) -> tuple[list[float], float | None]:
    """Children's ages in years, and the weeks of a pregnancy still under way (or None)."""
    ages = [
        (today - c.birth_date).days / 365.25
        if c.birth_date is not None
        else float(c.age_years or 0)
        for c in family.children
    ]
    weeks = None
    if family.due_date is not None:
        days_left = (family.due_date - today).days
        if days_left >= 0:
            weeks = (280 - days_left) / 7
        else:
            ages.append(-days_left / 365.25)
    return ages, weeks


def _age_groups(today: date, family: Family) -> set[str]:
    ages, weeks = _ages(today, family)
    groups = {str(age_group_of(age)) for age in ages}
    return groups | ({"pregnancy"} if weeks is not None else set())


def _eligible(round_: Round, family: Family) -> bool:
    ages, weeks = _ages(round_.reference_date, family)
    if ages and min(ages) < family.age_limit:
        return True
    return weeks is not None and weeks >= round_.policy.min_pregnancy_weeks


def _same_place(rule: SamePlaceRule, a: str | None, b: str | None) -> bool:
    if rule == SamePlaceRule.OFF or a is None or b is None:
        return False
    length = 6 if rule == SamePlaceRule.STREET else 4
    return len(a) >= length and len(b) >= length and a[:length] == b[:length]


def assignment_of(proposals: Iterable[Proposal]) -> list[Assignment]:
    """The assignment a solve result proposes."""
    return [Assignment(p.family_id, p.volunteer_id, p.slot) for p in proposals]
