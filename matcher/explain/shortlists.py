"""Per family, the best few eligible volunteers, for the coordinator to choose from."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from matcher.domain.slots import mask_to_slots
from matcher.result import Alternative, Shortlist
from matcher.scoring.candidates import Candidates


def build_shortlists(candidates: Candidates, chosen: list[int], k: int) -> list[Shortlist]:
    """Top-``k`` volunteers by quality (then distance, then input order) for every waiting
    family, marking who each volunteer is proposed to, and the one proposed to this family."""
    c = candidates
    p = c.prepared
    proposed_to: defaultdict[int, list[str]] = defaultdict(list)
    for pair in chosen:
        proposed_to[int(c.volunteer[pair])].append(p.families[int(c.family[pair])].id)
    proposed = set(chosen)
    # Pairs are sorted by family; within a family order by quality desc, distance, volunteer.
    order = np.lexsort((c.volunteer, c.distance_km, -c.points, c.family))
    family = c.family[order]
    rank = np.arange(len(order)) - np.searchsorted(family, family, side="left")
    per_family: defaultdict[int, list[int]] = defaultdict(list)
    for pair in order[rank < k].tolist():
        per_family[int(c.family[pair])].append(pair)
    return [
        Shortlist(
            family_id=p.families[f].id,
            alternatives=[
                _alternative(c, pair, proposed_to, pair in proposed)
                for pair in per_family.get(f, [])
            ],
        )
        for f in np.flatnonzero(p.family_waiting).tolist()
    ]


def _alternative(
    c: Candidates, pair: int, proposed_to: dict[int, list[str]], proposed: bool
) -> Alternative:
    v = int(c.volunteer[pair])
    return Alternative(
        volunteer_id=c.prepared.volunteers[v].id,
        quality=round(float(c.quality[pair]), 3),
        distance_km=round(float(c.distance_km[pair]), 2),
        shared_slots=mask_to_slots(int(c.shared_slots[pair])),
        proposed_to=proposed_to.get(v, []),
        proposed=proposed,
    )
