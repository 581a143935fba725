"""Which families each volunteer can reach, without looking at every family x volunteer pair.

People are placed on the plane of ``project_km`` (where straight lines never exceed the geodesic
distance) and bucketed into square cells. A volunteer with travel limit ``r`` can only reach
families in the cells within ``ceil(r / cell)`` of their own; families are sorted by cell, so each
row of those cells is one contiguous slice found by binary search. The pairs are generated in
chunks of bounded size, and only those whose planar distance is within the volunteer's limit are
kept: a superset of the pairs within reach, found in time and memory that grow with the pairs
near each other rather than with families x volunteers.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from matcher.geo.distance import project_km

FloatArray = NDArray[np.float64]
Index = NDArray[np.intp]

CHUNK_PAIRS = 2_000_000
"""Pairs generated at once: bounds the working memory of a search."""

CELLS_PER_LIMIT = 8
"""Cells across the longest travel limit: finer cells scan less area around short limits."""


@dataclass(frozen=True)
class Plane:
    """Families and volunteers of a round on one plane (km, float32)."""

    family_x: NDArray[np.float32]
    family_y: NDArray[np.float32]
    volunteer_x: NDArray[np.float32]
    volunteer_y: NDArray[np.float32]

    def bound_km(self, f: Index, v: Index) -> NDArray[np.float32]:
        """A lower bound on the geodesic distance of each pair ``(f[i], v[i])``."""
        dx = self.family_x[f] - self.volunteer_x[v]
        dy = self.family_y[f] - self.volunteer_y[v]
        np.multiply(dx, dx, out=dx)
        np.multiply(dy, dy, out=dy)
        np.add(dx, dy, out=dx)
        bound: NDArray[np.float32] = np.sqrt(dx, out=dx)
        return bound


def plane(
    family_lat: FloatArray,
    family_lon: FloatArray,
    volunteer_lat: FloatArray,
    volunteer_lon: FloatArray,
) -> Plane:
    """Project everyone with one scale, valid for every pair of them."""
    lats = np.concatenate([np.abs(family_lat), np.abs(volunteer_lat)])
    highest = float(lats.max()) if lats.size else 0.0
    fx, fy = project_km(family_lat, family_lon, highest)
    vx, vy = project_km(volunteer_lat, volunteer_lon, highest)
    return Plane(fx, fy, vx, vy)


def pairs_in_reach(
    where: Plane,
    limit_km: FloatArray,
    families: Index,
    volunteers: Index,
    chunk_pairs: int = CHUNK_PAIRS,
) -> Iterator[tuple[Index, Index]]:
    """Chunks ``(f, v)`` of every pair of the given families and volunteers whose planar
    distance is at most the volunteer's ``limit_km`` (every pair when a limit is infinite).
    Each pair comes exactly once; order within and across chunks is unspecified."""
    if families.size == 0 or volunteers.size == 0:
        return
    limits = limit_km[volunteers]
    longest = float(limits.max())
    if not math.isfinite(longest):
        yield from _all_pairs(families, volunteers, chunk_pairs)
        return
    cell = max(longest / CELLS_PER_LIMIT, 1e-3)
    fx = np.floor(where.family_x[families] / cell).astype(np.int64)
    fy = np.floor(where.family_y[families] / cell).astype(np.int64)
    vx = np.floor(where.volunteer_x[volunteers] / cell).astype(np.int64)
    vy = np.floor(where.volunteer_y[volunteers] / cell).astype(np.int64)
    # floor + 1 rather than ceil: a limit of exactly k cells still looks one cell further, so
    # float rounding at a cell border never hides a family.
    reach = np.floor(limits / cell).astype(np.int64) + 1
    widest = int(reach.max())
    pad = widest + 1
    x0 = min(int(fx.min()), int(vx.min())) - pad
    y0 = min(int(fy.min()), int(vy.min())) - pad
    stride = max(int(fy.max()), int(vy.max())) - y0 + pad + 1
    family_key = (fx - x0) * stride + (fy - y0)
    order = np.argsort(family_key, kind="stable")
    sorted_key = family_key[order]
    sorted_family = families[order]

    # One row of cells per column offset dx: keys (vx + dx, vy - reach) .. (vx + dx, vy + reach).
    offsets = np.arange(-widest, widest + 1)
    column = (vx[:, None] + offsets[None, :] - x0) * stride
    low = column + (vy - reach - y0)[:, None]
    high = column + (vy + reach - y0)[:, None]
    starts = np.searchsorted(sorted_key, low, side="left")
    ends = np.searchsorted(sorted_key, high, side="right")
    ends = np.where(np.abs(offsets)[None, :] <= reach[:, None], ends, starts)
    counts = (ends - starts).sum(axis=1)
    bounds = np.cumsum(counts)
    first = 0
    while first < volunteers.size:
        budget = (bounds[first - 1] if first else 0) + chunk_pairs
        last = max(int(np.searchsorted(bounds, budget, side="right")), first + 1)
        f, v = _expand(
            starts[first:last].ravel(),
            ends[first:last].ravel(),
            np.repeat(volunteers[first:last], offsets.size),
            sorted_family,
        )
        near = where.bound_km(f, v).astype(np.float64) <= limit_km[v]
        yield f[near], v[near]
        first = last


def _expand(
    starts: NDArray[np.int64], ends: NDArray[np.int64], owner: Index, sorted_family: Index
) -> tuple[Index, Index]:
    """Every (family in sorted_family[start:end], owner) of the given slices."""
    counts = ends - starts
    total = int(counts.sum())
    slice_of = np.repeat(np.arange(counts.size), counts)
    offset_in_slice = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    f = sorted_family[starts[slice_of] + offset_in_slice]
    return f, owner[slice_of]


def _all_pairs(
    families: Index, volunteers: Index, chunk_pairs: int
) -> Iterator[tuple[Index, Index]]:
    rows = max(chunk_pairs // volunteers.size, 1)
    for first in range(0, families.size, rows):
        block = families[first : first + rows]
        yield np.repeat(block, volunteers.size), np.tile(volunteers, block.size)
