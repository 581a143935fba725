"""A pair of tests per hard rule: one case that satisfies it, one that violates it. Each case is
checked twice: by the vectorised rules (is the pair a candidate, which rule rejected it) and by
the independent checker (does it report a violation)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from builders import family, round_of, volunteer

from matcher import Assignment, evaluate, prepare
from matcher.domain.round import Round
from matcher.scoring.candidates import score_candidates
from matcher.scoring.rules import Rule, rejections, rules_in


def _verdict(round_: Round) -> tuple[bool, list[Rule], bool]:
    """(is a candidate, rules that reject it, checker finds it feasible) for the one pair."""
    candidates = score_candidates(prepare(round_))
    rejected = rules_in(int(rejections(candidates.facts, np.array([0]))[0, 0]))
    checked = evaluate(round_, [Assignment("F1", "V1", "mon-morning")])
    return len(candidates) == 1, rejected, checked.feasible


CASES: dict[Rule, tuple[dict[str, Any], dict[str, Any]]] = {
    # rule: (round fields that satisfy it, round fields that violate it)
    Rule.NOT_READY: (
        {"volunteers": [volunteer()]},
        {"volunteers": [volunteer(vog_complete=False)]},
    ),
    Rule.AGE_LIMIT: (
        {"families": [family(children=[{"age_years": 13}], age_limit=14)]},
        {"families": [family(children=[{"age_years": 6.5}])]},
    ),
    Rule.FORBIDDEN: (
        {
            "exclusions": [{"family_id": "F1", "volunteer_id": "V2"}],
            "volunteers": [volunteer(), volunteer("V2", slots=["tue-morning"])],
        },
        {"declined_pairs": [{"family_id": "F1", "volunteer_id": "V1"}]},
    ),
    Rule.LANGUAGE: (
        {
            "families": [family(languages=["ar"], speaks_dutch=False)],
            "volunteers": [volunteer(languages=["nl", "ar"])],
        },
        {"families": [family(languages=["ar"], speaks_dutch=False)]},
    ),
    Rule.TRAVEL: (
        {"families": [family(km_north=7.9)]},  # bike: 8 km by default
        {"families": [family(km_north=8.1)]},
    ),
    Rule.AVAILABILITY: (
        {"families": [family(slots=["mon-morning", "fri-evening"])]},
        {"families": [family(slots=["tue-morning"])]},
    ),
    Rule.GENDER: (
        {
            "families": [family(volunteer_gender="female", volunteer_gender_rule="hard")],
            "volunteers": [volunteer(gender="female")],
        },
        {
            "families": [family(volunteer_gender="female", volunteer_gender_rule="hard")],
            "volunteers": [volunteer(gender="male")],
        },
    ),
    Rule.PETS: (
        {"families": [family(no_pets="hard")], "volunteers": [volunteer(has_pets=False)]},
        {"families": [family(no_pets="hard")], "volunteers": [volunteer(has_pets=True)]},
    ),
    Rule.SMOKING: (
        {"families": [family(non_smoker="hard")], "volunteers": [volunteer(smokes=False)]},
        {"families": [family(non_smoker="hard")], "volunteers": [volunteer(smokes=True)]},
    ),
    Rule.SAME_PLACE: (
        {"families": [family(postcode="3511 AB")], "volunteers": [volunteer(postcode="3511 AC")]},
        {"families": [family(postcode="3511 AB")], "volunteers": [volunteer(postcode="3511AB")]},
    ),
}


def _round(fields: dict[str, Any]) -> Round:
    data = {"volunteers": [volunteer()], "families": [family()]} | fields
    return round_of(**data)


@pytest.mark.parametrize("rule", list(CASES))
def test_rule_satisfied_keeps_the_pair(rule: Rule) -> None:
    is_candidate, rejected, feasible = _verdict(_round(CASES[rule][0]))
    assert is_candidate and rejected == [] and feasible


@pytest.mark.parametrize("rule", list(CASES))
def test_rule_violated_rejects_the_pair_and_names_the_rule(rule: Rule) -> None:
    is_candidate, rejected, feasible = _verdict(_round(CASES[rule][1]))
    assert not is_candidate
    assert rejected == [rule]
    assert not feasible


def test_no_capacity_when_active_matches_fill_the_volunteer() -> None:
    round_ = round_of(
        [volunteer(slots=["mon-morning", "tue-morning"])],
        [family(), family("F2", slots=["tue-morning"])],
        active_matches=[{"family_id": "F2", "volunteer_id": "V1", "slot": "tue-morning"}],
    )
    candidates = score_candidates(prepare(round_))
    assert len(candidates) == 0
    assert rules_in(int(rejections(candidates.facts, np.array([0]))[0, 0])) == [Rule.NO_CAPACITY]
    assert not evaluate(round_, [Assignment("F1", "V1", "mon-morning")]).feasible


def test_a_free_place_remains_beside_an_active_match() -> None:
    round_ = round_of(
        [volunteer(slots=["mon-morning", "tue-morning"], capacity=2)],
        [family(), family("F2", slots=["tue-morning"])],
        active_matches=[{"family_id": "F2", "volunteer_id": "V1", "slot": "tue-morning"}],
    )
    assert len(score_candidates(prepare(round_))) == 1
    assert evaluate(round_, [Assignment("F1", "V1", "mon-morning")]).feasible


def test_locked_slot_is_not_free_for_a_new_family() -> None:
    round_ = round_of(
        [volunteer(slots=["mon-morning"], capacity=2)],
        [family(), family("F2")],
        active_matches=[{"family_id": "F2", "volunteer_id": "V1", "slot": "mon-morning"}],
    )
    candidates = score_candidates(prepare(round_))
    assert rules_in(int(rejections(candidates.facts, np.array([0]))[0, 0])) == [Rule.AVAILABILITY]
    assert not evaluate(round_, [Assignment("F1", "V1", "mon-morning")]).feasible


def test_pregnancy_is_eligible_from_28_weeks() -> None:
    # due 2027-01-20 is 57 days after 2026-11-24: (280 - 57) / 7 = 31.9 weeks pregnant
    ready = _round({"families": [family(children=[], due_date="2027-01-20")]})
    # due 2027-03-31 is 127 days away: (280 - 127) / 7 = 21.9 weeks, too early
    early = _round({"families": [family(children=[], due_date="2027-03-31")]})
    assert _verdict(ready)[0]
    assert _verdict(early)[1] == [Rule.AGE_LIMIT]


def test_switched_off_rules_do_not_reject() -> None:
    round_ = _round(
        {
            "families": [family(languages=["ar"], speaks_dutch=False, km_north=30)],
            "policy": {"require_common_language": False, "enforce_travel_limit": False},
        }
    )
    is_candidate, rejected, feasible = _verdict(round_)
    assert is_candidate and rejected == [] and feasible


def test_policy_distance_cap_applies_on_top_of_the_volunteers_own() -> None:
    round_ = _round(
        {
            "volunteers": [volunteer(travel_mode="car")],  # 25 km by default
            "families": [family(km_north=12)],
            "policy": {"max_distance_km": 10},
        }
    )
    assert _verdict(round_)[1] == [Rule.TRAVEL]
