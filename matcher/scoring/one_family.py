"""One family against every volunteer: the hard rules each pair fails, and the quality of the
pairs that fail at most one, with the engine's own rule checks and terms (no second copy).

The rules that need no distance run on every volunteer; the exact distance is computed only for
the volunteers those leave with at most one failed rule (the others can neither be proposed nor
be a near miss), less those who fail one and are surely beyond their travel limit by the
planar lower bound; the travel rule then runs on them. No families x volunteers grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from matcher.domain.prepared import PreparedRound
from matcher.geo.distance import pairwise_km
from matcher.scoring.candidates import Candidates, min_points
from matcher.scoring.rules import RULES, Rule, pair_rejections, rule_facts
from matcher.scoring.scale import priority_multiplier, quality_points
from matcher.scoring.terms import TERMS, weighted_quality

Masks = NDArray[np.uint16]

WITHOUT_DISTANCE = tuple(rule for rule in RULES if rule != Rule.TRAVEL)
"""The rules that compare facts only, checked before any distance is computed."""


@dataclass(frozen=True)
class FamilyPairs:
    """The view's family (index 0) with each volunteer who fails at most one hard rule."""

    pairs: Candidates  # scored like the engine's candidates, ineligible pairs included
    rejected: Masks  # per pair, the bitmask of the rules it fails (0: may be proposed)

    @property
    def eligible(self) -> NDArray[np.intp]:
        """The pairs that break no hard rule."""
        return np.flatnonzero(self.rejected == 0)

    @property
    def near_misses(self) -> NDArray[np.intp]:
        """The pairs that break exactly one hard rule."""
        return np.flatnonzero(self.rejected != 0)


def score_family(view: PreparedRound, waiting_families: int) -> FamilyPairs:
    """Check every hard rule of the view's one family against every volunteer and score the
    pairs that fail at most one; ``waiting_families`` sets the objective weight as in the
    full round."""
    facts = rule_facts(view)
    count = len(view.volunteers)
    f = np.zeros(count, dtype=np.intp)
    v = np.arange(count, dtype=np.intp)
    rejected = pair_rejections(facts, f, v, np.full(count, np.nan), WITHOUT_DISTANCE)
    close = _at_most_one(rejected)
    if view.round.policy.enforce_travel_limit:  # surely too far, and failing another rule
        close &= (rejected == 0) | (facts.plane.bound_km(f, v) <= view.volunteer_max_km)
    f, v, rejected = f[close], v[close], rejected[close]
    distance = pairwise_km(
        view.family_lat[f], view.family_lon[f], view.volunteer_lat[v], view.volunteer_lon[v]
    )
    rejected |= pair_rejections(facts, f, v, distance, (Rule.TRAVEL,))
    close = _at_most_one(rejected)
    f, v, rejected, distance = f[close], v[close], rejected[close], distance[close]
    terms = {name: term(view, f, v, distance) for name, term in TERMS.items()}
    quality = weighted_quality(terms, view.round.weights.model_dump())
    points = quality_points(quality)
    poor = (rejected == 0) & (points < min_points(view.round.policy))
    if poor.any():
        keep = ~poor
        f, v, rejected, distance = f[keep], v[keep], rejected[keep], distance[keep]
        terms = {name: values[keep] for name, values in terms.items()}
        poor_quality, quality, points = quality[poor], quality[keep], points[keep]
    else:
        poor_quality = np.zeros(0)
    multiplier = priority_multiplier(waiting_families)
    pairs = Candidates(
        prepared=view,
        family=f,
        volunteer=v,
        shared_slots=view.family_slots[f] & view.volunteer_free_slots[v],
        distance_km=distance,
        terms=terms,
        quality=quality,
        points=points,
        weight=multiplier * view.family_priority[f] + points,
        multiplier=multiplier,
        facts=facts,
        poor_fits=np.array([poor_quality.size], dtype=np.int64),
        best_poor_fit=np.array([poor_quality.max(initial=0.0)]),
    )
    return FamilyPairs(pairs, rejected)


def _at_most_one(masks: Masks) -> NDArray[np.bool_]:
    """Where a bitmask has at most one bit set."""
    result: NDArray[np.bool_] = (masks & (masks - 1)) == 0
    return result
