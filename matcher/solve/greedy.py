"""First come, first served: what coordinators do by hand, as a backend to compare against.

Families are taken in waiting order (re-matches first, then by registration date); each takes
its best remaining volunteer (highest quality, then nearest) who still has a place and a shared
half-day free, on the earliest such half-day. No look-ahead, so the result is ``feasible``, never
``optimal``.

The bound is a cheap one that is valid for every round: each family adds at most the weight of
its best candidate pair, and at most as many families can be matched as there are free places,
so the optimum is at most the sum of the largest best-pair weights, one per free place; each
volunteer likewise adds at most the weights of their best pairs, one per free place. The
smaller of the two sums is the bound. It proves how far greedy can be from the optimum, not
that it is close.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from matcher.domain.slots import SLOT_COUNT
from matcher.result import SolveStatus
from matcher.scoring.candidates import Candidates
from matcher.solve.selection import Selection


def solve_greedy(candidates: Candidates) -> Selection:
    """The first-come-first-served selection of a scored round, with a slot for every pair."""
    c = candidates
    p = c.prepared
    by_family: defaultdict[int, list[int]] = defaultdict(list)
    for pair in np.lexsort((c.volunteer, c.distance_km, -c.points, c.family)).tolist():
        by_family[int(c.family[pair])].append(pair)
    order = sorted(
        by_family,
        key=lambda f: (not p.families[f].rematch, p.families[f].registered, f),
    )
    places = p.volunteer_free_capacity.copy()
    taken = [0] * len(p.volunteers)  # slot bitmask used by new matches
    slot_of: dict[int, int] = {}
    for f in order:
        for pair in by_family[f]:
            v = int(c.volunteer[pair])
            free = int(c.shared_slots[pair]) & ~taken[v]
            if places[v] > 0 and free:
                slot = next(s for s in range(SLOT_COUNT) if free >> s & 1)
                places[v] -= 1
                taken[v] |= 1 << slot
                slot_of[pair] = slot
                break
    chosen = np.array(sorted(slot_of), dtype=np.intp)
    objective = int(c.weight[chosen].sum())
    return Selection(
        status=SolveStatus.FEASIBLE,
        chosen=chosen,
        objective=objective,
        bound=upper_bound(c),
        slot_of=slot_of,
    )


def upper_bound(candidates: Candidates) -> int:
    """A proven upper bound on the round's optimum (see the module docstring)."""
    c = candidates
    if len(c) == 0:
        return 0
    places = c.prepared.volunteer_free_capacity
    best = np.zeros(int(c.family.max()) + 1, dtype=np.int64)
    np.maximum.at(best, c.family, c.weight)
    by_families = int(np.sort(best)[::-1][: int(places.sum())].sum())
    # Each volunteer's pairs, heaviest first; keep those ranked below the volunteer's places.
    order = np.lexsort((-c.weight, c.volunteer))
    volunteer = c.volunteer[order]
    first = np.searchsorted(volunteer, volunteer, side="left")
    rank = np.arange(len(order)) - first
    by_volunteers = int(c.weight[order][rank < places[volunteer]].sum())
    return min(by_families, by_volunteers)
