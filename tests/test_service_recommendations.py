"""Recommendations over HTTP: the same answer as the library's, pending proposals holding their
volunteers' places, posted families, and bad requests named."""

from __future__ import annotations

import json
from pathlib import Path

from builders import family
from service_api import Api, finished

from matcher.domain.prepared import prepare
from matcher.io.rounds import load_round
from matcher.service.keys import Scope
from matcher.usecases.recommend import recommend

pytest_plugins = ["service_api"]

ROUND = load_round(Path(__file__).parent.parent / "scenarios" / "location")
BASE = "/v1/locations/L1"


def _filled(api: Api) -> dict[Scope, str]:
    keys = api.location()
    document = json.loads(ROUND.model_dump_json())
    assert api.call("PUT", f"{BASE}/round", keys[Scope.WRITE], json=document).status_code == 200
    return keys


def test_a_stored_familys_recommendations_are_the_librarys(api: Api) -> None:
    keys = _filled(api)
    waiting = {m.family_id for m in ROUND.active_matches}
    family_id = next(f.id for f in ROUND.families if f.id not in waiting)
    answer = api.call("GET", f"{BASE}/families/{family_id}/recommendations?k=5", keys[Scope.READ])
    assert answer.status_code == 200, answer.text
    expected = recommend(prepare(ROUND), family_id, 5)
    assert answer.json() == json.loads(expected.model_dump_json())


def test_a_pending_proposal_holds_its_volunteers_place(api: Api, worker: None) -> None:
    keys = _filled(api)
    started = api.call("POST", f"{BASE}/rounds", keys[Scope.WRITE], json={})
    job = finished(api, "L1", started.json()["id"], keys[Scope.READ])
    result = api.call("GET", f"{BASE}/rounds/{job['id']}/result", keys[Scope.READ]).json()
    volunteers = {v.id: v for v in ROUND.volunteers}
    taken: dict[str, int] = {}
    for p in result["proposals"]:
        taken[p["volunteer_id"]] = taken.get(p["volunteer_id"], 0) + 1
    full = {
        v
        for v, n in taken.items()
        if n + sum(m.volunteer_id == v for m in ROUND.active_matches) >= volunteers[v].capacity
    }
    assert full
    unmatched = [u["family_id"] for u in result["unmatched"]] or [
        result["proposals"][0]["family_id"]
    ]
    for family_id in unmatched:
        answer = api.call(
            "GET", f"{BASE}/families/{family_id}/recommendations?k=100", keys[Scope.READ]
        ).json()
        assert not {r["volunteer_id"] for r in answer["recommendations"]} & full


def test_a_posted_family_and_bad_requests(api: Api) -> None:
    keys = _filled(api)
    posted = family("NEW-1").model_dump(mode="json")
    answer = api.call("POST", f"{BASE}/recommendations?k=3", keys[Scope.READ], json=posted)
    assert answer.status_code == 200, answer.text
    assert answer.json()["family_id"] == "NEW-1" and not answer.json()["in_round"]
    assert (
        api.call("GET", f"{BASE}/families/NOPE/recommendations", keys[Scope.READ]).status_code
        == 404
    )
    zero = api.call("GET", f"{BASE}/families/F01/recommendations?k=0", keys[Scope.READ])
    assert zero.status_code == 422 and zero.json()["errors"][0]["field"] == "query.k"
    broken = posted | {"registered": "not a date"}
    refused = api.call("POST", f"{BASE}/recommendations", keys[Scope.READ], json=broken)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "body.registered"
