"""First come, first served: what coordinators do by hand, as a baseline to compare against.

Families are taken longest-waiting first (re-matches before everyone); each takes its best
remaining volunteer (highest quality, then nearest) who still has a place and a shared half-day
free. No look-ahead, no proof of anything.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from matcher.check.evaluate import Assignment
from matcher.domain.slots import SLOT_COUNT, SLOT_NAMES
from matcher.scoring.candidates import Candidates


def greedy_assignment(candidates: Candidates) -> list[Assignment]:
    """The first-come-first-served assignment of a scored round."""
    c = candidates
    p = c.round
    by_family: defaultdict[int, list[int]] = defaultdict(list)
    for pair in np.lexsort((c.volunteer, c.distance_km, -c.points, c.family)).tolist():
        by_family[int(c.family[pair])].append(pair)
    order = sorted(
        by_family,
        key=lambda f: (not p.families[f].rematch, p.families[f].registered, f),
    )
    places = p.volunteer_free_capacity.copy()
    taken = [0] * len(p.volunteers)  # slot bitmask used by new matches
    result = []
    for f in order:
        for pair in by_family[f]:
            v = int(c.volunteer[pair])
            free = int(c.shared_slots[pair]) & ~taken[v]
            if places[v] > 0 and free:
                slot = next(s for s in range(SLOT_COUNT) if free >> s & 1)
                places[v] -= 1
                taken[v] |= 1 << slot
                result.append(Assignment(p.families[f].id, p.volunteers[v].id, SLOT_NAMES[slot]))
                break
    return result
