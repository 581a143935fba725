"""Recommendations for one family: the engine's own pairs and scores, near misses that fail
exactly the rule they name, a deterministic order, posted families, and clear refusals."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dense_rules as dense
import numpy as np
import pytest
from builders import family, round_of, volunteer
from cli_runs import refused, run
from hypothesis import given, settings
from hypothesis import strategies as st
from random_rounds import random_round

from matcher import ActiveMatch, Family, Pair, Policy, Round, Volunteer, prepare
from matcher.check.evaluate import Assignment, evaluate, pair_quality
from matcher.domain.prepared import PreparedRound
from matcher.errors import RoundError
from matcher.explain.recommendation import Recommendations
from matcher.geo.distance import geodesic_km
from matcher.geo.postcodes import locate
from matcher.io.rounds import load_round
from matcher.scoring.candidates import score_candidates
from matcher.scoring.rules import RULES, Rule
from matcher.scoring.scale import quality_points
from matcher.usecases.recommend import recommend

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def town() -> PreparedRound:
    return prepare(load_round(ROOT / "scenarios" / "town.json"))


def _points(round_: Round, family_id: str, volunteer_id: str) -> int:
    """The checker's quality points for a pair, from the round alone (geopy distance)."""
    f = next(x for x in round_.families if x.id == family_id)
    v = next(x for x in round_.volunteers if x.id == volunteer_id)
    taken = {m.slot for m in round_.active_matches if m.volunteer_id == volunteer_id}
    km = _km(f, v)
    quality = pair_quality(round_, f, v, set(v.slots) - taken, km)
    return int(quality_points(np.array([quality]))[0])


def _km(f: Family, v: Volunteer) -> float:
    """geopy's distance between two people's points (their postcode's centre when not given)."""
    return geodesic_km(*_point(f), *_point(v))


def _point(person: Family | Volunteer) -> tuple[float, float]:
    if person.latitude is not None and person.longitude is not None:
        return person.latitude, person.longitude
    area = locate(person.postcode or "")
    assert area is not None
    return area.latitude, area.longitude


def test_top_k_is_the_engines_best_pairs_with_the_checkers_scores(town: PreparedRound) -> None:
    c = score_candidates(town)
    waiting = [f.id for f, w in zip(town.families, town.family_waiting, strict=True) if w]
    for family_id in waiting:
        f = town.family_index[family_id]
        mine = c.family == f
        engine = {
            town.volunteers[v].id: int(points)
            for v, points in zip(c.volunteer[mine], c.points[mine], strict=True)
        }
        found = recommend(town, family_id, k=5)
        assert found.eligible == len(engine)
        best = sorted(engine.items(), key=lambda item: (-item[1], item[0]))[:5]
        assert [(r.volunteer_id, r.quality_points) for r in found.recommendations] == best
        for r in found.recommendations:
            assert r.quality_points == _points(town.round, family_id, r.volunteer_id)
            assert r.scores.quality == pytest.approx(r.quality_points / 1000, abs=5e-4)
            assert r.shared_slots
            assignment = [Assignment(family_id, r.volunteer_id, r.shared_slots[0])]
            assert evaluate(town.round, assignment).violations == []


def test_every_eligible_volunteer_is_listed_when_k_is_large(town: PreparedRound) -> None:
    family_id = town.families[0].id
    found = recommend(town, family_id, k=len(town.volunteers))
    assert len(found.recommendations) == found.eligible
    c = score_candidates(town)
    listed = {r.volunteer_id for r in found.recommendations}
    engine = {town.volunteers[v].id for v in c.volunteer[c.family == 0]}
    assert listed == engine


POLICIES = st.sampled_from(
    [
        {},
        {"require_common_language": False, "same_place": "area"},
        {"enforce_travel_limit": False, "max_distance_km": 4.0},
        {"enforce_age_limit": False, "require_training_and_vog": False},
    ]
)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**31 - 1), policy=POLICIES)
def test_eligible_and_near_misses_are_the_dense_rule_grids(
    seed: int, policy: dict[str, object]
) -> None:
    """Against every family x volunteer rule check at once (the dense reference), on random
    rounds with hard wishes, volunteers not ready, declined pairs and exclusions."""
    round_ = random_round(seed, volunteers=14, families=10, max_capacity=2)
    rng = np.random.default_rng(seed)
    volunteers = [
        v.model_copy(
            update={"vog_complete": bool(rng.random() < 0.8), "smokes": rng.random() < 0.3}
        )
        for v in round_.volunteers
    ]
    families = [
        f.model_copy(update={"non_smoker": "hard" if rng.random() < 0.4 else None})
        for f in round_.families
    ]
    pairs = [
        Pair(family_id=f"F{rng.integers(10)}", volunteer_id=f"V{rng.integers(14)}")
        for _ in range(6)
    ]
    round_ = round_.model_copy(
        update={
            "volunteers": volunteers,
            "families": families,
            "declined_pairs": pairs[:3],
            "exclusions": pairs[3:],
            "policy": Policy.model_validate(policy),
        }
    )
    prepared = prepare(round_)
    rejected = dense.reject_matrix(dense.build_grid(prepared))
    c = score_candidates(prepared)
    ids = [v.id for v in round_.volunteers]
    for f, row in enumerate(rejected.tolist()):
        found = recommend(prepared, round_.families[f].id, k=len(ids))
        assert {r.volunteer_id for r in found.recommendations} == {
            ids[v] for v, mask in enumerate(row) if mask == 0
        }
        assert {(m.volunteer_id, str(m.rule)) for m in found.near_misses} == {
            (ids[v], str(dense.RULES[mask.bit_length() - 1]))
            for v, mask in enumerate(row)
            if mask and mask & (mask - 1) == 0
        }
        engine = {
            ids[v]: int(p)
            for v, p in zip(c.volunteer[c.family == f], c.points[c.family == f], strict=True)
        }
        if prepared.family_waiting[f]:
            assert {r.volunteer_id: r.quality_points for r in found.recommendations} == engine


# The checker's words for each hard rule (matcher.check.evaluate).
CHECKER_WORDS = {
    Rule.NOT_READY: "not ready",
    Rule.NO_CAPACITY: "over capacity",
    Rule.AGE_LIMIT: "age limit",
    Rule.FORBIDDEN: "declined or excluded",
    Rule.LANGUAGE: "no common language",
    Rule.TRAVEL: "over the limit",
    Rule.AVAILABILITY: "not free for both|two visits in one half-day",
    Rule.GENDER: "gender preference",
    Rule.PETS: "pets",
    Rule.SMOKING: "smoking",
    Rule.SAME_PLACE: "same place",
}


def test_each_near_miss_breaks_exactly_its_rule_by_the_checker(town: PreparedRound) -> None:
    seen: set[Rule] = set()
    for f in town.families[:40]:
        for miss in recommend(town, f.id, k=len(town.volunteers)).near_misses:
            slot = (miss.shared_slots or list(f.slots) or ["mon-morning"])[0]
            broken = [
                message
                for message in evaluate(
                    town.round, [Assignment(f.id, miss.volunteer_id, slot)]
                ).violations
                if "already in an active match" not in message
            ]
            assert len(broken) == 1, (f.id, miss, broken)
            assert re.search(CHECKER_WORDS[miss.rule], broken[0]), (miss, broken)
            assert miss.quality_points == _points(town.round, f.id, miss.volunteer_id)
            seen.add(miss.rule)
    assert {Rule.AVAILABILITY, Rule.TRAVEL, Rule.NO_CAPACITY} <= seen


FITTING: dict[Rule, dict[str, Any]] = {
    Rule.GENDER: {"gender": "female"},
    Rule.LANGUAGE: {"languages": ["ar"]},
    Rule.SAME_PLACE: {"latitude": None, "longitude": None, "postcode": "3512CD"},
}
"""What volunteer V0 of each case needs to fit the family."""


def _case(rule: Rule, broken: bool) -> tuple[Round, str]:
    """A round where volunteer V1 fails ``rule`` alone (``broken``) or passes it, and the words
    expected for it. V0 always fits."""
    v: dict[str, Any] = {}
    f: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    people: list[Family] = []
    words = ""
    if rule == Rule.NOT_READY:
        v = {"training_complete": not broken}
        words = "not ready: no training yet"
    elif rule == Rule.NO_CAPACITY:
        v = {"slots": ["mon-morning", "tue-morning"], "capacity": 1 if broken else 2}
        people = [family("F2", slots=["tue-morning"])]
        extra = {
            "active_matches": [ActiveMatch(family_id="F2", volunteer_id="V1", slot="tue-morning")]
        }
        words = "full (1 of 1)"
    elif rule == Rule.AGE_LIMIT:
        f = {"children": [{"age_years": 7 if broken else 5}]}
        words = "family outside the programme: youngest child 7.0 years, age limit 6"
    elif rule == Rule.FORBIDDEN:
        pairs = [Pair(family_id="F1", volunteer_id="V1")] if broken else []
        extra = {"declined_pairs": pairs}
        words = "declined at an earlier introduction"
    elif rule == Rule.LANGUAGE:
        f = {"languages": ["ar"], "speaks_dutch": False}
        v = {"languages": ["nl"] if broken else ["nl", "ar"]}
        words = "no shared language (family: Arabic; volunteer: Dutch)"
    elif rule == Rule.TRAVEL:
        v = {"max_travel_km": 5 if broken else 8}
        words = "7.4 km, beyond the 5 km travel limit"
    elif rule == Rule.AVAILABILITY:
        v = {"slots": ["tue-morning"] if broken else ["mon-morning"]}
        words = "no shared half-day"
    elif rule == Rule.GENDER:
        f = {"volunteer_gender": "female", "volunteer_gender_rule": "hard"}
        v = {"gender": "male" if broken else "female"}
        words = "the family needs a female volunteer"
    elif rule == Rule.PETS:
        f = {"no_pets": "hard"}
        v = {"has_pets": broken}
        words = "has pets; the family needs a home without pets"
    elif rule == Rule.SMOKING:
        f = {"non_smoker": "hard"}
        v = {"smokes": broken}
        words = "smokes; the family needs a non-smoker"
    elif rule == Rule.SAME_PLACE:
        here = {"latitude": None, "longitude": None}
        f = {**here, "postcode": "3511AB"}
        v = {**here, "postcode": "3511AB" if broken else "3511CD"}
        words = "lives in the same street (conflict of interest)"
    km = 7.4 if rule == Rule.TRAVEL else 1.0
    fits = volunteer("V0", **FITTING.get(rule, {}))
    people = [family("F1", **f), *people]
    return round_of([fits, volunteer("V1", km, **v)], people, **extra), words


@pytest.mark.parametrize("rule", RULES)
def test_a_near_miss_names_its_rule_and_passing_it_makes_the_pair_eligible(rule: Rule) -> None:
    broken, words = _case(rule, broken=True)
    found = recommend(prepare(broken), "F1")
    assert "V1" not in [r.volunteer_id for r in found.recommendations]
    [miss] = [m for m in found.near_misses if m.volunteer_id == "V1"]
    assert (miss.rule, miss.detail) == (rule, words)
    fixed, _ = _case(rule, broken=False)
    eligible = recommend(prepare(fixed), "F1").recommendations
    assert sorted(r.volunteer_id for r in eligible) == ["V0", "V1"]


def test_ties_are_broken_by_volunteer_id_whatever_the_input_order() -> None:
    ids = ["V3", "V10", "V1", "V2"]
    people = [volunteer(i) for i in ids] + [volunteer(f"W{i}", slots=["tue-morning"]) for i in ids]
    for order in (people, people[::-1]):
        found = recommend(prepare(round_of(order, [family("F1")])), "F1", k=3)
        assert [r.volunteer_id for r in found.recommendations] == ["V1", "V10", "V2"]
        assert [m.volunteer_id for m in found.near_misses] == ["WV1", "WV10", "WV2"]
        assert len({r.quality_points for r in found.recommendations}) == 1


def test_a_posted_family_scores_like_the_same_family_in_the_round(town: PreparedRound) -> None:
    inside = town.families[3]
    posted = inside.model_copy(update={"id": "NEW1"})
    mine, theirs = recommend(town, posted, k=8), recommend(town, inside.id, k=8)
    assert (mine.in_round, theirs.in_round) == (False, True)
    assert [r.model_dump() for r in mine.recommendations] == [
        r.model_dump() for r in theirs.recommendations
    ]
    assert mine.near_misses == theirs.near_misses
    assert any("Not a family of this round" in note for note in mine.notes)


def test_a_posted_family_may_speak_a_language_the_round_does_not_know(town: PreparedRound) -> None:
    assert "is" not in town.languages
    posted = family("NEW2", languages=["is"], speaks_dutch=False)
    posted = posted.model_copy(update={"latitude": None, "longitude": None, "postcode": "3811"})
    found = recommend(town, posted, k=3)
    assert found.eligible == 0
    assert [m.rule for m in found.near_misses] == [Rule.LANGUAGE] * 3
    assert "family: Icelandic;" in found.near_misses[0].detail


def test_a_posted_record_of_a_round_family_keeps_its_declined_pairs() -> None:
    round_ = round_of(
        [volunteer("V1"), volunteer("V2")],
        [family("F1")],
        exclusions=[Pair(family_id="F1", volunteer_id="V2")],
    )
    posted = family("F1", themes=["divorce"])
    found = recommend(prepare(round_), posted)
    assert [r.volunteer_id for r in found.recommendations] == ["V1"]
    assert [(m.volunteer_id, m.detail) for m in found.near_misses] == [
        ("V2", "on the exclusion list")
    ]
    assert found.in_round


def test_a_family_in_an_active_match_gets_a_second_opinion() -> None:
    both = ["mon-morning", "tue-morning"]
    round_ = round_of(
        [volunteer("V1", slots=both), volunteer("V2")],
        [family("F1", slots=both)],
        active_matches=[ActiveMatch(family_id="F1", volunteer_id="V1", slot="mon-morning")],
    )
    found = recommend(prepare(round_), "F1")
    assert found.active_match == ActiveMatch(family_id="F1", volunteer_id="V1", slot="mon-morning")
    assert "Already in an active match with V1 on mon-morning" in found.notes[0]
    assert [r.volunteer_id for r in found.recommendations] == ["V2"]
    assert [(m.volunteer_id, m.detail) for m in found.near_misses] == [("V1", "full (1 of 1)")]


def test_a_half_day_held_by_an_active_match_is_named() -> None:
    round_ = round_of(
        [volunteer("V1", capacity=2, slots=["mon-morning", "tue-morning"])],
        [family("F1"), family("F2")],
        active_matches=[ActiveMatch(family_id="F2", volunteer_id="V1", slot="mon-morning")],
    )
    [miss] = recommend(prepare(round_), "F1").near_misses
    assert (miss.rule, miss.detail) == (
        Rule.AVAILABILITY,
        "no shared half-day free: mon-morning taken by an active match",
    )


def test_the_result_is_json_that_validates_back(town: PreparedRound) -> None:
    found = recommend(town, town.families[5].id, k=4)
    assert Recommendations.model_validate_json(found.model_dump_json()) == found
    assert json.loads(found.model_dump_json())["recommendations"][0]["scores"]["quality"] > 0


def _refusal(call: Callable[[], object]) -> RoundError:
    with pytest.raises(RoundError) as caught:
        call()
    return caught.value


def test_bad_requests_are_refused_naming_the_field(town: PreparedRound) -> None:
    unknown = _refusal(lambda: recommend(town, "F-NONE"))
    assert unknown.problems[0].location == ("family",)
    assert "no family with id 'F-NONE'" in str(unknown)
    for k in (0, -3, True):
        assert _refusal(lambda k=k: recommend(town, town.families[0].id, k)).problems[
            0
        ].location == ("k",)
    late = family("NEW3", registered="2030-01-01")
    assert _refusal(lambda: recommend(town, late)).problems[0].location == ("family", "registered")
    nowhere = family("NEW4").model_copy(
        update={"latitude": None, "longitude": None, "postcode": "1000"}
    )
    assert _refusal(lambda: recommend(town, nowhere)).problems[0].location == ("family", "postcode")


def test_the_command_prints_a_table_or_json() -> None:
    town = str(ROOT / "scenarios" / "town.json")
    family_id = load_round(ROOT / "scenarios" / "town.json").families[0].id
    table = run("recommend", town, family_id, "-k", "3")
    assert table.exit_code == 0, table.output
    assert table.output.startswith(f"{family_id}: ")
    assert "rank  volunteer" in table.output
    document = json.loads(run("recommend", town, family_id, "--json").output)
    assert document["family_id"] == family_id
    assert len(document["recommendations"]) <= 10


def test_the_command_refuses_an_unknown_family_and_a_bad_k() -> None:
    town = str(ROOT / "scenarios" / "town.json")
    refused(run("recommend", town, "F-NONE"), "no family with id 'F-NONE'")
    refused(run("recommend", town, "F0001", "-k", "0"), "-k")


def test_the_readme_example_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    [block] = [
        b for b in re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL) if "recommend(" in b
    ]
    monkeypatch.chdir(ROOT)
    exec(compile(block, "README.md", "exec"), {})
    assert re.match(r"\d+ \['V\d+', 'V\d+', 'V\d+'\] \w+\n$", capsys.readouterr().out)
