"""The scenario generator: deterministic, valid, realistic, and the shipped scenarios load."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from matcher import prepare
from matcher.io.rounds import load_round
from matcher.synthetic.generate import Area, generate_round

DAY = date(2026, 11, 24)
SCENARIOS = Path(__file__).parent.parent / "scenarios"


def test_same_seed_same_round_other_seed_other_round() -> None:
    area = Area(places=("Zwolle",))
    first = generate_round(area, 25, 30, seed=1, reference_date=DAY)
    assert (
        first.model_dump_json()
        == generate_round(area, 25, 30, seed=1, reference_date=DAY).model_dump_json()
    )
    assert (
        first.model_dump_json()
        != generate_round(area, 25, 30, seed=2, reference_date=DAY).model_dump_json()
    )


def test_a_region_is_valid_and_realistic() -> None:
    area = Area(provinces=("Utrecht",))
    round_ = generate_round(area, 600, 800, seed=5, reference_date=DAY)
    prepared = prepare(round_)  # raises on any bad cross-reference
    assert len(round_.volunteers) == 600
    assert int(prepared.family_waiting.sum()) == 800
    codes = set(area.pc4_codes())
    assert all(
        person.postcode and person.postcode[:4] in codes
        for person in (*round_.volunteers, *round_.families)
    )
    single_place = sum(v.capacity == 1 for v in round_.volunteers) / 600
    assert 0.6 < single_place < 0.8
    no_dutch = sum(not f.speaks_dutch for f in round_.families) / len(round_.families)
    assert 0.15 < no_dutch < 0.3
    assert 0.15 < len(round_.active_matches) / 600 < 0.45


def test_unknown_area_is_named() -> None:
    with pytest.raises(ValueError, match="unknown place 'Atlantis'"):
        Area(places=("Atlantis",)).pc4_codes()
    with pytest.raises(ValueError, match="area is empty"):
        Area().pc4_codes()


@pytest.mark.parametrize(
    ("name", "volunteers", "waiting"),
    [("location", 25, 30), ("town.json", 80, 120), ("region.json", 600, 800)],
)
def test_shipped_scenarios_load(name: str, volunteers: int, waiting: int) -> None:
    prepared = prepare(load_round(SCENARIOS / name))
    assert len(prepared.volunteers) == volunteers
    assert int(prepared.family_waiting.sum()) == waiting
