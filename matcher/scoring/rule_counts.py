"""How many volunteers each hard rule rules out, per family, exactly, without a family x
volunteer grid.

Most rules compare one fact of the family with one fact of the volunteer, so a family's count is
a look-up in a histogram of the volunteers' facts: their languages, genders, postcodes and free
half-days. Half-days use a sum over subsets: the volunteers free in none of a family's half-days
are those whose free half-days lie within the complement of the family's. Only travel needs
distances, and only to the volunteers within reach (``matcher.geo.reach``).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from numpy.typing import NDArray

from matcher.geo.distance import pairwise_km
from matcher.geo.reach import pairs_in_reach
from matcher.scoring.rules import Rule, RuleFacts

Counts = NDArray[np.int64]
Index = NDArray[np.intp]


BLOCK_CELLS = 4_000_000
"""Family x half-day-set cells compared at once (bounds the memory of one block)."""


def rule_counts(t: RuleFacts, families: Index) -> dict[Rule, Counts]:
    """Per rule, for each of ``families``, how many volunteers violate it."""
    volunteers = t.volunteer_count
    everyone = np.full(families.size, volunteers, dtype=np.int64)
    nobody = np.zeros(families.size, dtype=np.int64)
    p = t.prepared
    return {
        Rule.NOT_READY: nobody + int(np.count_nonzero(~t.volunteer_ready)),
        Rule.NO_CAPACITY: nobody + int(np.count_nonzero(p.volunteer_free_capacity <= 0)),
        Rule.AGE_LIMIT: np.where(t.family_eligible[families], 0, everyone),
        Rule.FORBIDDEN: _forbidden(t, families),
        Rule.LANGUAGE: _language(t, families) if p.round.policy.require_common_language else nobody,
        Rule.TRAVEL: _travel(t, families) if p.round.policy.enforce_travel_limit else nobody,
        Rule.AVAILABILITY: _availability(t, families),
        Rule.GENDER: _gender(t, families),
        Rule.PETS: np.where(t.family_no_pets[families], int(t.volunteer_pets.sum()), 0),
        Rule.SMOKING: np.where(t.family_non_smoker[families], int(t.volunteer_smokes.sum()), 0),
        Rule.SAME_PLACE: _same_place(t, families),
    }


def _forbidden(t: RuleFacts, families: Index) -> Counts:
    per_family = np.bincount(
        t.forbidden // max(t.volunteer_count, 1), minlength=len(t.prepared.families)
    )
    counts: Counts = per_family[families].astype(np.int64)
    return counts


def _language(t: RuleFacts, families: Index) -> Counts:
    """Volunteers sharing no language: grouped by the families' and volunteers' language sets."""
    if t.volunteer_count == 0:
        return np.zeros(families.size, dtype=np.int64)
    speakers: Counter[tuple[int, ...]] = Counter(map(tuple, t.volunteer_language_bits.tolist()))
    sets = np.array(list(speakers), dtype=np.uint64).reshape(len(speakers), -1)
    sizes = np.array(list(speakers.values()), dtype=np.int64)
    wanted, family_set = np.unique(t.family_language_bits[families], axis=0, return_inverse=True)
    shared = np.array(
        [int(sizes[np.any((sets & row) != 0, axis=1)].sum()) for row in wanted], dtype=np.int64
    )
    counts: Counts = t.volunteer_count - shared[family_set.ravel()]
    return counts


def _travel(t: RuleFacts, families: Index) -> Counts:
    """Volunteers beyond their limit: all but those within it, whom the reach index finds."""
    p = t.prepared
    within = np.zeros(len(p.families), dtype=np.int64)
    volunteers = np.arange(t.volunteer_count)
    for f, v in pairs_in_reach(t.plane, p.volunteer_max_km, families, volunteers):
        within += np.bincount(f[within_limit(t, f, v)], minlength=within.size)
    counts: Counts = t.volunteer_count - within[families]
    return counts


SPHERE_KM = 6371.0088
"""The mean Earth radius: on this sphere, distances are within 0.6 % of the geodesic ones."""

SPHERE_MARGIN = 0.01
"""Pairs whose distance on the sphere is within 1 % of the limit get the exact distance."""


def within_limit(t: RuleFacts, f: Index, v: Index) -> NDArray[np.bool_]:
    """Whether each pair's exact (geodesic) distance is within the volunteer's limit. The
    distance on a sphere (haversine) settles every pair but those near the limit, which get
    the exact one."""
    p = t.prepared
    limit = p.volunteer_max_km[v]
    lat1, lat2 = np.radians(p.family_lat[f]), np.radians(p.volunteer_lat[v])
    dlon = np.radians(p.volunteer_lon[v] - p.family_lon[f])
    half = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    sphere = 2 * SPHERE_KM * np.arcsin(np.sqrt(np.minimum(half, 1.0)))
    within: NDArray[np.bool_] = sphere <= limit * (1 - SPHERE_MARGIN)
    unsure = np.flatnonzero(~within & (sphere <= limit * (1 + SPHERE_MARGIN)))
    uf, uv = f[unsure], v[unsure]
    km = pairwise_km(p.family_lat[uf], p.family_lon[uf], p.volunteer_lat[uv], p.volunteer_lon[uv])
    within[unsure] = km <= limit[unsure]
    return within


def _availability(t: RuleFacts, families: Index) -> Counts:
    """Volunteers free in none of the family's half-days: volunteers grouped by their free
    half-days (few distinct sets), each family checked against every set, in blocks."""
    masks, volunteers = np.unique(t.prepared.volunteer_free_slots, return_counts=True)
    wanted = t.prepared.family_slots[families]
    counts: Counts = np.zeros(len(families), dtype=np.int64)
    block = max(1, BLOCK_CELLS // max(len(masks), 1))
    for start in range(0, len(families), block):
        disjoint = (wanted[start : start + block, None] & masks[None, :]) == 0
        counts[start : start + block] = disjoint.astype(np.int64) @ volunteers
    return counts


def _gender(t: RuleFacts, families: Index) -> Counts:
    wanted = t.family_gender[families]
    per_gender = np.bincount(
        t.volunteer_gender.astype(np.int64), minlength=int(wanted.max(initial=0)) + 1
    )
    counts: Counts = np.where(
        wanted >= 0, t.volunteer_count - per_gender[np.maximum(wanted, 0)], 0
    ).astype(np.int64)
    return counts


def _same_place(t: RuleFacts, families: Index) -> Counts:
    codes = t.volunteer_place[t.volunteer_place > 0]
    top = int(max(codes.max(initial=0), t.family_place.max(initial=0)))
    per_place = np.bincount(codes, minlength=top + 1)
    code = t.family_place[families]
    counts: Counts = np.where(code > 0, per_place[np.maximum(code, 0)], 0).astype(np.int64)
    return counts
