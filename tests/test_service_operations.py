"""Operating the service: health, readiness, metrics, the request id, JSON logs without
personal data, the body limit and the per-key rate limit."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient
from service_api import NOW, Api
from sqlalchemy import Engine

from matcher.db.engine import create_engine
from matcher.service.app import create_app
from matcher.service.keys import Scope, create_key
from matcher.service.observe import JsonFormatter
from matcher.service.settings import ServiceSettings

pytest_plugins = ["service_api"]


def test_health_readiness_and_metrics(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").json()["status"] == "ready"
    keys = api.location()
    api.call("GET", "/v1/locations/L1", keys[Scope.READ])
    metrics = api.client.get("/metrics").text
    assert 'matcher_http_requests_total{method="GET",route="/v1/locations/{location}"' in metrics
    assert "L1" not in metrics  # routes, never ids


def test_not_ready_before_the_schema_is_migrated(tmp_path: object) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/empty.db")
    app = create_app(ServiceSettings(), engine=engine, migrate=False)
    with TestClient(app) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503 and "schema" in answer.json()["reason"]


def test_every_request_has_an_id_and_one_json_log_line_without_personal_data(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    keys = api.location()
    with caplog.at_level(logging.INFO, logger="matcher.service"):
        answer = api.call(
            "GET",
            "/v1/locations/L1/families/FAMILY-SECRET",
            keys[Scope.READ],
            headers={"X-Request-Id": "abc-123"},
        )
    assert answer.status_code == 404 and answer.headers["x-request-id"] == "abc-123"
    lines = [JsonFormatter().format(r) for r in caplog.records if r.name == "matcher.service"]
    logged = json.loads(lines[-1])
    assert logged["request_id"] == "abc-123" and logged["status"] == 404
    assert logged["route"] == "/v1/locations/{location}/families/{record_id}"
    assert "FAMILY-SECRET" not in "\n".join(lines)


def test_a_body_over_the_limit_is_refused_before_it_is_read(engine: Engine) -> None:
    app = create_app(
        ServiceSettings(max_body_bytes=1_000), engine=engine, clock=lambda: NOW, migrate=False
    )
    _, key = create_key(engine, None, "tests", Scope.SERVICE, NOW)
    with TestClient(app) as client:
        answer = client.post(
            "/v1/locations",
            content=b"{" + b" " * 5_000 + b"}",
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"


def test_a_key_over_its_rate_gets_429(engine: Engine) -> None:
    app = create_app(
        ServiceSettings(rate_per_minute=5), engine=engine, clock=lambda: NOW, migrate=False
    )
    _, key = create_key(engine, None, "tests", Scope.SERVICE, NOW)
    with TestClient(app) as client:
        codes = [
            client.get("/v1/locations/L1", headers={"Authorization": f"Bearer {key}"}).status_code
            for _ in range(8)
        ]
    assert codes[:5] == [404] * 5 and codes[5:] == [429] * 3
