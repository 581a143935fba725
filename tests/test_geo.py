import numpy as np
import pytest

from matcher.geo.distance import geodesic_km, lower_bound_km, pairwise_km
from matcher.geo.postcodes import locate, postcode_areas


def _random_pairs(count: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    areas = list(postcode_areas().values())
    lat = np.array([a.latitude for a in areas])
    lon = np.array([a.longitude for a in areas])
    rng = np.random.default_rng(seed)
    i, j = rng.integers(0, len(areas), count), rng.integers(0, len(areas), count)
    return lat[i], lon[i], lat[j], lon[j]


def test_every_dutch_pc4_area_is_shipped() -> None:
    areas = postcode_areas()
    assert len(areas) == 4086
    utrecht = locate("3511AB")
    assert utrecht is not None and utrecht.place == "Utrecht"
    assert locate("0000") is None


def test_vectorised_distance_matches_geopy_to_a_millimetre() -> None:
    lat1, lon1, lat2, lon2 = _random_pairs(300)
    fast = pairwise_km(lat1, lon1, lat2, lon2)
    reference = [geodesic_km(*args) for args in zip(lat1, lon1, lat2, lon2, strict=True)]
    assert fast == pytest.approx(reference, abs=1e-6)


def test_lower_bound_never_exceeds_the_true_distance() -> None:
    lat1, lon1, lat2, lon2 = _random_pairs(300, seed=1)
    bound = lower_bound_km(lat1, lon1, lat2[:200], lon2[:200])
    exact = pairwise_km(lat1[:, None], lon1[:, None], lat2[None, :200], lon2[None, :200])
    assert bound.shape == (300, 200)
    assert np.all(bound <= exact)
    assert np.all(bound >= 0.9 * exact)  # and it is tight enough to be useful


def test_amsterdam_to_utrecht_is_about_35_km() -> None:
    amsterdam, utrecht = locate("1012"), locate("3511")
    assert amsterdam is not None and utrecht is not None
    km = pairwise_km(
        np.array(amsterdam.latitude),
        np.array(amsterdam.longitude),
        np.array(utrecht.latitude),
        np.array(utrecht.longitude),
    )
    assert 33 < float(km) < 37
