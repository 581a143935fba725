"""Hard rules: which family-volunteer pairs may be proposed at all.

Each rule is one small function over pairs ``(f[i], v[i])`` that returns where it is *violated*.
The per-person facts the rules compare are gathered once per round (``rule_facts``), so a rule is
a few array look-ups per pair. Scoring runs the rules only on the pairs within travel reach;
``rejections`` runs them on every volunteer for a family whose full picture is needed (a
changed proposal's), and records per pair a bitmask of every rule it fails. Distances are exact
(Vincenty) wherever they decide a pair; a planar lower bound settles the pairs that are clearly
too far apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from matcher.domain.prepared import PreparedRound
from matcher.domain.round import SamePlaceRule
from matcher.domain.vocab import Gender, Strength
from matcher.geo.distance import pairwise_km
from matcher.geo.reach import Plane, plane

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]
Index = NDArray[np.intp]


class Rule(StrEnum):
    """The hard rules, in the order they are reported."""

    NOT_READY = "training_or_vog"
    NO_CAPACITY = "no_capacity"
    AGE_LIMIT = "age_limit"
    FORBIDDEN = "declined_or_excluded"
    LANGUAGE = "language"
    TRAVEL = "travel"
    AVAILABILITY = "availability"
    GENDER = "gender_preference"
    PETS = "pets"
    SMOKING = "smoking"
    SAME_PLACE = "same_place"


RULES = tuple(Rule)
RULE_BIT = {rule: np.uint16(1 << i) for i, rule in enumerate(RULES)}
VOLUNTEER_RULES = (Rule.NOT_READY, Rule.NO_CAPACITY)
"""Rules that depend on the volunteer alone."""
FAMILY_RULES = (Rule.AGE_LIMIT,)
"""Rules that depend on the family alone."""


@dataclass(frozen=True)
class RuleFacts:
    """What the rules compare, per person, with the round's policy applied."""

    prepared: PreparedRound
    plane: Plane
    volunteer_ready: BoolArray
    family_eligible: BoolArray
    forbidden: NDArray[np.int64]  # sorted keys f * volunteers + v
    family_language_bits: NDArray[np.uint64]  # [f, word]: languages as bits
    volunteer_language_bits: NDArray[np.uint64]  # [v, word]
    family_gender: NDArray[np.int8]  # the hard wish, -1 for none
    volunteer_gender: NDArray[np.int8]
    family_no_pets: BoolArray  # hard wishes only
    volunteer_pets: BoolArray
    family_non_smoker: BoolArray
    volunteer_smokes: BoolArray
    family_place: NDArray[np.int64]  # street or area code, -1 for none (or the rule off)
    volunteer_place: NDArray[np.int64]

    @property
    def volunteer_count(self) -> int:
        return len(self.volunteer_ready)


def rule_facts(p: PreparedRound) -> RuleFacts:
    """Gather, once per round, the per-person facts every rule looks up."""
    policy = p.round.policy
    families, volunteers = p.families, p.volunteers
    codes = {gender: i for i, gender in enumerate(Gender)}
    keys = np.array(sorted(f * len(volunteers) + v for f, v in p.forbidden), dtype=np.int64)
    family_place, volunteer_place = _place_codes(p)
    return RuleFacts(
        prepared=p,
        plane=plane(p.family_lat, p.family_lon, p.volunteer_lat, p.volunteer_lon),
        volunteer_ready=np.array(
            [
                not policy.require_training_and_vog or (v.training_complete and v.vog_complete)
                for v in volunteers
            ],
            dtype=bool,
        ),
        family_eligible=np.array(
            [
                not policy.enforce_age_limit
                or family_is_eligible(
                    f.age_limit,
                    stage.youngest_age,
                    stage.pregnancy_weeks,
                    policy.min_pregnancy_weeks,
                )
                for f, stage in zip(families, p.family_stages, strict=True)
            ],
            dtype=bool,
        ),
        forbidden=keys,
        family_language_bits=_bits(p.family_languages),
        volunteer_language_bits=_bits(p.volunteer_languages),
        family_gender=np.array(
            [
                codes[f.volunteer_gender]
                if f.volunteer_gender is not None and f.volunteer_gender_rule == Strength.HARD
                else -1
                for f in families
            ],
            dtype=np.int8,
        ),
        volunteer_gender=np.array([codes[v.gender] for v in volunteers], dtype=np.int8),
        family_no_pets=np.array([f.no_pets == Strength.HARD for f in families], dtype=bool),
        volunteer_pets=np.array([v.has_pets for v in volunteers], dtype=bool),
        family_non_smoker=np.array([f.non_smoker == Strength.HARD for f in families], dtype=bool),
        volunteer_smokes=np.array([v.smokes for v in volunteers], dtype=bool),
        family_place=family_place,
        volunteer_place=volunteer_place,
    )


def family_is_eligible(
    age_limit: int, youngest_age: float | None, pregnancy_weeks: float | None, min_weeks: int
) -> bool:
    """In the programme: the youngest child is under the age limit, or a pregnancy is far enough."""
    if youngest_age is not None and youngest_age < age_limit:
        return True
    return pregnancy_weeks is not None and pregnancy_weeks >= min_weeks


def _not_ready(t: RuleFacts, f: Index, v: Index, distance: FloatArray) -> BoolArray:
    """Only volunteers with training and certificate of conduct complete may be matched."""
    violated: BoolArray = ~t.volunteer_ready[v]
    return violated


def _no_capacity(t: RuleFacts, f: Index, v: Index, distance: FloatArray) -> BoolArray:
    """A volunteer whose capacity is taken by active matches gets no new family."""
    violated: BoolArray = t.prepared.volunteer_free_capacity[v] <= 0
    return violated


def _age_limit(t: RuleFacts, f: Index, v: Index, distance: FloatArray) -> BoolArray:
    """Families outside the programme (youngest child too old, pregnancy too early)."""
    violated: BoolArray = ~t.family_eligible[f]
    return violated


def _forbidden(t: RuleFacts, f: Index, v: Index, distance: FloatArray) -> BoolArray:
    """Declined pairs and exclusions are never proposed again."""
    if t.forbidden.size == 0:
        return np.zeros(f.size, dtype=bool)
    keys = f.astype(np.int64) * t.volunteer_count + v
    at = np.minimum(np.searchsorted(t.forbidden, keys), t.forbidden.size - 1)
    violated: BoolArray = t.forbidden[at] == keys
    return violated


def _language(t: RuleFacts, f: Index, v: Index, distance: FloatArray) -> BoolArray:
    """A pair must share a language; Dutch counts when the family speaks it."""
    if not t.prepared.round.policy.require_common_language:
        return np.zeros(f.size, dtype=bool)
    shared = t.family_language_bits[f] & t.volunteer_language_bits[v]
    violated: BoolArray = ~np.any(shared != 0, axis=1)
    return violated


def _travel(t: RuleFacts, f: Index, v: Index, distance: FloatArray) -> BoolArray:
    """A volunteer never travels further than their own limit (and the policy's)."""
    if not t.prepared.round.policy.enforce_travel_limit:
        return np.zeros(f.size, dtype=bool)
    violated: BoolArray = distance > t.prepared.volunteer_max_km[v]
    return violated


def _availability(t: RuleFacts, f: Index, v: Index, distance: FloatArray) -> BoolArray:
    """Both must be free in the same weekly half-day (locked visits taken out)."""
    p = t.prepared
    violated: BoolArray = (p.family_slots[f] & p.volunteer_free_slots[v]) == 0
    return violated


def _gender(t: RuleFacts, f: Index, v: Index, distance: FloatArray) -> BoolArray:
    """A family's hard wish for a volunteer's gender."""
    wanted = t.family_gender[f]
    violated: BoolArray = (wanted >= 0) & (wanted != t.volunteer_gender[v])
    return violated


def _pets(t: RuleFacts, f: Index, v: Index, distance: FloatArray) -> BoolArray:
    """A family that must avoid pets (allergy) gets no volunteer with pets."""
    violated: BoolArray = t.family_no_pets[f] & t.volunteer_pets[v]
    return violated


def _smoking(t: RuleFacts, f: Index, v: Index, distance: FloatArray) -> BoolArray:
    """A family that requires a non-smoker gets no volunteer who smokes."""
    violated: BoolArray = t.family_non_smoker[f] & t.volunteer_smokes[v]
    return violated


def _same_place(t: RuleFacts, f: Index, v: Index, distance: FloatArray) -> BoolArray:
    """Conflict of interest: no pair living in the same street (or area, by policy)."""
    code = t.family_place[f]
    violated: BoolArray = (code > 0) & (code == t.volunteer_place[v])
    return violated


RuleCheck = Callable[[RuleFacts, Index, Index, FloatArray], BoolArray]

RULE_CHECKS: dict[Rule, RuleCheck] = {
    Rule.NOT_READY: _not_ready,
    Rule.NO_CAPACITY: _no_capacity,
    Rule.AGE_LIMIT: _age_limit,
    Rule.FORBIDDEN: _forbidden,
    Rule.LANGUAGE: _language,
    Rule.TRAVEL: _travel,
    Rule.AVAILABILITY: _availability,
    Rule.GENDER: _gender,
    Rule.PETS: _pets,
    Rule.SMOKING: _smoking,
    Rule.SAME_PLACE: _same_place,
}


def pair_rejections(
    t: RuleFacts,
    f: Index,
    v: Index,
    distance: FloatArray,
    rules: tuple[Rule, ...] = RULES,
) -> NDArray[np.uint16]:
    """Bitmask per pair of every rule in ``rules`` it violates (0 = allowed by them)."""
    rejected = np.zeros(f.size, dtype=np.uint16)
    for rule in rules:
        np.bitwise_or(
            rejected, RULE_BIT[rule], out=rejected, where=RULE_CHECKS[rule](t, f, v, distance)
        )
    return rejected


def reach_distances(t: RuleFacts, f: Index, v: Index) -> FloatArray:
    """Per pair, the exact distance where the planar bound is within the volunteer's limit
    (where the travel rule needs it), else that bound (already beyond the limit)."""
    distance = t.plane.bound_km(f, v).astype(np.float64)
    near = distance <= t.prepared.volunteer_max_km[v]
    if not t.prepared.round.policy.enforce_travel_limit:
        near[:] = True
    p = t.prepared
    distance[near] = pairwise_km(
        p.family_lat[f[near]],
        p.family_lon[f[near]],
        p.volunteer_lat[v[near]],
        p.volunteer_lon[v[near]],
    )
    return distance


def rejections(t: RuleFacts, families: Index) -> NDArray[np.uint16]:
    """Bitmask ``[len(families), volunteers]`` of every hard rule each pair violates: the full
    picture for a few families, exact like the candidate search."""
    count = t.volunteer_count
    f = np.repeat(families, count)
    v = np.tile(np.arange(count), families.size)
    return pair_rejections(t, f, v, reach_distances(t, f, v)).reshape(families.size, count)


def rules_in(mask: int) -> list[Rule]:
    """The rules set in a rejection bitmask, in report order."""
    return [rule for rule in RULES if mask & int(RULE_BIT[rule])]


def _bits(membership: NDArray[np.bool_]) -> NDArray[np.uint64]:
    """Rows of a ``[person, item]`` membership matrix as 64-bit words."""
    words = max(1, -(-membership.shape[1] // 64))
    bits = np.zeros((membership.shape[0], words), dtype=np.uint64)
    for item in range(membership.shape[1]):
        word, bit = divmod(item, 64)
        bits[membership[:, item], word] |= np.uint64(1 << bit)
    return bits


def _place_codes(p: PreparedRound) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Street (6 characters) or area (4) of every postcode as a shared code; -1 for none."""
    rule = p.round.policy.same_place
    if rule == SamePlaceRule.OFF:
        return np.full(len(p.families), -1, dtype=np.int64), np.full(
            len(p.volunteers), -1, dtype=np.int64
        )
    length = 6 if rule == SamePlaceRule.STREET else 4
    codes: dict[str, int] = {}

    def encode(postcodes: tuple[str | None, ...]) -> NDArray[np.int64]:
        return np.array(
            [
                codes.setdefault(pc[:length], len(codes) + 1)
                if pc is not None and len(pc) >= length
                else -1
                for pc in postcodes
            ],
            dtype=np.int64,
        )

    family_code = encode(p.family_pc6)
    return family_code, encode(p.volunteer_pc6)
