"""Geodesic distances on the WGS-84 ellipsoid.

``geodesic_km`` (geopy) is the reference for one pair. ``pairwise_km`` computes many pairs at
once with Vincenty's inverse formula in numpy, which agrees with geopy to well under a metre for
any two places in the Netherlands (tests check it).
"""

from __future__ import annotations

import numpy as np
from geopy.distance import geodesic
from numpy.typing import NDArray

_A = 6378.137  # semi-major axis, km
_F = 1 / 298.257223563
_B = _A * (1 - _F)
_ITERATIONS = 20

FloatArray = NDArray[np.float64]


def geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in km between two points (geopy's geodesic, the reference)."""
    return float(geodesic((lat1, lon1), (lat2, lon2)).km)


def pairwise_km(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Element-wise geodesic distance in km (Vincenty); inputs broadcast against each other."""
    lat1, lon1, lat2, lon2 = np.broadcast_arrays(
        *(np.radians(np.asarray(x, dtype=np.float64)) for x in (lat1, lon1, lat2, lon2))
    )
    shape = lat1.shape
    lat1, lon1, lat2, lon2 = (x.ravel() for x in (lat1, lon1, lat2, lon2))
    big_l = lon2 - lon1
    u1 = np.arctan((1 - _F) * np.tan(lat1))
    u2 = np.arctan((1 - _F) * np.tan(lat2))
    sin_u1, cos_u1 = np.sin(u1), np.cos(u1)
    sin_u2, cos_u2 = np.sin(u2), np.cos(u2)
    # Each pair iterates until its own longitude converges, so that a pair's distance does not
    # depend on which other pairs are computed with it.
    lam = big_l.copy()
    sigma, sin_sigma, cos_sigma, cos2_alpha, cos_2sm = (np.zeros(big_l.size) for _ in range(5))
    active = np.arange(big_l.size)
    for _ in range(_ITERATIONS):
        if active.size == 0:
            break
        su1, cu1, su2, cu2 = sin_u1[active], cos_u1[active], sin_u2[active], cos_u2[active]
        previous = lam[active]
        sin_lam, cos_lam = np.sin(previous), np.cos(previous)
        sin_s = np.hypot(cu2 * sin_lam, cu1 * su2 - su1 * cu2 * cos_lam)
        cos_s = su1 * su2 + cu1 * cu2 * cos_lam
        sig = np.arctan2(sin_s, cos_s)
        safe_sin_sigma = np.where(sin_s == 0, 1.0, sin_s)
        sin_alpha = cu1 * cu2 * sin_lam / safe_sin_sigma
        cos2_a = 1 - sin_alpha**2
        safe_cos2_alpha = np.where(cos2_a == 0, 1.0, cos2_a)
        c2sm = np.where(cos2_a == 0, 0.0, cos_s - 2 * su1 * su2 / safe_cos2_alpha)
        c = _F / 16 * cos2_a * (4 + _F * (4 - 3 * cos2_a))
        lam_next = big_l[active] + (1 - c) * _F * sin_alpha * (
            sig + c * sin_s * (c2sm + c * cos_s * (-1 + 2 * c2sm**2))
        )
        sigma[active], sin_sigma[active], cos_sigma[active] = sig, sin_s, cos_s
        cos2_alpha[active], cos_2sm[active], lam[active] = cos2_a, c2sm, lam_next
        active = active[np.abs(lam_next - previous) >= 1e-12]
    u_sq = cos2_alpha * (_A**2 - _B**2) / _B**2
    big_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    big_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    delta_sigma = (
        big_b
        * sin_sigma
        * (
            cos_2sm
            + big_b
            / 4
            * (
                cos_sigma * (-1 + 2 * cos_2sm**2)
                - big_b / 6 * cos_2sm * (-3 + 4 * sin_sigma**2) * (-3 + 4 * cos_2sm**2)
            )
        )
    )
    distance: FloatArray = (_B * big_a * (sigma - delta_sigma)).reshape(shape)
    return distance


def lower_bound_km(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> NDArray[np.float32]:
    """A cheap lower bound on the geodesic distance from every point 1 to every point 2, as a
    ``[len(lat1), len(lat2)]`` matrix, for discarding far-apart pairs.

    Degrees are turned into km with the shortest length a degree has anywhere in the inputs
    (latitude at the equator; longitude at the inputs' highest latitude), then shortened by a
    safety factor, so the planar distance never exceeds the true one (tests check it). Points
    are projected once; the grid is built in float32, in place.
    """
    lat1, lon1, lat2, lon2 = (
        np.asarray(x, dtype=np.float64).ravel() for x in (lat1, lon1, lat2, lon2)
    )
    if min(lat1.size, lat2.size) == 0:
        return np.zeros((lat1.size, lat2.size), dtype=np.float32)
    highest = max(float(np.max(np.abs(lat1))), float(np.max(np.abs(lat2))))
    x1, y1 = project_km(lat1, lon1, highest)
    x2, y2 = project_km(lat2, lon2, highest)
    dx = np.subtract.outer(x1, x2)
    dy = np.subtract.outer(y1, y2)
    np.multiply(dx, dx, out=dx)
    np.multiply(dy, dy, out=dy)
    np.add(dx, dy, out=dx)
    np.sqrt(dx, out=dx)
    lower: NDArray[np.float32] = dx
    return lower


def project_km(
    lat: FloatArray, lon: FloatArray, highest: float
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Planar ``(x, y)`` in km (float32) for points up to latitude ``highest``, on which the
    straight-line distance between two points is a lower bound on their geodesic distance
    (see ``lower_bound_km``)."""
    km_per_lon_degree = _KM_PER_DEGREE_LON_EQUATOR * np.cos(np.radians(highest))
    x = np.asarray(lon, dtype=np.float64) * km_per_lon_degree * _SAFETY
    y = np.asarray(lat, dtype=np.float64) * _KM_PER_DEGREE_LAT_MIN * _SAFETY
    return x.astype(np.float32), y.astype(np.float32)


_KM_PER_DEGREE_LAT_MIN = 110.57  # a degree of latitude at the equator, the shortest anywhere
_KM_PER_DEGREE_LON_EQUATOR = 111.32
_SAFETY = 0.99  # also covers float32 rounding (relative 1e-7)
