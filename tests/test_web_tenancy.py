"""A coordinator of one location never sees or changes another's data: every page of the web
app is walked (its routes read from the router, so a new page is walked too) for both
locations, with the other location's real ids in the paths."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from service_api import NOW, Api, finished
from web_client import ROOT, Browser, account, scenario_zip

from matcher.db.service_tables import ProposalStatus
from matcher.db.store import DatabaseRoundStore
from matcher.io.rounds import load_round
from matcher.service.keys import Scope
from matcher.service.rounds import proposals
from matcher.web.accounts import Role
from matcher.web.app import router

pytest_plugins = ["service_api"]

PARAMETER = re.compile(r"{(\w+)}")


def _location(api: Api, name: str) -> dict[str, str]:
    """Location ``name`` with the shipped scenario, its ids prefixed by its name, and a round
    run; the ids to put in paths."""
    keys = api.location(name)
    text = load_round(ROOT / "scenarios" / "location").model_dump_json()
    for prefix in ('"F0', '"V0', '"C0'):
        text = text.replace(prefix, prefix[0] + name + prefix[1:])
    put = api.call("PUT", f"/v1/locations/{name}/round", keys[Scope.WRITE], json=json.loads(text))
    assert put.status_code == 200, put.text
    started = api.call("POST", f"/v1/locations/{name}/rounds", keys[Scope.WRITE])
    job = finished(api, name, started.json()["id"], keys[Scope.READ])
    assert job["status"] == "done", job
    pending = proposals(api.engine, name, ProposalStatus.PENDING, job["id"])
    round_ = DatabaseRoundStore(api.engine, name, NOW.date()).load()
    return {
        "location": name,
        "round_id": job["id"],
        "family_id": pending[0].family_id,
        "match_family_id": round_.active_matches[0].family_id,
        "gezinnen": round_.families[0].id,
        "vrijwilligers": round_.volunteers[0].id,
        "volunteer_id": round_.volunteers[0].id,
        "coordinator_id": round_.coordinators[0].id,
        "job_id": job["id"],
        "name": "report.md",
    }


def _path(route: APIRoute, ids: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "record_id":
            return ids["gezinnen" if "/gezinnen/" in route.path else "vrijwilligers"]
        if name == "family_id" and "/koppelingen/" in route.path:
            return ids["match_family_id"]
        return ids[name]

    return PARAMETER.sub(value, route.path)


def _all(routes: list[Any]) -> list[APIRoute]:
    """The routes of a router and of the routers it includes."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += _all(route.original_router.routes)
    return found


def _routes() -> list[tuple[str, APIRoute]]:
    found = [
        (method, route)
        for route in _all(router.routes)
        if "{location}" in route.path
        for method in sorted(route.methods)
    ]
    assert len(found) >= 14  # tables, forms, import, rounds, decisions, matches
    return found


@pytest.fixture
def two_locations(api: Api, worker: None) -> tuple[dict[str, str], dict[str, str]]:
    return _location(api, "A"), _location(api, "B")


def _secrets(ids: dict[str, str]) -> list[str]:
    """What of a location must never appear on another's pages."""
    return [ids["round_id"], "BF0", "BV0", "BC0", "Location B"]


def test_a_coordinator_sees_only_their_location(
    api: Api, two_locations: tuple[dict[str, str], dict[str, str]]
) -> None:
    own, other = two_locations
    browser = Browser(api)
    browser.sign_in(account(api, "anna@example.nl", Role.COORDINATOR, "A"))
    walked = 0
    for method, route in _routes():
        if method != "GET":
            continue
        page = browser.get(_path(route, own))
        expected = 403 if "/wat-als" in route.path else 200  # what-if: managers only
        assert page.status_code == expected, (route.path, page.text[:300])
        for secret in _secrets(other):
            assert secret not in page.text, (route.path, secret)
        assert own["gezinnen"] in browser.get("/web/locaties/A/gezinnen").text
        walked += 1
    assert walked >= 8
    home = browser.get("/web/")
    assert home.url.path == "/web/locaties/A/gezinnen"


def test_another_locations_pages_are_not_found_and_its_data_never_changes(
    api: Api, two_locations: tuple[dict[str, str], dict[str, str]]
) -> None:
    _, other = two_locations
    browser = Browser(api)
    browser.sign_in(account(api, "anna@example.nl", Role.COORDINATOR, "A"))
    before = _state(api, "B")
    for method, route in _routes():
        path = _path(route, other)
        if method == "GET":
            response = browser.get(path)
        else:
            browser.get("/web/locaties/A/gezinnen")  # a valid form token of this session
            options: dict[str, Any] = {}
            if path.endswith("/import"):
                options["files"] = {"file": ("b.zip", scenario_zip(), "application/zip")}
            response = browser.post(path, _form(other), **options)
        assert response.status_code == 404, (method, route.path, response.status_code)
        assert "Deze pagina bestaat niet, of is niet voor jou bedoeld." in response.text
        for secret in _secrets(other):
            assert secret not in response.text, (method, route.path, secret)
    assert _state(api, "B") == before


def _form(ids: dict[str, str]) -> dict[str, str]:
    """A plausible form for any of the posts: a record, an import, an ending."""
    return {
        "id": ids["gezinnen"],
        "postcode": "7411AB",
        "registered": "2026-11-01",
        "children": "2",
        "speaks_dutch": "on",
        "reason": "family_copes",
        "data": "",
        "version": '"v1"',
    }


def _state(api: Api, location: str) -> tuple[Any, ...]:
    store = DatabaseRoundStore(api.engine, location, NOW.date())
    return (
        store.version(),
        store.load(),
        [tuple(row) for row in proposals(api.engine, location)],
    )
