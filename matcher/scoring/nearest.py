"""The nearest volunteers of each family among those a rule check picks, exactly, without a
family x volunteer grid.

Around every family the volunteers within a radius are found with the reach index
(``matcher.geo.reach``) and checked; a family is settled once its nearest picks lie within the
radius, since everyone outside it is further away (the plane's distances are lower bounds of
the geodesic ones). The others search again with a radius twice as large, until it spans the
whole round. Distances are exact (Vincenty) for the pairs that the rules alone do not exclude.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from matcher.geo.distance import pairwise_km
from matcher.geo.reach import Plane, pairs_in_reach
from matcher.scoring.rules import RULE_BIT, Rule, RuleFacts, pair_rejections, reach_distances

Index = NDArray[np.intp]
Masks = NDArray[np.uint16]

FIRST_RADIUS_KM = 10.0
"""The first search radius around a family; it doubles for the families not yet settled."""

MARGIN_KM = 1e-3
"""Slack on the planar lower bound for float rounding: a family is settled only when its
nearest picks are this much closer than the radius."""

Hit = tuple[float, int, int]
"""A volunteer picked for a family: exact km, volunteer index, the rules the pair violates."""

Accept = Callable[[Masks], NDArray[np.bool_]]
"""Which rejection masks (of ``rules``) a search picks."""


def nearest_picks(
    t: RuleFacts, families: list[int], k: int, rules: tuple[Rule, ...], accept: Accept
) -> list[list[Hit]]:
    """For each of ``families``: the ``k`` nearest volunteers whose rejection mask over
    ``rules`` is accepted, as ``(exact km, v, mask)``, nearest first (ties by input order)."""
    found: dict[int, list[Hit]] = {}
    pending = np.array(sorted(set(families)), dtype=np.intp)
    radius = FIRST_RADIUS_KM
    span = _span_km(t.plane)
    while pending.size:
        whole = radius >= span
        hits = _hits_within(t, pending, radius, k, rules, accept)
        unsettled = []
        for f in pending.tolist():
            mine = hits.get(f, [])
            if whole or (len(mine) == k and mine[-1][0] <= radius - MARGIN_KM):
                found[f] = mine
            else:
                unsettled.append(f)
        pending = np.array(unsettled, dtype=np.intp)
        radius *= 2
    return [found[f] for f in families]


def _hits_within(
    t: RuleFacts, families: Index, radius: float, k: int, rules: tuple[Rule, ...], accept: Accept
) -> dict[int, list[Hit]]:
    """Per family, its ``k`` nearest picks among the volunteers within ``radius`` (planar)."""
    p = t.prepared
    around = Plane(t.plane.volunteer_x, t.plane.volunteer_y, t.plane.family_x, t.plane.family_y)
    limit = np.full(len(p.families), radius)
    everyone = np.arange(t.volunteer_count)
    without_travel = tuple(rule for rule in rules if rule != Rule.TRAVEL)
    travel_bit = RULE_BIT[Rule.TRAVEL] if Rule.TRAVEL in rules else np.uint16(0)
    kept_f, kept_v, kept_km, kept_mask = [_none()], [_none()], [np.zeros(0)], [_no_masks()]
    for v, f in pairs_in_reach(around, limit, everyone, families):
        mask = pair_rejections(t, f, v, np.full(f.size, np.nan), without_travel)
        maybe = accept(mask) | accept(mask | travel_bit)
        f, v, mask = f[maybe], v[maybe], mask[maybe]
        if travel_bit:
            distance = reach_distances(t, f, v)
            mask |= pair_rejections(t, f, v, distance, (Rule.TRAVEL,))
        picked = accept(mask)
        f, v, mask = f[picked], v[picked], mask[picked]
        km = pairwise_km(p.family_lat[f], p.family_lon[f], p.volunteer_lat[v], p.volunteer_lon[v])
        kept = _first_k(f, v, km, k)
        kept_f.append(f[kept])
        kept_v.append(v[kept])
        kept_km.append(km[kept])
        kept_mask.append(mask[kept])
    f, v = np.concatenate(kept_f), np.concatenate(kept_v)
    km, mask = np.concatenate(kept_km), np.concatenate(kept_mask)
    kept = _first_k(f, v, km, k)
    hits: dict[int, list[Hit]] = {}
    for a, b, d, m in zip(
        f[kept].tolist(), v[kept].tolist(), km[kept].tolist(), mask[kept].tolist(), strict=True
    ):
        hits.setdefault(a, []).append((d, b, m))
    return hits


def _first_k(f: Index, v: Index, km: NDArray[np.float64], k: int) -> Index:
    """Indices of each family's ``k`` nearest pairs (ties by volunteer), by family then km."""
    order = np.lexsort((v, km, f))
    family = f[order]
    rank = np.arange(order.size) - np.searchsorted(family, family, side="left")
    kept: Index = order[rank < k]
    return kept


def _span_km(plane: Plane) -> float:
    """A radius that reaches from anyone to anyone on the plane."""
    xs = np.concatenate([plane.family_x, plane.volunteer_x]).astype(np.float64)
    ys = np.concatenate([plane.family_y, plane.volunteer_y]).astype(np.float64)
    if xs.size == 0:
        return 0.0
    return math.hypot(float(np.ptp(xs)), float(np.ptp(ys))) + 1.0


def _none() -> Index:
    return np.zeros(0, dtype=np.intp)


def _no_masks() -> Masks:
    return np.zeros(0, dtype=np.uint16)
