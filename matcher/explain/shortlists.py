"""Per family, the best few eligible volunteers, for the coordinator to choose from."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from numpy.typing import NDArray

from matcher.domain.slots import mask_to_slots
from matcher.result import Alternative, Shortlist
from matcher.scoring.candidates import Candidates, best_fit_order


def build_shortlists(candidates: Candidates, chosen: list[int], k: int) -> list[Shortlist]:
    """Top-``k`` volunteers by quality (then distance, then input order) for every waiting
    family, marking who each volunteer is proposed to, and the one proposed to this family."""
    c = candidates
    p = c.prepared
    proposed_to: defaultdict[int, list[str]] = defaultdict(list)
    for pair in chosen:
        proposed_to[int(c.volunteer[pair])].append(p.families[int(c.family[pair])].id)
    proposed = set(chosen)
    per_family: defaultdict[int, list[int]] = defaultdict(list)
    for pair in top_pairs(c, k).tolist():
        per_family[int(c.family[pair])].append(pair)
    # Built without re-validation: a shortlist per waiting family, all from the round.
    return [
        Shortlist.model_construct(
            family_id=p.families[f].id,
            alternatives=[
                _alternative(c, pair, proposed_to, pair in proposed)
                for pair in per_family.get(f, [])
            ],
        )
        for f in np.flatnonzero(p.family_waiting).tolist()
    ]


def top_pairs(c: Candidates, k: int) -> NDArray[np.intp]:
    """Each family's ``k`` best pairs, by family, then quality desc, distance, volunteer. Only
    the pairs that tie with or beat a family's ``k``-th best points are sorted by distance."""
    if k <= 0 or len(c) == 0:
        return np.zeros(0, dtype=np.intp)
    order = best_fit_order(c)
    family = c.family[order]
    first = np.searchsorted(family, family, side="left")
    last = np.minimum(first + k, np.searchsorted(family, family, side="right")) - 1
    points = c.points[order]
    contenders = order[points >= points[last]]
    ranked = contenders[
        np.lexsort(
            (
                c.volunteer[contenders],
                c.distance_km[contenders],
                -c.points[contenders],
                c.family[contenders],
            )
        )
    ]
    family = c.family[ranked]
    rank = np.arange(ranked.size) - np.searchsorted(family, family, side="left")
    top: NDArray[np.intp] = ranked[rank < k]
    return top


def _alternative(
    c: Candidates, pair: int, proposed_to: dict[int, list[str]], proposed: bool
) -> Alternative:
    v = int(c.volunteer[pair])
    return Alternative.model_construct(
        volunteer_id=c.prepared.volunteers[v].id,
        quality=round(float(c.quality[pair]), 3),
        distance_km=round(float(c.distance_km[pair]), 2),
        shared_slots=mask_to_slots(int(c.shared_slots[pair])),
        proposed_to=proposed_to.get(v, []),
        proposed=proposed,
    )
