"""Rounds over HTTP: started as jobs, run by a worker, their proposals decided once and only
once (on both databases), pending proposals kept by the next round, matches ended."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from service_api import Api, finished

from matcher.io.rounds import load_round
from matcher.service.keys import Scope

pytest_plugins = ["service_api"]

SCENARIOS = Path(__file__).parent.parent / "scenarios"
BASE = "/v1/locations/L1"


def _location_round(api: Api) -> dict[Scope, str]:
    keys = api.location()
    round_ = load_round(SCENARIOS / "location")
    put = api.call(
        "PUT", f"{BASE}/round", keys[Scope.WRITE], json=json.loads(round_.model_dump_json())
    )
    assert put.status_code == 200, put.text
    return keys


def _run(api: Api, key: str, **body: object) -> dict[str, object]:
    started = api.call("POST", f"{BASE}/rounds", key, json=body)
    assert started.status_code == 202, started.text
    assert started.headers["Location"].endswith(started.json()["id"])
    job = finished(api, "L1", started.json()["id"], key)
    assert job["status"] == "done", job
    return job


def test_a_round_runs_as_a_job_and_its_result_is_served(api: Api, worker: None) -> None:
    keys = _location_round(api)
    job = _run(api, keys[Scope.WRITE])
    summary = job["summary"]
    assert summary["status"] == "optimal" and summary["proposals"] > 0
    result = api.call("GET", f"{BASE}/rounds/{job['id']}/result", keys[Scope.READ]).json()
    assert len(result["proposals"]) == summary["proposals"]
    assert all(p["reasons"] for p in result["proposals"])
    pending = api.call("GET", f"{BASE}/proposals?status=pending", keys[Scope.READ]).json()
    assert {p["family_id"] for p in pending} == {p["family_id"] for p in result["proposals"]}
    workbook = api.call("GET", f"{BASE}/rounds/{job['id']}/results.xlsx", keys[Scope.READ])
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    report = api.call("GET", f"{BASE}/rounds/{job['id']}/report.html", keys[Scope.READ])
    assert report.status_code == 200 and "<html" in report.text.lower()


def test_an_idempotency_key_returns_the_first_job(api: Api) -> None:
    keys = _location_round(api)
    headers = {"Idempotency-Key": "round-2026-11-24"}
    first = api.call("POST", f"{BASE}/rounds", keys[Scope.WRITE], json={}, headers=headers)
    again = api.call("POST", f"{BASE}/rounds", keys[Scope.WRITE], json={}, headers=headers)
    assert first.status_code == 202 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    bad = api.call("POST", f"{BASE}/rounds", keys[Scope.WRITE], json={"time_limit_s": -1})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.time_limit_s"


def test_a_proposal_is_accepted_once_even_when_eight_accept_at_once(api: Api, worker: None) -> None:
    keys = _location_round(api)
    job = _run(api, keys[Scope.WRITE])
    result = api.call("GET", f"{BASE}/rounds/{job['id']}/result", keys[Scope.READ]).json()
    family = result["proposals"][0]["family_id"]
    path = f"{BASE}/rounds/{job['id']}/proposals/{family}/accept"
    with ThreadPoolExecutor(8) as pool:
        codes = sorted(
            pool.map(lambda _: api.call("POST", path, keys[Scope.WRITE]).status_code, range(8))
        )
    assert codes == [200] + [409] * 7
    matches = api.call("GET", f"{BASE}/active-matches", keys[Scope.READ]).json()
    assert sum(m["family_id"] == family for m in matches) == 1
    audit_accepts = [
        d for d in api.call("GET", f"{BASE}/proposals?status=accepted", keys[Scope.READ]).json()
    ]
    assert [p["family_id"] for p in audit_accepts] == [family]


def test_accepts_for_a_volunteer_who_became_full_are_refused_but_one(
    api: Api, worker: None
) -> None:
    """A volunteer with two or more pending proposals gets running matches recorded by the case
    system meanwhile, until one place is left: of the concurrent accepts exactly one succeeds."""
    keys = _location_round(api)
    job = _run(api, keys[Scope.WRITE])
    result = api.call("GET", f"{BASE}/rounds/{job['id']}/result", keys[Scope.READ]).json()
    by_volunteer: dict[str, list[dict[str, str]]] = {}
    for p in result["proposals"]:
        by_volunteer.setdefault(p["volunteer_id"], []).append(p)
    volunteer_id, proposed = max(by_volunteer.items(), key=lambda item: len(item[1]))
    assert len(proposed) >= 2
    # The case system records running matches of this volunteer with families not proposed,
    # on the slots of all but one of the proposals: one place is left.
    round_ = api.call("GET", f"{BASE}/round", keys[Scope.READ]).json()
    busy = {m["family_id"] for m in round_["active_matches"]}
    others = [
        f["id"]
        for f in round_["families"]
        if f["id"] not in busy and f["id"] not in {p["family_id"] for p in proposed}
    ]
    for family_id, proposal in zip(others, proposed[1:], strict=False):
        match = {"family_id": family_id, "volunteer_id": volunteer_id, "slot": proposal["slot"]}
        made = api.call("PUT", f"{BASE}/active-matches/{family_id}", keys[Scope.WRITE], json=match)
        assert made.status_code == 201, made.text
    paths = [f"{BASE}/rounds/{job['id']}/proposals/{p['family_id']}/accept" for p in proposed]
    with ThreadPoolExecutor(len(paths)) as pool:
        codes = sorted(
            pool.map(lambda p: api.call("POST", p, keys[Scope.WRITE]).status_code, paths)
        )
    assert codes == [200] + [409] * (len(paths) - 1)
    matches = api.call("GET", f"{BASE}/active-matches", keys[Scope.READ]).json()
    volunteer = api.call("GET", f"{BASE}/volunteers/{volunteer_id}", keys[Scope.READ]).json()
    assert sum(m["volunteer_id"] == volunteer_id for m in matches) == volunteer["capacity"]


def test_pending_proposals_are_kept_by_the_next_round(api: Api, worker: None) -> None:
    keys = _location_round(api)
    first = _run(api, keys[Scope.WRITE])
    result = api.call("GET", f"{BASE}/rounds/{first['id']}/result", keys[Scope.READ]).json()
    proposed = {p["family_id"]: p["volunteer_id"] for p in result["proposals"]}
    accepted, declined = sorted(proposed)[:2]
    ok = api.call(
        "POST", f"{BASE}/rounds/{first['id']}/proposals/{accepted}/accept", keys[Scope.WRITE]
    )
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
    no = api.call(
        "POST", f"{BASE}/rounds/{first['id']}/proposals/{declined}/decline", keys[Scope.WRITE]
    )
    assert no.status_code == 200 and no.json()["status"] == "declined"

    second = _run(api, keys[Scope.WRITE])
    assert second["summary"]["pinned"] == len(proposed) - 2
    again = api.call("GET", f"{BASE}/rounds/{second['id']}/result", keys[Scope.READ]).json()
    newly = {p["family_id"] for p in again["proposals"]}
    assert not newly & (set(proposed) - {declined})  # pending ones are not proposed again
    assert all(
        p["volunteer_id"] != proposed[declined]
        for p in again["proposals"]
        if p["family_id"] == declined
    )
    ended = api.call(
        "POST",
        f"{BASE}/active-matches/{accepted}/end",
        keys[Scope.WRITE],
        json={"reason": "family_copes", "date": "2026-11-24"},
    )
    assert ended.status_code == 200, ended.text
    assert (
        api.call(
            "POST",
            f"{BASE}/active-matches/{accepted}/end",
            keys[Scope.WRITE],
            json={"reason": "family_copes"},
        ).status_code
        == 409
    )


def test_a_retried_accept_with_its_idempotency_key_gets_the_first_answer(
    api: Api, worker: None
) -> None:
    keys = _location_round(api)
    job = _run(api, keys[Scope.WRITE])
    result = api.call("GET", f"{BASE}/rounds/{job['id']}/result", keys[Scope.READ]).json()
    first, second = (p["family_id"] for p in result["proposals"][:2])
    path = f"{BASE}/rounds/{job['id']}/proposals/{first}/accept"
    headers = {"Idempotency-Key": "accept-1"}
    answer = api.call("POST", path, keys[Scope.WRITE], headers=headers)
    retried = api.call("POST", path, keys[Scope.WRITE], headers=headers)
    assert answer.status_code == retried.status_code == 200
    assert retried.json() == answer.json() and retried.headers["Idempotent-Replayed"] == "true"
    assert api.call("POST", path, keys[Scope.WRITE]).status_code == 409  # no key: done already
    other = f"{BASE}/rounds/{job['id']}/proposals/{second}/accept"
    reused = api.call("POST", other, keys[Scope.WRITE], headers=headers)
    assert reused.status_code == 422


def test_a_pending_proposal_no_longer_possible_is_withdrawn_by_the_next_round(
    api: Api, worker: None
) -> None:
    keys = _location_round(api)
    first = _run(api, keys[Scope.WRITE])
    result = api.call("GET", f"{BASE}/rounds/{first['id']}/result", keys[Scope.READ]).json()
    gone = result["proposals"][0]
    deleted = api.call("DELETE", f"{BASE}/families/{gone['family_id']}", keys[Scope.WRITE])
    assert deleted.status_code == 204, deleted.text
    second = _run(api, keys[Scope.WRITE])
    assert second["summary"]["withdrawn"] == 1
    assert second["summary"]["pinned"] == len(result["proposals"]) - 1
    withdrawn = api.call("GET", f"{BASE}/proposals?status=withdrawn", keys[Scope.READ]).json()
    assert [(p["round_id"], p["family_id"]) for p in withdrawn] == [
        (first["id"], gone["family_id"])
    ]
