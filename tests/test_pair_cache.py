"""The pair cache: rounds of mostly the same people scored again give exactly the candidates of
a full scoring, field by field, whoever arrived, left or changed in between."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pytest

from matcher import Round, prepare
from matcher.domain.prepared import PreparedRound
from matcher.domain.round import ActiveMatch, Pair, Policy
from matcher.scoring.candidates import Candidates, score_candidates
from matcher.scoring.pair_cache import PairCache
from matcher.simulate.replication import simulate_once
from matcher.simulate.what_if import Lever, Simulation
from matcher.synthetic.generate import Area, generate_round

DAY = date(2027, 3, 1)
ARRAYS = (
    "family",
    "volunteer",
    "shared_slots",
    "distance_km",
    "quality",
    "points",
    "weight",
    "poor_fits",
    "best_poor_fit",
)


def assert_same(full: Candidates, cached: Candidates) -> None:
    """Every array of the two candidates equal, dtype and NaNs included."""
    for name in ARRAYS:
        a, b = getattr(full, name), getattr(cached, name)
        assert a.dtype == b.dtype, name
        assert np.array_equal(a, b, equal_nan=True), name
    assert list(full.terms) == list(cached.terms)
    for name, values in full.terms.items():
        assert np.array_equal(values, cached.terms[name], equal_nan=True), name
    assert full.multiplier == cached.multiplier


def checked(cache: PairCache, rounds: list[int]) -> Callable[[PreparedRound], Candidates]:
    """A scorer that compares the cache with a full scoring on every round it sees."""

    def score(prepared: PreparedRound) -> Candidates:
        full, cached = score_candidates(prepared), cache.score(prepared)
        assert_same(full, cached)
        rounds.append(len(cached))
        return cached

    return score


REGION = Simulation(
    area=Area(provinces=("Utrecht",)),
    start_date=date(2027, 1, 4),
    volunteers=150,
    arrivals_per_year=250,
    waiting_families=20,
    horizon_weeks=30,
    churn_per_year=0.5,
)
MORE_PLACES = Lever(name="more places", capacity_share=0.4, evening_share=0.3)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_replication_with_the_cache_is_the_replication_without_it(seed: int) -> None:
    rounds: list[int] = []
    cached = simulate_once(REGION, MORE_PLACES, seed, score=checked(PairCache(), rounds))
    full = simulate_once(REGION, MORE_PLACES, seed, score=score_candidates)
    assert len(rounds) == 15 and sum(rounds) > 0  # every round compared, candidates found
    assert cached.weeks == full.weeks  # the same proposals accepted, week by week
    assert cached.cases == full.cases
    assert cached.unmatched == full.unmatched


def base_round() -> Round:
    return generate_round(Area(places=("Utrecht",)), 120, 160, 5, DAY)


def test_people_who_change_between_rounds_are_scored_again() -> None:
    cache = PairCache()
    first = base_round()
    assert_same(score_candidates(prepare(first)), cache.score(prepare(first)))
    volunteers, families = list(first.volunteers), list(first.families)
    # A volunteer takes one more family and adds evenings; another stops; one joins.
    volunteers[0] = volunteers[0].model_copy(
        update={"capacity": 3, "slots": (*volunteers[0].slots, "mon-evening")}
    )
    gone = volunteers.pop(1)
    volunteers.append(volunteers[5].model_copy(update={"id": "NEW-V"}))
    # A family moves; another arrives; a third is matched (an active match).
    families[0] = families[0].model_copy(update={"postcode": families[3].postcode})
    families.append(families[7].model_copy(update={"id": "NEW-F"}))
    shared = sorted(set(families[2].slots) & set(volunteers[3].slots))
    matched = (
        (ActiveMatch(family_id=families[2].id, volunteer_id=volunteers[3].id, slot=shared[0]),)
        if shared
        else ()
    )
    second = first.model_copy(
        update={
            # Ten weeks on: waiting weeks, priority and children's ages move on too.
            "reference_date": DAY + timedelta(weeks=10),
            "volunteers": tuple(volunteers),
            "families": tuple(families),
            "active_matches": matched,
            "declined_pairs": (Pair(family_id=families[4].id, volunteer_id=volunteers[4].id),),
        }
    )
    full = score_candidates(prepare(second))
    assert_same(full, cache.score(prepare(second)))
    assert gone.id not in {second.volunteers[v].id for v in full.volunteer}
    # The same round again, then under another policy (every kept rule depends on it).
    assert_same(full, cache.score(prepare(second)))
    wider = second.model_copy(update={"policy": Policy(max_distance_km=3, same_place="area")})
    assert_same(score_candidates(prepare(wider)), cache.score(prepare(wider)))


def test_a_cached_round_with_nobody_waiting_has_no_candidates() -> None:
    cache = PairCache()
    first = base_round()
    cache.score(prepare(first))
    closed = tuple(f.model_copy(update={"status": "closed"}) for f in first.families)
    empty = first.model_copy(update={"families": closed, "active_matches": ()})
    candidates = cache.score(prepare(empty))
    assert len(candidates) == 0
    assert_same(score_candidates(prepare(empty)), candidates)
