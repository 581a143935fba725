"""Candidate pairs: every waiting family x volunteer that passes all hard rules, with its terms,
quality and objective weight, as flat numpy arrays (one entry per pair)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from matcher.domain.prepared import PreparedRound
from matcher.scoring.rules import build_grid, reject_matrix
from matcher.scoring.scale import priority_multiplier, quality_points
from matcher.scoring.terms import TERMS, weighted_quality


@dataclass(frozen=True)
class Candidates:
    """Allowed pairs, sorted by family then volunteer (input order)."""

    round: PreparedRound
    family: NDArray[np.intp]
    volunteer: NDArray[np.intp]
    shared_slots: NDArray[np.int64]  # bitmask of half-days both are free
    distance_km: NDArray[np.float64]
    terms: dict[str, NDArray[np.float64]]  # NaN where a term does not apply
    quality: NDArray[np.float64]  # 0..1
    points: NDArray[np.int64]  # quality in solver points
    weight: NDArray[np.int64]  # objective coefficient: multiplier * priority + points
    multiplier: int
    rejected: NDArray[np.uint16]  # [f, v] bitmask of violated rules (0 for allowed pairs)

    def __len__(self) -> int:
        return len(self.family)


def score_candidates(prepared: PreparedRound) -> Candidates:
    """Filter all pairs by the hard rules, then score the ones that remain."""
    grid = build_grid(prepared)
    rejected = reject_matrix(grid)
    allowed = (rejected == 0) & prepared.family_waiting[:, None]
    f, v = np.nonzero(allowed)
    distance = grid.distance_km[f, v]
    terms = {name: term(prepared, f, v, distance) for name, term in TERMS.items()}
    weights = prepared.round.weights.model_dump()
    quality = weighted_quality(terms, weights)
    points = quality_points(quality)
    multiplier = priority_multiplier(int(prepared.family_waiting.sum()))
    return Candidates(
        round=prepared,
        family=f,
        volunteer=v,
        shared_slots=prepared.family_slots[f] & prepared.volunteer_free_slots[v],
        distance_km=distance,
        terms=terms,
        quality=quality,
        points=points,
        weight=multiplier * prepared.family_priority[f] + points,
        multiplier=multiplier,
        rejected=rejected,
    )
