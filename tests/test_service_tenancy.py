"""One location never sees or touches another's data. The walk takes every operation of the
OpenAPI document (not a hand-made list, so a new route is walked the day it is added) and calls
it with location A's admin key on location B with B's real ids, then on A's own location with
B's ids: the first must be 404 without any of B's ids in the answer, the second never a success
that shows B's data; B's data is the same afterwards. A route outside ``/v1/locations/{location}``
must be in ``OUTSIDE_LOCATIONS`` with the reason it may be."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import fastapi.routing
from builders import family, round_of, volunteer
from service_api import Api, finished

from matcher.domain.round import ActiveMatch, Coordinator, Pair
from matcher.service.keys import Scope

pytest_plugins = ["service_api"]

OUTSIDE_LOCATIONS = {
    ("GET", "/healthz"): "liveness: the process answers, nothing about any location",
    ("GET", "/readyz"): "readiness: the database and its schema version, nothing else",
    ("GET", "/metrics"): "counters by route template and status, never an id",
    ("POST", "/v1/locations"): "creates a location: a service key only, no location's data",
    ("GET", "/v1/calendars/{token}.ics"): "a calendar feed: its secret token is the credential",
    ("GET", "/openapi.json"): "the API's description, no data",
    ("GET", "/docs"): "the API's documentation page, no data",
    ("GET", "/docs/assets/{name}"): "the documentation page's script, style sheet and icon",
    ("GET", "/web/"): "the web app's start: the signed-in person's own locations (web walk)",
    ("GET", "/web/aanmelden"): "the web app's sign-in page, no data",
    ("POST", "/web/aanmelden"): "signing in to the web app, no data",
    ("POST", "/web/afmelden"): "signing out of the web app",
    ("GET", "/web/static/{name:path}"): "the web app's style sheet and vendored scripts",
    ("GET", "/web/wachtwoord"): "the signed-in person's own password form, no location's data",
    ("POST", "/web/wachtwoord"): "changing the signed-in person's own password",
    ("GET", "/web/taal/{language}"): "the web app's language choice",
}
"""Every route that is not under one location, with why it may be (the walk covers the rest)."""

A, B = "tenant-a", "tenant-b"
METHODS = ("get", "put", "post", "delete", "patch")


@dataclass
class Tenant:
    """Location B as the walk uses it: its ids by the URL segment that names them, and every
    string of B's that must not reach another location."""

    ids: dict[str, tuple[str, ...]]
    secrets: set[str]
    round_json: dict[str, Any]


def _fill_b(api: Api, keys: dict[Scope, str]) -> Tenant:
    """B's volunteers, families, coordinator, a running match, a declined pair, an exclusion
    and a finished round with pending proposals."""
    round_ = round_of(
        [volunteer(f"bvol-{name}", km_north=i, capacity=2) for i, name in enumerate("ABC")],
        [family(f"bfam-{name}", km_north=i / 2) for i, name in enumerate("PQRS")],
        coordinators=[Coordinator(id="bcoord-Z", slots=("mon-morning",))],
        active_matches=[ActiveMatch(family_id="bfam-P", volunteer_id="bvol-A", slot="mon-morning")],
        declined_pairs=[Pair(family_id="bfam-Q", volunteer_id="bvol-B")],
        exclusions=[Pair(family_id="bfam-R", volunteer_id="bvol-C")],
    )
    base = f"/v1/locations/{B}"
    put = api.call("PUT", f"{base}/round", keys[Scope.WRITE], json=_json(round_))
    assert put.status_code == 200, put.text
    started = api.call("POST", f"{base}/rounds", keys[Scope.WRITE], json={})
    assert started.status_code == 202, started.text
    job = finished(api, B, started.json()["id"], keys[Scope.READ])
    assert job["status"] == "done" and job["summary"]["proposals"] >= 2, job
    proposals = api.call("GET", f"{base}/proposals", keys[Scope.READ]).json()
    key_ids = [k["id"] for k in api.call("GET", f"{base}/keys", keys[Scope.ADMIN]).json()]
    proposed = proposals[0]["family_id"]
    ids = {
        "volunteers": ("bvol-A",),
        "families": ("bfam-S",),
        "coordinators": ("bcoord-Z",),
        "active-matches": ("bfam-P",),
        "declined-pairs": ("bfam-Q", "bvol-B"),
        "exclusions": ("bfam-R", "bvol-C"),
        "keys": (key_ids[0],),
        "rounds": (job["id"],),
        "proposals": (proposed,),
    }
    secrets = {
        *(v.id for v in round_.volunteers),
        *(f.id for f in round_.families),
        "bcoord-Z",
        job["id"],
        *key_ids,
        f"Location {B}",
    }
    exported = api.call("GET", f"{base}/round", keys[Scope.READ]).json()
    return Tenant(ids, secrets, exported)


def _json(model: Any) -> Any:
    return json.loads(model.model_dump_json())


def _operations(api: Api) -> list[tuple[str, str, dict[str, Any]]]:
    document = api.client.app.openapi()
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def _path(template: str, location: str, tenant: Tenant) -> str:
    """The path with ``location`` and, for every other parameter, B's id of the kind the
    segment before it names (the first and second of a pair in order)."""
    parts: list[str] = []
    kind, index = "", 0
    for segment in template.strip("/").split("/"):
        name = re.fullmatch(r"\{(\w+)\}(.*)", segment)
        if name is None:
            kind, index = segment, 0
            parts.append(segment)
            continue
        if name.group(1) == "location":
            value = location
        else:
            known = tenant.ids.get(kind, ())
            value = known[index] if index < len(known) else f"{kind}-of-{B}"
            index += 1
        parts.append(value + name.group(2))
    return "/" + "/".join(parts)


def _example(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """A small value valid for ``schema`` (the first choice of every choice)."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[1]], components)
    if "anyOf" in schema or "oneOf" in schema:
        options = schema.get("anyOf") or schema["oneOf"]
        return _example(next(o for o in options if o.get("type") != "null"), components)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {n: _example(properties[n], components) for n in schema.get("required", [])}
    if kind == "array":
        return []
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    formats = {"date": "2026-11-24", "date-time": "2026-11-24T09:30:00Z", "uri": "https://a.test"}
    return formats.get(schema.get("format", ""), "x")


def _request(
    api: Api, method: str, template: str, operation: dict[str, Any], location: str, tenant: Tenant
) -> dict[str, Any]:
    """The request's path and a plausible body: B's own record where the path has one (so a
    leak would be a real one), else a small valid value of the body's schema."""
    components = api.client.app.openapi()["components"]["schemas"]
    path = _path(template, location, tenant)
    query = {
        p["name"]: _example(p["schema"], components)
        for p in operation.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    }
    request: dict[str, Any] = {"path": path, "params": query}
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        request["json"] = _b_record(template, tenant) or _example(
            content["application/json"]["schema"], components
        )
    elif "multipart/form-data" in content:
        data = json.dumps(tenant.round_json).encode()
        request["files"] = {"file": ("round.json", data, "application/json")}
    return request


def _b_record(template: str, tenant: Tenant) -> Any:
    """B's own record at this path (its round, or the record its last segment names)."""
    if template.endswith("/round"):
        return tenant.round_json
    kind = template.rstrip("/").split("/")[-2]
    field = kind.replace("-", "_")
    key = "family_id" if field == "active_matches" else "id"
    if field in tenant.round_json and kind in tenant.ids:
        wanted = tenant.ids[kind][0]
        return next((r for r in tenant.round_json[field] if r.get(key) == wanted), None)
    return None


def _send(api: Api, method: str, key: str, request: dict[str, Any]) -> Any:
    options = {k: v for k, v in request.items() if k != "path"}
    return api.call(method, request["path"], key, **options)


def _snapshot(api: Api, keys: dict[Scope, str]) -> list[Any]:
    """All of B that another location could change."""
    base = f"/v1/locations/{B}"
    return [
        api.call("GET", f"{base}{tail}", keys[Scope.ADMIN]).json()
        for tail in ("", "/round", "/keys", "/proposals")
    ]


def _routes(app: Any) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, documented or not. Newer FastAPI keeps included
    routers nested; ``iter_route_contexts`` walks them where it exists."""
    walk = getattr(fastapi.routing, "iter_route_contexts", None)
    routes = walk(app.routes) if walk is not None else app.routes
    return {
        (method, route.path)
        for route in routes
        for method in getattr(route, "methods", None) or ()
        if method != "HEAD"
    }


def test_every_route_outside_a_location_is_allowed_by_name(api: Api) -> None:
    routes = _routes(api.client.app)
    documented = {(method, path) for method, path, _ in _operations(api)}
    assert documented <= routes
    outside = {(m, p) for m, p in routes if "{location}" not in p}
    assert outside <= OUTSIDE_LOCATIONS.keys(), (
        f"routes outside /v1/locations/{{location}} not in OUTSIDE_LOCATIONS: "
        f"{sorted(outside - OUTSIDE_LOCATIONS.keys())}"
    )
    assert sum("{location}" in p for _, p in documented) >= 30


def test_another_locations_key_gets_404_on_every_operation_of_it(api: Api, worker: None) -> None:
    keys_a, keys_b = api.location(A), api.location(B)
    tenant = _fill_b(api, keys_b)
    before = _snapshot(api, keys_b)
    walked = []
    for method, template, operation in _operations(api):
        if "{location}" not in template:
            continue
        request = _request(api, method, template, operation, B, tenant)
        answer = _send(api, method, keys_a[Scope.ADMIN], request)
        assert answer.status_code == 404, (method, request["path"], answer.text)
        leaked = {s for s in tenant.secrets if s in answer.text}
        assert not leaked, (method, request["path"], leaked)
        walked.append((method, template))
    assert len(walked) >= 30
    assert _snapshot(api, keys_b) == before


def test_a_locations_own_routes_never_serve_another_locations_records(
    api: Api, worker: None
) -> None:
    keys_a, keys_b = api.location(A), api.location(B)
    tenant = _fill_b(api, keys_b)
    before = _snapshot(api, keys_b)
    named = [
        (method, template, operation)
        for method, template, operation in _operations(api)
        if "{location}" in template and template.count("{") > 1
    ]
    # Reads and actions first; then the upserts, which may create A's own record of that id.
    for method, template, operation in sorted(named, key=lambda o: o[0] == "PUT"):
        request = _request(api, method, template, operation, A, tenant)
        answer = _send(api, method, keys_a[Scope.ADMIN], request)
        sent = json.dumps(request, default=str)
        shown = {s for s in tenant.secrets if s in answer.text and s not in sent}
        assert not shown, (method, request["path"], answer.status_code, shown)
        if method != "PUT":
            assert answer.status_code in (404, 409, 422), (method, request["path"], answer.text)
    assert _snapshot(api, keys_b) == before
