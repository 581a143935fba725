"""The dense reference for the hard rules: every family x volunteer pair of a round as one
``[f, v]`` grid (the engine's former implementation, kept here as an oracle for the search that
looks only at pairs within reach).

Each rule is one small function over the whole ``[f, v]`` grid that returns where it is
*violated*. ``reject_matrix`` runs them all and records, per pair, a bitmask of every rule it
fails, so that explanations can say which rules kept a family from each volunteer.
Distances are exact (Vincenty) wherever they decide a pair; a cheap lower bound settles the
pairs that are clearly too far apart.
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
from matcher.geo.distance import lower_bound_km, pairwise_km

BoolMatrix = NDArray[np.bool_]


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


@dataclass(frozen=True)
class Grid:
    """The full ``[f, v]`` grid with the distances that rules and terms need."""

    prepared: PreparedRound
    distance_km: NDArray[
        np.float64
    ]  # exact where the lower bound is within some limit, else the bound


def build_grid(prepared: PreparedRound) -> Grid:
    """Distances for every pair: exact Vincenty where it can matter, the lower bound elsewhere."""
    distance = lower_bound_km(
        prepared.family_lat, prepared.family_lon, prepared.volunteer_lat, prepared.volunteer_lon
    ).astype(np.float64)
    if prepared.round.policy.enforce_travel_limit:
        near = distance <= prepared.volunteer_max_km[None, :]
    else:
        near = np.ones_like(distance, dtype=bool)
    f_idx, v_idx = np.nonzero(near)
    distance[f_idx, v_idx] = pairwise_km(
        prepared.family_lat[f_idx],
        prepared.family_lon[f_idx],
        prepared.volunteer_lat[v_idx],
        prepared.volunteer_lon[v_idx],
    )
    return Grid(prepared=prepared, distance_km=distance)


def _not_ready(grid: Grid) -> BoolMatrix:
    """Only volunteers with training and certificate of conduct complete may be matched."""
    p = grid.prepared
    if not p.round.policy.require_training_and_vog:
        return _none(p)
    ready = np.array([v.training_complete and v.vog_complete for v in p.volunteers], dtype=bool)
    return np.broadcast_to(~ready[None, :], _shape(p))


def _no_capacity(grid: Grid) -> BoolMatrix:
    """A volunteer whose capacity is taken by active matches gets no new family."""
    p = grid.prepared
    return np.broadcast_to((p.volunteer_free_capacity <= 0)[None, :], _shape(p))


def _age_limit(grid: Grid) -> BoolMatrix:
    """Families outside the programme (youngest child too old, pregnancy too early)."""
    p = grid.prepared
    if not p.round.policy.enforce_age_limit:
        return _none(p)
    eligible = np.array(
        [
            family_is_eligible(
                f.age_limit,
                stage.youngest_age,
                stage.pregnancy_weeks,
                p.round.policy.min_pregnancy_weeks,
            )
            for f, stage in zip(p.families, p.family_stages, strict=True)
        ],
        dtype=bool,
    )
    return np.broadcast_to(~eligible[:, None], _shape(p))


def family_is_eligible(
    age_limit: int, youngest_age: float | None, pregnancy_weeks: float | None, min_weeks: int
) -> bool:
    """In the programme: the youngest child is under the age limit, or a pregnancy is far enough."""
    if youngest_age is not None and youngest_age < age_limit:
        return True
    return pregnancy_weeks is not None and pregnancy_weeks >= min_weeks


def _forbidden(grid: Grid) -> BoolMatrix:
    """Declined pairs and exclusions are never proposed again."""
    p = grid.prepared
    violated = np.zeros(_shape(p), dtype=bool)
    if p.forbidden:
        f_idx, v_idx = np.array(sorted(p.forbidden)).T
        violated[f_idx, v_idx] = True
    return violated


def _language(grid: Grid) -> BoolMatrix:
    """A pair must share a language; Dutch counts when the family speaks it."""
    p = grid.prepared
    if not p.round.policy.require_common_language:
        return _none(p)
    shared = p.family_languages.astype(np.float32) @ p.volunteer_languages.T.astype(np.float32)
    violated: BoolMatrix = shared == 0
    return violated


def _travel(grid: Grid) -> BoolMatrix:
    """A volunteer never travels further than their own limit (and the policy's)."""
    p = grid.prepared
    if not p.round.policy.enforce_travel_limit:
        return _none(p)
    violated: BoolMatrix = grid.distance_km > p.volunteer_max_km[None, :]
    return violated


def _availability(grid: Grid) -> BoolMatrix:
    """Both must be free in the same weekly half-day (locked visits taken out)."""
    p = grid.prepared
    violated: BoolMatrix = (p.family_slots[:, None] & p.volunteer_free_slots[None, :]) == 0
    return violated


def _gender(grid: Grid) -> BoolMatrix:
    """A family's hard wish for a volunteer's gender."""
    p = grid.prepared
    codes = {gender: i for i, gender in enumerate(Gender)}
    wanted = np.array(
        [
            codes[f.volunteer_gender]
            if f.volunteer_gender is not None and f.volunteer_gender_rule == Strength.HARD
            else -1
            for f in p.families
        ],
        dtype=np.int8,
    )
    genders = np.array([codes[v.gender] for v in p.volunteers], dtype=np.int8)
    violated: BoolMatrix = (wanted[:, None] >= 0) & (wanted[:, None] != genders[None, :])
    return violated


def _pets(grid: Grid) -> BoolMatrix:
    """A family that must avoid pets (allergy) gets no volunteer with pets."""
    p = grid.prepared
    hard = np.array([f.no_pets == Strength.HARD for f in p.families], dtype=bool)
    pets = np.array([v.has_pets for v in p.volunteers], dtype=bool)
    violated: BoolMatrix = hard[:, None] & pets[None, :]
    return violated


def _smoking(grid: Grid) -> BoolMatrix:
    """A family that requires a non-smoker gets no volunteer who smokes."""
    p = grid.prepared
    hard = np.array([f.non_smoker == Strength.HARD for f in p.families], dtype=bool)
    smokes = np.array([v.smokes for v in p.volunteers], dtype=bool)
    violated: BoolMatrix = hard[:, None] & smokes[None, :]
    return violated


def _same_place(grid: Grid) -> BoolMatrix:
    """Conflict of interest: no pair living in the same street (or area, by policy)."""
    p = grid.prepared
    rule = p.round.policy.same_place
    if rule == SamePlaceRule.OFF:
        return _none(p)
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
    volunteer_code = encode(p.volunteer_pc6)
    violated: BoolMatrix = (family_code[:, None] == volunteer_code[None, :]) & (
        family_code[:, None] > 0
    )
    return violated


RULE_CHECKS: dict[Rule, Callable[[Grid], BoolMatrix]] = {
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


def reject_matrix(grid: Grid) -> NDArray[np.uint16]:
    """Bitmask ``[f, v]`` of every hard rule each pair violates (0 = allowed)."""
    rejected = np.zeros(_shape(grid.prepared), dtype=np.uint16)
    for rule in RULES:
        np.bitwise_or(rejected, RULE_BIT[rule], out=rejected, where=RULE_CHECKS[rule](grid))
    return rejected


def rules_in(mask: int) -> list[Rule]:
    """The rules set in a rejection bitmask, in report order."""
    return [rule for rule in RULES if mask & int(RULE_BIT[rule])]


def _shape(p: PreparedRound) -> tuple[int, int]:
    return (len(p.families), len(p.volunteers))


def _none(p: PreparedRound) -> BoolMatrix:
    return np.zeros(_shape(p), dtype=bool)
