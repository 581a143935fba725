"""The flow network's working memory grows with its arcs by a bounded amount per arc: 32-bit node
arrays filled in place, no 64-bit pair x half-day grid (the 20,000 x 30,000 round's peak)."""

from __future__ import annotations

import tracemalloc

import numpy as np

from matcher.solve.flow import max_weight_matching

BYTES_PER_ARC = 70
"""Measured about 58 (the 64-bit grid and its copies took about 93)."""


def test_the_network_of_many_pairs_stays_within_its_memory_per_arc() -> None:
    rng = np.random.default_rng(0)
    families, volunteers = 20_000, 5_000
    keys = np.unique(rng.integers(0, families * volunteers, size=200_000))
    family, volunteer = (keys // volunteers).astype(np.intp), (keys % volunteers).astype(np.intp)
    weight = rng.integers(1, 1_000, size=keys.size)
    places = np.full(volunteers, 2)
    shared = rng.integers(1, 1 << 21, size=keys.size)
    arcs = int(np.bitwise_count(shared.astype(np.uint64)).sum())  # one per pair and half-day
    tracemalloc.start()
    try:
        matching = max_weight_matching(family, volunteer, weight, places, shared)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert matching.optimal
    assert peak < BYTES_PER_ARC * arcs
