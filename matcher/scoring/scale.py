"""The one place where float scores become the solver's integers."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

QUALITY_SCALE = 1000
"""A pair's quality in 0..1 becomes 0..1000 points (rounded half to even)."""


def quality_points(quality: NDArray[np.float64]) -> NDArray[np.int64]:
    """Scale qualities in 0..1 to integer points 0..QUALITY_SCALE."""
    return np.rint(np.asarray(quality) * QUALITY_SCALE).astype(np.int64)


def priority_multiplier(waiting_families: int, bonus: int = 0) -> int:
    """Weight of one priority point: larger than any achievable total quality (plus a ``bonus``
    of at most that many points per family, such as the stability bonus), so that priority
    (families matched, weighted by waiting and re-match) strictly comes first."""
    return (QUALITY_SCALE + bonus) * waiting_families + 1
