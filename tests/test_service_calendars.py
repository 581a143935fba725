"""The dated plan of a round's accepted proposals, and calendar feeds over HTTP: a token shown
once, a feed any calendar program reads without an API key, holding that person's events only,
stopped at once by revoking the token; one location's token never shows another's events."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from builders import family, round_of, volunteer
from icalendar import Calendar
from service_api import Api, finished

from matcher.io.rounds import load_round
from matcher.service.keys import Scope

pytest_plugins = ["service_api"]

SCENARIOS = Path(__file__).parent.parent / "scenarios"
BASE = "/v1/locations/L1"
IDS = re.compile(r"\b[CFV]\d{2,4}\b")
"""The scenario's ids: coordinators C01…, families F0001…, volunteers V0001…"""


def _location(api: Api, location: str) -> tuple[dict[Scope, str], dict[str, Any]]:
    keys = api.location(location)
    round_ = json.loads(load_round(SCENARIOS / "location").model_dump_json())
    put = api.call("PUT", f"/v1/locations/{location}/round", keys[Scope.WRITE], json=round_)
    assert put.status_code == 200, put.text
    return keys, round_


def _accepted_round(api: Api) -> tuple[dict[Scope, str], dict[str, Any], str, list[Any]]:
    """L1 with a finished round and two of its proposals (of different volunteers, to families
    with a coordinator) accepted."""
    keys, round_ = _location(api, "L1")
    started = api.call("POST", f"{BASE}/rounds", keys[Scope.WRITE], json={})
    job = finished(api, "L1", started.json()["id"], keys[Scope.WRITE])
    assert job["status"] == "done", job
    result = api.call("GET", f"{BASE}/rounds/{job['id']}/result", keys[Scope.READ]).json()
    coordinated = {f["id"] for f in round_["families"] if f["coordinator"]}
    chosen: dict[str, Any] = {}
    for proposal in result["proposals"]:
        if proposal["family_id"] in coordinated:
            chosen.setdefault(proposal["volunteer_id"], proposal)
    accepted = list(chosen.values())[:2]
    none_yet = api.call("GET", f"{BASE}/rounds/{job['id']}/plan", keys[Scope.READ]).json()
    assert none_yet["introductions"] == [] and none_yet["visits"] == []
    for proposal in accepted:
        path = f"{BASE}/rounds/{job['id']}/proposals/{proposal['family_id']}/accept"
        assert api.call("POST", path, keys[Scope.WRITE]).status_code == 200
    return keys, round_, job["id"], accepted


def _token(api: Api, location: str, key: str, subject: str, subject_id: str) -> Any:
    made = api.call(
        "POST",
        f"/v1/locations/{location}/calendar-tokens",
        key,
        json={"subject": subject, "subject_id": subject_id},
    )
    assert made.status_code == 201, made.text
    return made.json()


def _feed(api: Api, url: str) -> Calendar:
    got = api.client.get(url)  # no API key: the token in the URL is the credential
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(got.content)


def _ids(calendar: Calendar) -> set[str]:
    """The people its events name (in their unfolded text)."""
    return {
        found
        for event in calendar.walk("VEVENT")
        for value in event.values()
        for found in IDS.findall(str(value))
    }


def test_a_rounds_plan_and_its_calendar_feeds(api: Api, worker: None) -> None:
    keys, round_, round_id, accepted = _accepted_round(api)
    plan = api.call("GET", f"{BASE}/rounds/{round_id}/plan?weeks=4", keys[Scope.READ])
    assert plan.status_code == 200, plan.text
    dated = plan.json()
    families = {p["family_id"] for p in accepted}
    planned = {i["family_id"] for i in dated["introductions"]}
    assert planned | {u["family_id"] for u in dated["unplanned"]} == families
    assert planned and {v["family_id"] for v in dated["visits"]} == planned
    assert all(i["day"] >= round_["reference_date"] for i in dated["introductions"])
    missing = api.call("GET", f"{BASE}/rounds/no-such-round/plan", keys[Scope.READ])
    assert missing.status_code == 404
    far = api.call("GET", f"{BASE}/rounds/{round_id}/plan?start=2030-01-01", keys[Scope.READ])
    assert far.status_code == 422 and far.json()["errors"][0]["field"] == "start"

    intro = dated["introductions"][0]
    volunteer_id = intro["volunteer_id"]
    made = _token(api, "L1", keys[Scope.ADMIN], "volunteer", volunteer_id)
    secret = made["url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert made["url"].startswith("http") and len(secret) >= 40
    listed = api.call("GET", f"{BASE}/calendar-tokens", keys[Scope.ADMIN])
    assert [t["id"] for t in listed.json()] == [made["id"]] and secret not in listed.text

    calendar = _feed(api, made["url"])
    events = calendar.walk("VEVENT")
    summaries = [str(e["summary"]) for e in events]
    mine = {v["family_id"] for v in dated["visits"] if v["volunteer_id"] == volunteer_id}
    assert f"Introduction: family {intro['family_id']} and volunteer {volunteer_id}" in summaries
    assert any(s.startswith(f"Home visit: family {intro['family_id']}") for s in summaries)
    assert _ids(calendar) == {volunteer_id} | mine  # nobody else

    coordinator = intro["coordinator_id"]
    theirs = _feed(api, _token(api, "L1", keys[Scope.ADMIN], "coordinator", coordinator)["url"])
    assert all(str(e["summary"]).startswith("Introduction") for e in theirs.walk("VEVENT"))

    unknown = api.call(
        "POST",
        f"{BASE}/calendar-tokens",
        keys[Scope.ADMIN],
        json={"subject": "volunteer", "subject_id": "V9999"},
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "subject_id"
    writer = api.call("GET", f"{BASE}/calendar-tokens", keys[Scope.WRITE])
    assert writer.status_code == 403

    path = f"{BASE}/calendar-tokens/{made['id']}"
    assert api.call("DELETE", path, keys[Scope.ADMIN]).status_code == 204
    assert api.client.get(made["url"]).status_code == 404
    assert api.call("DELETE", path, keys[Scope.ADMIN]).status_code == 404
    assert api.client.get("/v1/calendars/not-a-token.ics").status_code == 404
    audit = api.call("GET", f"{BASE}/audit?limit=1000", keys[Scope.ADMIN]).json()["lines"]
    assert [(a["action"], a["subject_id"]) for a in audit if a["subject"] == "calendar_token"][
        -1
    ] == ("revoke", made["id"])


def test_a_token_of_one_location_never_shows_anothers_events(api: Api, worker: None) -> None:
    keys, _, _, accepted = _accepted_round(api)
    other, _ = _location(api, "L2")  # the same people, nothing accepted
    volunteer_id = accepted[0]["volunteer_id"]
    here = _token(api, "L1", keys[Scope.ADMIN], "volunteer", volunteer_id)
    there = _token(api, "L2", other[Scope.ADMIN], "volunteer", volunteer_id)
    assert _feed(api, here["url"]).walk("VEVENT")
    assert _feed(api, there["url"]).walk("VEVENT") == []
    assert IDS.findall(api.client.get(there["url"]).text) == []
    listed = api.call("GET", "/v1/locations/L2/calendar-tokens", other[Scope.ADMIN]).json()
    assert [t["id"] for t in listed] == [there["id"]]
    stolen = api.call(
        "DELETE", f"/v1/locations/L2/calendar-tokens/{here['id']}", other[Scope.ADMIN]
    )
    assert stolen.status_code == 404
    assert api.call("GET", f"{BASE}/calendar-tokens", other[Scope.ADMIN]).status_code == 404
    assert api.client.get(here["url"]).status_code == 200  # still L1's


def _one_pair(api: Api) -> dict[Scope, str]:
    """L1 with one volunteer and one family (with coordinator C1), all free on Monday morning."""
    keys = api.location()
    round_ = round_of([volunteer("V1")], [family("F1", coordinator="C1")])
    body = json.loads(round_.model_dump_json()) | {
        "coordinators": [{"id": "C1", "slots": ["mon-morning"]}]
    }
    assert api.call("PUT", f"{BASE}/round", keys[Scope.WRITE], json=body).status_code == 200
    return keys


def _accept_f1(api: Api, keys: dict[Scope, str]) -> str:
    started = api.call("POST", f"{BASE}/rounds", keys[Scope.WRITE], json={})
    round_id = str(finished(api, "L1", started.json()["id"], keys[Scope.WRITE])["id"])
    path = f"{BASE}/rounds/{round_id}/proposals/F1/accept"
    assert api.call("POST", path, keys[Scope.WRITE]).status_code == 200
    return round_id


def test_an_accepted_match_is_planned_on_the_only_half_day_it_has(api: Api, worker: None) -> None:
    """Its own running match does not take the volunteer's Monday morning: it is what is being
    planned (the introduction and the visits are on that half-day)."""
    keys = _one_pair(api)
    round_id = _accept_f1(api, keys)
    plan = api.call("GET", f"{BASE}/rounds/{round_id}/plan", keys[Scope.READ]).json()
    assert plan["unplanned"] == []
    # 2026-11-24 is a Tuesday: the first Monday morning is 30 November, visits from 7 December
    assert [(i["day"], i["part"]) for i in plan["introductions"]] == [("2026-11-30", "morning")]
    assert [(v["first"], v["slot"]) for v in plan["visits"]] == [("2026-12-07", "mon-morning")]


def test_a_family_matched_again_is_planned_once(api: Api, worker: None) -> None:
    """F1's first match ended (the volunteer stopped) and a later round matched it again, with
    another volunteer: both proposals are accepted, one match runs, and the feed holds one
    introduction (the latest proposal's)."""
    keys = _one_pair(api)
    _accept_f1(api, keys)
    ended = api.call(
        "POST",
        f"{BASE}/active-matches/F1/end",
        keys[Scope.WRITE],
        json={"reason": "volunteer_stopped"},
    )
    assert ended.status_code == 200 and ended.json()["waiting_again"]
    second = volunteer("V2").model_dump(mode="json")
    assert (
        api.call("PUT", f"{BASE}/volunteers/V2", keys[Scope.WRITE], json=second).status_code == 201
    )
    _accept_f1(api, keys)
    accepted = api.call("GET", f"{BASE}/proposals?status=accepted", keys[Scope.READ]).json()
    assert [(p["family_id"], p["volunteer_id"]) for p in accepted] == [("F1", "V1"), ("F1", "V2")]
    token = _token(api, "L1", keys[Scope.ADMIN], "coordinator", "C1")
    summaries = [str(e["summary"]) for e in _feed(api, token["url"]).walk("VEVENT")]
    assert summaries == ["Introduction: family F1 and volunteer V2"]
