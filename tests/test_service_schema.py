"""The service keeps the promises of its own OpenAPI document: schemathesis generates requests
for every operation (on both databases, with a valid admin key of a location that has a round, a
finished matching run and its proposals) and checks that none is answered with a server error,
and that every answer's status, media type and body are the ones the document declares.

Path parameters are either generated or the location's real ids, so the fuzzing reaches past
"not found" into the records. Bounded: a few examples per operation, no deadline."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import sqlalchemy
from builders import family, volunteer
from db_engines import DATABASES, empty_database
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from service_api import NOW, Api, finished

from matcher.db.migrate import upgrade
from matcher.io.rounds import load_round
from matcher.service.app import create_app
from matcher.service.handlers import HANDLERS
from matcher.service.keys import Scope, create_key
from matcher.service.settings import ServiceSettings
from matcher.service.worker import run_worker

pytest_plugins = ["service_api"]

SCENARIOS = Path(__file__).parent.parent / "scenarios"
LOCATION = "L1"
EXAMPLES = 12
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


def _document() -> dict[str, Any]:
    app = create_app(ServiceSettings(), engine=sqlalchemy.create_engine("sqlite://"), migrate=False)
    document: dict[str, Any] = app.openapi()
    return document


ORDER = ("get", "post", "put", "patch", "delete")
OPERATIONS = sorted(
    (
        (method.upper(), path)
        for path, item in _document()["paths"].items()
        for method in item
        if method in ORDER
    ),
    key=lambda operation: ORDER.index(operation[0].lower()),
)
"""Every operation, reads first and deletions last, so that most run on the full location."""


@dataclass
class Served:
    """The schema of the app under test, the keys to call it with and the location's ids."""

    schema: Any
    admin_key: str
    service_key: str
    ids: dict[str, str]


def _fill(api: Api, engine: sqlalchemy.Engine) -> dict[str, str]:
    """The scenario's round in the location, one matching run to its end; its real ids."""
    keys = api.location(LOCATION)
    base = f"/v1/locations/{LOCATION}"
    round_ = json.loads(load_round(SCENARIOS / "location").model_dump_json())
    assert api.call("PUT", f"{base}/round", keys[Scope.WRITE], json=round_).status_code == 200
    stop = threading.Event()
    worker = threading.Thread(
        target=run_worker,
        args=(engine, HANDLERS, "schema-worker", stop),
        kwargs={"poll_seconds": 0.02},
        daemon=True,
    )
    worker.start()
    try:
        started = api.call("POST", f"{base}/rounds", keys[Scope.WRITE], json={"time_limit_s": 5})
        job = finished(api, LOCATION, started.json()["id"], keys[Scope.READ])
    finally:
        stop.set()
        worker.join(timeout=60)
    assert job["status"] == "done", job
    proposal = api.call("GET", f"{base}/proposals", keys[Scope.READ]).json()[0]
    listed = api.call("GET", f"{base}/keys", keys[Scope.ADMIN]).json()
    key_id = next(k["id"] for k in listed if k["scope"] == Scope.READ)  # never the one we use
    return {
        "admin_key": keys[Scope.ADMIN],
        "round_id": job["id"],
        "family_id": proposal["family_id"],
        "volunteer_id": proposal["volunteer_id"],
        "key_id": key_id,
        "volunteers": round_["volunteers"][0]["id"],
        "families": round_["families"][0]["id"],
        "coordinators": round_["coordinators"][0]["id"],
        "active-matches": round_["active_matches"][0]["family_id"],
    }


@pytest.fixture(scope="module", params=DATABASES)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The service over each database, with one location full of data."""
    for engine in empty_database(request.param, tmp_path_factory.mktemp(request.param)):
        upgrade(engine)
        app = create_app(ServiceSettings(), engine=engine, clock=lambda: NOW, migrate=False)
        _, service_key = create_key(engine, None, "schema tests", Scope.SERVICE, NOW)
        with TestClient(app) as client:
            ids = _fill(Api(client, engine, service_key), engine)
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        yield Served(schema, ids.pop("admin_key"), service_key, ids)


def _path_parameters(operation: Any, served: Served, real: bool) -> dict[str, str]:
    """The location always; with ``real``, every other parameter that names something the
    location has (a ``record_id`` by the segment before it) is its real id."""
    names = [p.name for p in operation.path_parameters]
    fixed = {"location": LOCATION} if "location" in names else {}
    if real:
        kind = operation.path.split("/")[-2]
        ids = served.ids | ({"record_id": served.ids[kind]} if kind in served.ids else {})
        fixed |= {name: ids[name] for name in names if name in ids}
    return fixed


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_keeps_to_its_documented_responses(
    served: Served, method: str, path: str
) -> None:
    operation = served.schema[path][method]
    key = served.admin_key if "{location}" in path else served.service_key
    headers = {"Authorization": f"Bearer {key}"}
    cases = st.one_of(
        operation.as_strategy(mode, path_parameters=_path_parameters(operation, served, real))
        for mode, real in (
            (GenerationMode.POSITIVE, False),
            (GenerationMode.POSITIVE, True),
            (GenerationMode.NEGATIVE, True),
        )
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()


# What the fuzzing found, each pinned by a test of its own.


def _declared(api: Api, method: str, path: str, status: int) -> bool:
    operation = api.client.app.openapi()["paths"][path][method.lower()]
    return str(status) in operation["responses"]


def test_a_location_key_is_never_made_with_the_service_scope(api: Api) -> None:
    keys = api.location()
    for key in (keys[Scope.ADMIN], api.service_key):
        made = api.call(
            "POST", "/v1/locations/L1/keys", key, json={"name": "x", "scope": "service"}
        )
        assert made.status_code == 422, made.text
        assert made.json()["errors"][0]["field"] == "body.scope"


def test_a_pair_named_by_impossible_ids_is_refused_naming_the_path(api: Api) -> None:
    keys = api.location()
    for kind in ("declined-pairs", "exclusions"):
        refused = api.call("PUT", f"/v1/locations/L1/{kind}/%C2%8A/F1", keys[Scope.WRITE])
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == ["path.family_id"]


def test_a_body_that_is_not_utf8_is_a_declared_400(api: Api) -> None:
    keys = api.location()
    path = "/v1/locations/{location}/coordinators/{record_id}"
    refused = api.call(
        "PUT",
        "/v1/locations/L1/coordinators/C1",
        keys[Scope.WRITE],
        content=b'{"id": "\xff"}',
        headers={"Content-Type": "application/json"},
    )
    assert refused.status_code == 400 and refused.json()["title"] == "Bad Request"
    assert _declared(api, "PUT", path, 400)


def test_stale_and_created_answers_of_the_records_are_declared(api: Api) -> None:
    keys = api.location()
    base = "/v1/locations/L1"
    people = {
        "coordinators/C1": {"id": "C1", "slots": ["mon-morning"]},
        "volunteers/V1": volunteer("V1").model_dump(mode="json"),
        "families/F1": family("F1").model_dump(mode="json"),
    }
    for tail, record in people.items():
        made = api.call("PUT", f"{base}/{tail}", keys[Scope.WRITE], json=record)
        assert made.status_code == 201, made.text
    stale = {"If-Match": '"stale"'}
    answers = {
        ("PUT", "/declined-pairs/{family_id}/{volunteer_id}"): api.call(
            "PUT", f"{base}/declined-pairs/F1/V1", keys[Scope.WRITE]
        ),
        ("DELETE", "/coordinators/{record_id}"): api.call(
            "DELETE", f"{base}/coordinators/C1", keys[Scope.WRITE], headers=stale
        ),
        ("PUT", "/round"): api.call(
            "PUT", f"{base}/round", keys[Scope.WRITE], json={}, headers=stale
        ),
    }
    assert [a.status_code for a in answers.values()] == [201, 412, 412]
    for (method, tail), answer in answers.items():
        assert _declared(api, method, f"/v1/locations/{{location}}{tail}", answer.status_code)


def test_an_empty_idempotency_key_is_refused_naming_the_header(api: Api) -> None:
    keys = api.location()
    headers = {"Idempotency-Key": ""}
    refused = api.call("POST", "/v1/locations/L1/rounds", keys[Scope.WRITE], headers=headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "header.idempotency-key"


def test_ids_and_names_no_database_can_hold_are_refused_naming_the_field(api: Api) -> None:
    keys = api.location()
    base = "/v1/locations/L1"
    nul = "%00"
    calls = {
        "query.round_id": ("GET", f"{base}/proposals?round_id=r{nul}", None),
        "path.round_id": ("GET", f"{base}/rounds/r{nul}", None),
        "path.family_id": ("POST", f"{base}/rounds/r1/proposals/F{nul}/accept", None),
        "path.key_id": ("DELETE", f"{base}/keys/k{nul}", None),
        "body.name": ("POST", f"{base}/keys", {"name": "a\u0000b", "scope": "read"}),
    }
    for field, (method, path, body) in calls.items():
        refused = api.call(method, path, keys[Scope.ADMIN], json=body)
        assert refused.status_code == 422, (field, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == [field]
