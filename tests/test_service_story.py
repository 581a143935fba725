"""A case system's whole story over HTTP only, against ``matcher serve`` (server and worker
processes) on each database: a location and its key, 80 volunteers and 120 waiting families
(and the running matches) pushed one by one, a round, decisions, a match ended, a second round
that keeps the pending proposals, the plan, a calendar feed, and a family erased."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import icalendar
import pytest
from db_engines import DATABASES, database_url

from matcher.synthetic.generate import Area, generate_round

TODAY = date(2026, 11, 24)


@pytest.fixture(params=DATABASES)
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A running service on an empty database of each kind: its address and a service key."""
    for url in database_url(request.param, tmp_path):
        yield from _serve(url, tmp_path)


def _serve(url: str, folder: Path) -> Iterator[tuple[str, str]]:
    env = os.environ | {"MATCHER_DATABASE_URL": url, "MATCHER_DATA_DIR": str(folder)}
    command = [sys.executable, "-m", "matcher"]
    key = subprocess.run(
        [*command, "admin", "service-key"], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([*command, "serve", "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: httpx.get(f"{base}/readyz").status_code == 200, "the service to start")
        yield base, key
    finally:
        workers = _children(server.pid)
        server.terminate()
        server.wait(timeout=60)
        # Its workers stop on their own when the server is gone; wait for them before the
        # database goes.
        _wait(lambda: not any(_alive(pid) for pid in workers), "the workers to stop")


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie waiting to be reaped does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def test_a_case_system_story_over_http(served: tuple[str, str]) -> None:
    base, service_key = served
    http = httpx.Client(base_url=base, timeout=60)
    made = http.post(
        "/v1/locations", json={"id": "deventer", "name": "Deventer"}, headers=_auth(service_key)
    )
    assert made.status_code == 201, made.text
    key = http.post(
        "/v1/locations/deventer/keys",
        json={"name": "case system", "scope": "admin"},
        headers=_auth(service_key),
    ).json()["key"]
    api = _Api(http, key, "/v1/locations/deventer")

    round_ = generate_round(Area(places=("Deventer",)), 80, 120, seed=3, reference_date=TODAY)
    for coordinator in round_.coordinators:
        api.put(f"/coordinators/{coordinator.id}", coordinator.model_dump(mode="json"))
    for volunteer in round_.volunteers:
        api.put(f"/volunteers/{volunteer.id}", volunteer.model_dump(mode="json"))
    for family in round_.families:
        api.put(f"/families/{family.id}", family.model_dump(mode="json"))
    for match in round_.active_matches:
        api.put(f"/active-matches/{match.family_id}", match.model_dump(mode="json"))
    location = api.get("")
    assert (location["volunteers"], location["families"]) == (80, len(round_.families))

    first = api.round()
    assert first["summary"]["status"] == "optimal"
    result = api.get(f"/rounds/{first['id']}/result")
    proposals = sorted(result["proposals"], key=lambda p: p["family_id"])
    assert len(proposals) >= 5
    accepted = [p["family_id"] for p in proposals[:3]]
    for family_id in accepted:
        decided = api.post(f"/rounds/{first['id']}/proposals/{family_id}/accept")
        assert decided["status"] == "accepted"
    declined = proposals[3]
    assert api.post(f"/rounds/{first['id']}/proposals/{declined['family_id']}/decline")
    ended = api.post(
        f"/active-matches/{accepted[0]}/end", {"reason": "family_copes", "date": "2026-11-24"}
    )
    assert ended["family_id"] == accepted[0]

    second = api.round()
    pending = len(proposals) - 4
    assert second["summary"]["pinned"] == pending
    kept = api.get("/proposals?status=pending")
    assert {p["family_id"] for p in proposals[4:]} <= {p["family_id"] for p in kept}
    again = api.get(f"/rounds/{second['id']}/result")
    assert not {p["family_id"] for p in again["proposals"]} & {
        p["family_id"] for p in proposals[4:]
    }

    plan = api.get(f"/rounds/{first['id']}/plan")
    planned = {i["family_id"]: i["volunteer_id"] for i in plan["introductions"]}
    unplanned = {u["family_id"] for u in plan["unplanned"]}
    assert set(planned) | unplanned == set(accepted[1:])  # the ended match is not planned
    assert planned, plan["unplanned"]
    volunteer_id = next(iter(planned.values()))
    token = api.post("/calendar-tokens", {"subject": "volunteer", "subject_id": volunteer_id})
    feed = http.get(token["url"].replace("http://testserver", base))
    assert feed.status_code == 200, feed.text
    assert icalendar.Calendar.from_ical(feed.content).walk("VEVENT")

    erased_family = accepted[2]
    assert api.get(f"/families/{erased_family}/export")["record"]["id"] == erased_family
    http.delete(
        f"/v1/locations/deventer/active-matches/{erased_family}", headers=_auth(key)
    )  # a running match is ended or removed first where the case system wants it
    erased = http.delete(
        f"/v1/locations/deventer/families/{erased_family}/personal-data", headers=_auth(key)
    )
    assert erased.status_code == 200, erased.text
    assert (
        http.get(
            f"/v1/locations/deventer/families/{erased_family}/export", headers=_auth(key)
        ).status_code
        == 404
    )
    assert erased_family not in http.get("/v1/locations/deventer/round", headers=_auth(key)).text


class _Api:
    def __init__(self, http: httpx.Client, key: str, prefix: str) -> None:
        self.http, self.key, self.prefix = http, key, prefix

    def get(self, path: str) -> Any:
        answer = self.http.get(self.prefix + path, headers=_auth(self.key))
        assert answer.status_code == 200, answer.text
        return answer.json()

    def put(self, path: str, body: dict[str, Any]) -> Any:
        answer = self.http.put(self.prefix + path, json=body, headers=_auth(self.key))
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = self.http.post(self.prefix + path, json=body, headers=_auth(self.key))
        assert answer.status_code in (200, 201, 202), answer.text
        return answer.json()

    def round(self) -> Any:
        job = self.post("/rounds")
        _wait(
            lambda: self.get(f"/rounds/{job['id']}")["status"] in ("done", "failed"),
            "the round to finish",
        )
        finished = self.get(f"/rounds/{job['id']}")
        assert finished["status"] == "done", finished
        return finished


def _wait(done: Any, what: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if done():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"waited {timeout_s} s for {what}")


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
