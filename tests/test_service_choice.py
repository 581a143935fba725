"""A coordinator's pick from a family's shortlist: checked against every hard rule, rules of fit
confirmed before the pair is recorded, the programme's conditions refused, the family's proposal
settled with the chosen pair, and the pair planned like any accepted proposal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from service_api import NOW, Api, finished

from matcher.db.audit import entries
from matcher.db.service_tables import ProposalStatus
from matcher.db.store import DatabaseRoundStore
from matcher.domain.prepared import prepare
from matcher.domain.round import Pair
from matcher.io.rounds import load_round
from matcher.lifecycle.decisions import DecisionError
from matcher.scoring.rules import Rule
from matcher.service.keys import Scope
from matcher.service.rounds import proposal_row
from matcher.usecases.choice import CONFIRMABLE, Condition, check_choice
from matcher.usecases.recommend import recommend

pytest_plugins = ["service_api"]

SCENARIO = Path(__file__).parent.parent / "scenarios" / "location"
BASE = "/v1/locations/L1"


def _round_run(api: Api) -> tuple[dict[Scope, str], str, dict[str, Any]]:
    keys = api.location()
    round_ = json.loads(load_round(SCENARIO).model_dump_json())
    assert api.call("PUT", f"{BASE}/round", keys[Scope.WRITE], json=round_).status_code == 200
    started = api.call("POST", f"{BASE}/rounds", keys[Scope.WRITE])
    job = finished(api, "L1", started.json()["id"], keys[Scope.READ])
    assert job["status"] == "done", job
    result = api.call("GET", f"{BASE}/rounds/{job['id']}/result", keys[Scope.READ]).json()
    return keys, job["id"], result


def _miss(api: Api, result: dict[str, Any], rule: Rule) -> tuple[str, str, str]:
    """A proposed family, a volunteer who fails ``rule`` only, and a half-day they share."""
    prepared = DatabaseRoundStore(api.engine, "L1", NOW.date()).read()
    for proposal in result["proposals"]:
        for miss in recommend(prepared, proposal["family_id"], k=50).near_misses:
            if miss.rule == rule and miss.shared_slots:
                return proposal["family_id"], miss.volunteer_id, miss.shared_slots[0]
    raise AssertionError(f"the scenario has no near miss by {rule}")


def _choose(api: Api, key: str, round_id: str, family: str, **body: Any) -> Any:
    return api.call("POST", f"{BASE}/rounds/{round_id}/proposals/{family}/choice", key, json=body)


def test_a_pair_beyond_the_travel_limit_is_recorded_only_when_confirmed(
    api: Api, worker: None
) -> None:
    keys, round_id, result = _round_run(api)
    family, volunteer, slot = _miss(api, result, Rule.TRAVEL)
    proposed = proposal_row(api.engine, "L1", round_id, family).volunteer_id
    asked = _choose(api, keys[Scope.WRITE], round_id, family, volunteer_id=volunteer, slot=slot)
    assert asked.status_code == 200, asked.text
    body = asked.json()
    assert body["recorded"] is False
    assert [b["rule"] for b in body["broken"]] == ["travel"]
    assert body["broken"][0]["may_confirm"] is True and "km" in body["broken"][0]["detail"]
    matches = api.call("GET", f"{BASE}/active-matches", keys[Scope.READ]).json()
    assert all(m["family_id"] != family for m in matches)  # nothing written yet

    confirmed = _choose(
        api, keys[Scope.WRITE], round_id, family, volunteer_id=volunteer, slot=slot, confirm=True
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["recorded"] is True
    matches = api.call("GET", f"{BASE}/active-matches", keys[Scope.READ]).json()
    assert {"family_id": family, "volunteer_id": volunteer, "slot": slot} in matches
    row = proposal_row(api.engine, "L1", round_id, family)
    assert (row.status, row.volunteer_id, row.slot) == (ProposalStatus.ACCEPTED, volunteer, slot)
    lines = [e for _, e in entries(api.engine, "L1", limit=1000) if e.subject_id == family]
    chosen = next(e for e in lines if e.action == "choose")
    assert chosen.detail is not None
    assert chosen.detail["proposed_volunteer_id"] == proposed
    assert chosen.detail["confirmed"] == ["travel"]
    assert any(e.action == "accept" for e in lines)
    plan = api.call("GET", f"{BASE}/rounds/{round_id}/plan", keys[Scope.READ]).json()
    introduced = [i["volunteer_id"] for i in plan["introductions"] if i["family_id"] == family]
    visits = [(s["volunteer_id"], s["slot"]) for s in plan["visits"] if s["family_id"] == family]
    assert introduced == [volunteer] and visits == [(volunteer, slot)]

    again = _choose(
        api, keys[Scope.WRITE], round_id, family, volunteer_id=volunteer, slot=slot, confirm=True
    )
    assert again.status_code == 409


def test_a_pair_that_breaks_no_rule_is_recorded_at_once(api: Api, worker: None) -> None:
    keys, round_id, result = _round_run(api)
    prepared = DatabaseRoundStore(api.engine, "L1", NOW.date()).read()
    for proposal in result["proposals"]:
        others = [
            r
            for r in recommend(prepared, proposal["family_id"], k=50).recommendations
            if r.volunteer_id != proposal["volunteer_id"]
        ]
        if others:
            family, pick = proposal["family_id"], others[0]
            break
    else:
        raise AssertionError("no family with a second eligible volunteer")
    chosen = _choose(
        api,
        keys[Scope.WRITE],
        round_id,
        family,
        volunteer_id=pick.volunteer_id,
        slot=pick.shared_slots[0],
    )
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["recorded"] is True and chosen.json()["broken"] == []


def test_a_declined_pair_is_refused_even_when_confirmed(api: Api, worker: None) -> None:
    keys, round_id, result = _round_run(api)
    proposal = result["proposals"][0]
    family, volunteer = proposal["family_id"], proposal["volunteer_id"]
    store = DatabaseRoundStore(api.engine, "L1", NOW.date())
    round_ = store.load()
    store.save_round(
        round_.model_copy(
            update={"declined_pairs": (Pair(family_id=family, volunteer_id=volunteer),)}
        )
    )
    before = store.version()
    refused = _choose(
        api,
        keys[Scope.WRITE],
        round_id,
        family,
        volunteer_id=volunteer,
        slot=proposal["slot"],
        confirm=True,
    )
    assert refused.status_code == 409, refused.text
    assert "declined or excluded" in refused.json()["detail"]
    assert store.version() == before
    assert proposal_row(api.engine, "L1", round_id, family).status == ProposalStatus.PENDING


def test_a_volunteer_who_became_full_is_refused(api: Api, worker: None) -> None:
    keys, round_id, result = _round_run(api)
    family, volunteer, slot = _miss(api, result, Rule.TRAVEL)
    round_ = api.call("GET", f"{BASE}/round", keys[Scope.READ]).json()
    capacity = next(v["capacity"] for v in round_["volunteers"] if v["id"] == volunteer)
    busy = {m["family_id"] for m in round_["active_matches"]}
    taken = sum(m["volunteer_id"] == volunteer for m in round_["active_matches"])
    proposed = {p["family_id"] for p in result["proposals"]}
    free = [
        f["id"]
        for f in round_["families"]
        if f["id"] not in busy | proposed and f.get("status") != "closed"
    ]
    held = {m["slot"] for m in round_["active_matches"] if m["volunteer_id"] == volunteer}
    slots = next(v["slots"] for v in round_["volunteers"] if v["id"] == volunteer)
    others = [s for s in slots if s != slot and s not in held]
    assert len(others) >= capacity - taken
    for other, other_slot in zip(free, others[: capacity - taken], strict=False):
        match = {"family_id": other, "volunteer_id": volunteer, "slot": other_slot}
        path = f"{BASE}/active-matches/{other}"
        made = api.call("PUT", path, keys[Scope.WRITE], json=match)
        assert made.status_code == 201, made.text
    refused = _choose(
        api, keys[Scope.WRITE], round_id, family, volunteer_id=volunteer, slot=slot, confirm=True
    )
    assert refused.status_code == 409, refused.text
    assert "no free place" in refused.json()["detail"]


def test_a_family_not_in_the_round_is_not_found_and_a_reader_may_not_choose(
    api: Api, worker: None
) -> None:
    keys, round_id, result = _round_run(api)
    proposal = result["proposals"][0]
    body = {"volunteer_id": proposal["volunteer_id"], "slot": proposal["slot"]}
    missing = _choose(api, keys[Scope.WRITE], round_id, "F9999", **body)
    assert missing.status_code == 404
    read_only = _choose(api, keys[Scope.READ], round_id, proposal["family_id"], **body)
    assert read_only.status_code == 403


def test_each_rule_of_fit_may_be_confirmed_and_the_programmes_conditions_may_not() -> None:
    """Pairs of cases on the scenario: the proposed pair breaks nothing; the same pair after a
    change breaks exactly the rule changed, confirmable or not as the module says."""
    round_ = load_round(SCENARIO)
    family = next(f for f in round_.families if f.id == "F0001")
    volunteer = round_.volunteers[0]
    slot = next(s for s in family.slots if s in volunteer.slots)
    pair, broken = check_choice(prepare(round_), family.id, volunteer.id, slot)
    assert pair.distance_km > 0 and 0 <= pair.quality <= 1
    baseline = {b.rule for b in broken}

    def broken_after(**changes: Any) -> set[str]:
        changed = round_.model_copy(update=changes)
        found = check_choice(prepare(changed), family.id, volunteer.id, slot)[1]
        return {b.rule for b in found if b.rule not in baseline}

    near = volunteer.model_copy(update={"max_travel_km": 0.1})
    assert broken_after(volunteers=(near, *round_.volunteers[1:])) == {Rule.TRAVEL}
    declined = (Pair(family_id=family.id, volunteer_id=volunteer.id),)
    assert broken_after(declined_pairs=declined) == {Rule.FORBIDDEN}
    unready = volunteer.model_copy(update={"vog_complete": False})
    assert broken_after(volunteers=(unready, *round_.volunteers[1:])) == {Rule.NOT_READY}
    other_slot = next(s for s in volunteer.slots if s not in family.slots)
    found = check_choice(prepare(round_), family.id, volunteer.id, other_slot)[1]
    assert {b.rule for b in found} - baseline == {Rule.AVAILABILITY}
    assert Rule.TRAVEL in CONFIRMABLE and Rule.AVAILABILITY in CONFIRMABLE
    assert Rule.FORBIDDEN not in CONFIRMABLE and Rule.NOT_READY not in CONFIRMABLE
    matched = round_.active_matches[0]
    taken = check_choice(prepare(round_), matched.family_id, volunteer.id, slot)[1]
    assert Condition.FAMILY_MATCHED in {b.rule for b in taken}
    with pytest.raises(DecisionError, match="no volunteer"):
        check_choice(prepare(round_), family.id, "V9999", slot)
