"""Recruitment advice that says when it cannot tell: paired differences, ties, and the
replications it would take."""

from __future__ import annotations

from datetime import date

from builders import family

from matcher.simulate.advice import (
    advice_section,
    compare_profiles,
    profiles,
    replications_needed,
    verdict,
)
from matcher.simulate.replication import Case, Replication
from matcher.simulate.runner import SimulationResult
from matcher.simulate.what_if import Simulation
from matcher.synthetic.generate import Area

BASE = [(5.0, 0.5), (6.0, 0.6), (4.0, 0.4), (5.0, 0.5), (7.0, 0.7), (5.0, 0.5)]


def _with_drop(drops: list[float]) -> list[tuple[float, float]]:
    return [(w - d, s) for (w, s), d in zip(BASE, drops, strict=True)]


def test_identical_effects_that_include_zero_are_not_a_winner() -> None:
    # Three profiles with the same per-seed effects, which straddle zero: no winner, one rank.
    drops = [0.9, -0.4, 0.6, -0.2, 0.8, 0.2]  # mean 0.32
    advice = compare_profiles(
        BASE, {name: _with_drop(drops) for name in ("mornings", "afternoons", "evenings")}
    )
    assert {a.rank for a in advice} == {1}
    assert all(a.waiting_list_drop.low <= 0 <= a.waiting_list_drop.high for a in advice)
    text = verdict(advice)
    assert "At 6 replications no single profile stands out" in text
    assert "One more volunteer" not in text
    # sd of the drops 0.53821, mean 0.31667: (1.96 * 0.53821 / 0.31667)^2 = 11.1 -> 12.
    assert replications_needed(advice[0]) == 12
    assert "roughly 12 replications" in text


def test_a_clear_effect_wins_and_overlapping_ones_tie() -> None:
    advice = compare_profiles(
        BASE,
        {
            "strong": _with_drop([2.0, 2.1, 1.9, 2.0, 2.2, 1.8]),
            "also strong": _with_drop([2.05, 2.0, 1.95, 2.1, 1.9, 2.0]),
            "weak": _with_drop([0.1, 0.0, 0.2, 0.1, 0.0, 0.1]),
        },
    )
    assert [a.profile for a in advice] == ["also strong", "strong", "weak"]
    assert [a.rank for a in advice] == [1, 1, 2]
    assert "2 profiles share the first rank" in verdict(advice)


def test_a_single_winner_is_named() -> None:
    advice = compare_profiles(
        BASE,
        {
            "strong": _with_drop([2.0, 2.1, 1.9, 2.0, 2.2, 1.8]),
            "weak": _with_drop([0.1, 0.0, 0.2, 0.1, 0.0, 0.1]),
        },
    )
    assert [a.rank for a in advice] == [1, 2]
    assert verdict(advice).startswith("One more volunteer strong shrinks")


def test_profile_names_are_escaped_in_the_table() -> None:
    advice = compare_profiles(BASE, {"in A|B <b>x</b>": _with_drop([1.0] * 6)})
    section = advice_section(advice)
    assert r"One more volunteer in A\|B \<b\>x\</b\> shrinks" in section
    row = next(line for line in section.splitlines() if line.startswith("| 1 |"))
    assert r"in A\|B \<b\>x\</b\>" in row
    assert row.count(" | ") == 3  # four cells: the name's bar did not make a fifth
    assert row.endswith("| +0% [+0%, +0%] |")  # a change of share carries its sign


def test_profiles_skip_families_of_unknown_place() -> None:
    # Families from a starting round without a postcode have place "?": no volunteer can be
    # recruited there, so no profile names it (it would be refused as an unknown place).
    sim = Simulation(area=Area(places=("Zwolle",)), start_date=date(2027, 1, 4))
    cases = [Case(family(), 0, "ar", "?", 0), Case(family(), 0, "ar", "Zwolle", 0, first_match=3)]
    baseline = SimulationResult(sim, {"baseline": [Replication("baseline", 0, cases=cases)]})
    names = list(profiles(baseline))
    assert names and all("living in Zwolle" in name for name in names)
