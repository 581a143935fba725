"""The search over pairs within reach against the dense reference (every family x volunteer):
the same candidate pairs with the same distances and terms, the same rule bitmask rows, the same
per-rule counts, nearest picks and shortlists that explanations report, on random rounds."""

from __future__ import annotations

import dense_rules as dense
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from random_rounds import random_round

from matcher import Round, prepare, solve
from matcher.explain.shortlists import top_pairs
from matcher.geo.distance import pairwise_km
from matcher.geo.reach import pairs_in_reach
from matcher.scoring.candidates import best_fit_order, score_candidates
from matcher.scoring.nearest import nearest_picks
from matcher.scoring.rule_counts import SPHERE_KM, SPHERE_MARGIN, rule_counts
from matcher.scoring.rules import RULE_BIT, RULES, Rule, rejections
from matcher.scoring.terms import TERMS

SEEDS = st.integers(min_value=0, max_value=2**31 - 1)


def _varied(seed: int, spread: float, policy: dict[str, object]) -> Round:
    """A random round stretched ``spread`` times wider, with hard wishes, volunteers not ready
    or full, postcodes, declined pairs and locked matches sprinkled in."""
    round_ = random_round(seed, volunteers=14, families=18, max_capacity=2)
    rng = np.random.default_rng(seed)
    streets = ["3511 AB", "3511 AC", "3512 AA", None]

    def stretched(person: dict[str, object]) -> dict[str, object]:
        lat, lon = float(str(person["latitude"])), float(str(person["longitude"]))
        # Centred on Utrecht, where the streets below are.
        return {
            "latitude": 52.09 + (lat - 52.0) * spread,
            "longitude": 5.12 + (lon - 5.0) * spread,
        }

    def street(person: dict[str, object]) -> str | None:
        """A Utrecht street for people near it (a postcode far from the point is refused)."""
        here = stretched(person)
        km = np.hypot((here["latitude"] - 52.09) * 111, (here["longitude"] - 5.12) * 68)
        return streets[int(rng.integers(len(streets)))] if km < 10 else None

    data = round_.model_dump(mode="json")
    volunteers = [
        v
        | stretched(v)
        | {
            "vog_complete": bool(rng.random() > 0.1),
            "has_pets": bool(rng.random() < 0.3),
            "smokes": bool(rng.random() < 0.2),
            "gender": str(rng.choice(["female", "male"])),
            "postcode": street(v),
        }
        for v in data["volunteers"]
    ]
    families = [
        f
        | stretched(f)
        | {
            "no_pets": [None, "hard", "soft"][int(rng.integers(3))],
            "non_smoker": [None, "hard", "soft"][int(rng.integers(3))],
            "volunteer_gender": "female" if rng.random() < 0.3 else None,
            "volunteer_gender_rule": str(rng.choice(["hard", "soft"])),
            "postcode": street(f),
        }
        for f in data["families"]
    ]
    data["volunteers"], data["families"] = volunteers, families
    data["declined_pairs"] = [
        {"family_id": families[i]["id"], "volunteer_id": volunteers[j]["id"]}
        for i, j in zip(
            rng.integers(0, len(families), 4), rng.integers(0, len(volunteers), 4), strict=True
        )
    ]
    data["policy"] = {**data["policy"], **policy}
    return Round.model_validate(data)


POLICIES = st.sampled_from(
    [
        {},
        {"enforce_travel_limit": False},
        {"require_common_language": False, "same_place": "area"},
        {"max_distance_km": 4.0, "enforce_age_limit": False, "require_training_and_vog": False},
        {"same_place": "off"},
    ]
)


@settings(max_examples=40, deadline=None)
@given(seed=SEEDS, spread=st.sampled_from([0.3, 1.0, 4.0]), policy=POLICIES)
def test_pairs_within_reach_give_the_dense_candidates_rows_and_counts(
    seed: int, spread: float, policy: dict[str, object]
) -> None:
    prepared = prepare(_varied(seed, spread, policy))
    grid = dense.build_grid(prepared)
    rejected = dense.reject_matrix(grid)
    f, v = np.nonzero((rejected == 0) & prepared.family_waiting[:, None])

    c = score_candidates(prepared)
    np.testing.assert_array_equal(c.family, f)
    np.testing.assert_array_equal(c.volunteer, v)
    np.testing.assert_array_equal(c.distance_km, grid.distance_km[f, v])
    for name, term in TERMS.items():
        np.testing.assert_array_equal(c.terms[name], term(prepared, f, v, grid.distance_km[f, v]))

    families = np.arange(len(prepared.families))
    np.testing.assert_array_equal(rejections(c.facts, families), rejected)
    counts = rule_counts(c.facts, families)
    for i, rule in enumerate(RULES):
        expected = np.count_nonzero(rejected & np.uint16(1 << i), axis=1)
        np.testing.assert_array_equal(counts[rule], expected, err_msg=str(rule))


@settings(max_examples=15, deadline=None)
@given(seed=SEEDS, spread=st.sampled_from([1.0, 4.0]))
def test_unmatched_families_report_the_dense_rejection_counts(seed: int, spread: float) -> None:
    round_ = _varied(seed, spread, {})
    prepared = prepare(round_)
    rejected = dense.reject_matrix(dense.build_grid(prepared))
    for unmatched in solve(round_).unmatched:
        row = rejected[prepared.family_index[unmatched.family_id]]
        expected = {
            str(rule): int(np.count_nonzero(row & np.uint16(1 << i)))
            for i, rule in enumerate(RULES)
            if np.any(row & np.uint16(1 << i))
        }
        assert unmatched.rejected_by == expected


@settings(max_examples=30, deadline=None)
@given(seed=SEEDS, chunk=st.integers(min_value=1, max_value=50))
def test_the_reach_search_finds_each_near_pair_once_in_any_chunk_size(
    seed: int, chunk: int
) -> None:
    prepared = prepare(_varied(seed, 4.0, {}))
    c = score_candidates(prepared)
    limit = prepared.volunteer_max_km
    families = np.arange(len(prepared.families))
    volunteers = np.arange(len(prepared.volunteers))
    found = [
        (int(a), int(b))
        for f, v in pairs_in_reach(c.facts.plane, limit, families, volunteers, chunk)
        for a, b in zip(f, v, strict=True)
    ]
    bound = c.facts.plane.bound_km(
        np.repeat(families, volunteers.size), np.tile(volunteers, families.size)
    )
    near = bound.reshape(families.size, volunteers.size).astype(np.float64) <= limit[None, :]
    assert len(found) == len(set(found))
    assert sorted(found) == [(int(a), int(b)) for a, b in zip(*np.nonzero(near), strict=True)]


def _one_rule(mask: NDArray[np.uint16]) -> NDArray[np.bool_]:
    return (mask != 0) & ((mask & (mask - 1)) == 0)


def _no_rule(mask: NDArray[np.uint16]) -> NDArray[np.bool_]:
    return mask == 0


@settings(max_examples=40, deadline=None)
@given(
    seed=SEEDS,
    spread=st.sampled_from([0.3, 1.0, 4.0, 12.0]),
    k=st.integers(min_value=1, max_value=4),
    policy=POLICIES,
)
def test_the_growing_search_finds_the_nearest_picks_of_the_full_rows(
    seed: int, spread: float, k: int, policy: dict[str, object]
) -> None:
    prepared = prepare(_varied(seed, spread, policy))
    c = score_candidates(prepared)
    families = np.arange(len(prepared.families))
    rows = rejections(c.facts, families)
    f, v = np.repeat(families, rows.shape[1]), np.tile(np.arange(rows.shape[1]), families.size)
    p = prepared
    km = pairwise_km(p.family_lat[f], p.family_lon[f], p.volunteer_lat[v], p.volunteer_lon[v])
    km = km.reshape(rows.shape)
    for rules, accept in (((Rule.LANGUAGE,), _no_rule), (RULES, _one_rule)):
        bits = np.uint16(sum(int(RULE_BIT[rule]) for rule in rules))
        found = nearest_picks(c.facts, families.tolist(), k, rules, accept)
        for family, hits in zip(families.tolist(), found, strict=True):
            masks = rows[family] & bits
            picked = np.flatnonzero(accept(masks))
            expected = sorted(zip(km[family, picked].tolist(), picked.tolist(), strict=True))[:k]
            assert [(d, b) for d, b, _ in hits] == expected
            assert [m for _, b, m in hits] == [int(masks[b]) for _, b in expected]


@settings(max_examples=30, deadline=None)
@given(seed=SEEDS, k=st.integers(min_value=0, max_value=6))
def test_top_pairs_are_the_first_of_each_family_in_the_full_order(seed: int, k: int) -> None:
    c = score_candidates(prepare(_varied(seed, 1.0, {"min_quality": 0.0})))
    order = np.lexsort((c.volunteer, c.distance_km, -c.points, c.family))
    family = c.family[order]
    rank = np.arange(order.size) - np.searchsorted(family, family, side="left")
    np.testing.assert_array_equal(top_pairs(c, k), order[rank < k])
    np.testing.assert_array_equal(best_fit_order(c), np.lexsort((c.volunteer, -c.points, c.family)))


@settings(max_examples=30, deadline=None)
@given(seed=SEEDS)
def test_the_sphere_is_within_its_margin_of_the_geodesic(seed: int) -> None:
    rng = np.random.default_rng(seed)
    lat1, lat2 = rng.uniform(-70, 70, 2000), rng.uniform(-70, 70, 2000)
    lon1, lon2 = rng.uniform(-60, 60, 2000), rng.uniform(-60, 60, 2000)
    near = rng.random(2000) < 0.5  # half of them close together, as in a round
    lat2[near] = lat1[near] + rng.uniform(-0.5, 0.5, near.sum())
    lon2[near] = lon1[near] + rng.uniform(-0.5, 0.5, near.sum())
    exact = pairwise_km(lat1, lon1, lat2, lon2)
    a, b = np.radians(lat1), np.radians(lat2)
    half = (
        np.sin((b - a) / 2) ** 2 + np.cos(a) * np.cos(b) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    sphere = 2 * SPHERE_KM * np.arcsin(np.sqrt(half))
    far = exact > 1e-6
    ratio = sphere[far] / exact[far]
    assert np.all(np.abs(ratio - 1) < SPHERE_MARGIN * 0.7)
