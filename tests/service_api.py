"""The HTTP service for tests: the application over each database, a service key, and helpers
to create a location with a key of each scope."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from matcher.service.app import create_app
from matcher.service.handlers import HANDLERS
from matcher.service.keys import Scope, create_key
from matcher.service.settings import ServiceSettings
from matcher.service.worker import run_worker

pytest_plugins = ["db_engines"]

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


@dataclass
class Api:
    """A test client of the service, and the keys it was given."""

    client: TestClient
    engine: Engine
    service_key: str

    def headers(self, key: str, **more: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}", **more}

    def location(self, location_id: str = "L1") -> dict[Scope, str]:
        """Create a location; its keys by scope."""
        made = self.client.post(
            "/v1/locations",
            json={"id": location_id, "name": f"Location {location_id}"},
            headers=self.headers(self.service_key),
        )
        assert made.status_code == 201, made.text
        keys = {}
        for scope in (Scope.READ, Scope.WRITE, Scope.ADMIN):
            created = self.client.post(
                f"/v1/locations/{location_id}/keys",
                json={"name": f"{scope.value} key", "scope": scope.value},
                headers=self.headers(self.service_key),
            )
            assert created.status_code == 201, created.text
            keys[scope] = created.json()["key"]
        return keys

    def call(self, method: str, path: str, key: str, **options: Any) -> Any:
        headers = self.headers(key, **options.pop("headers", {}))
        return self.client.request(method, path, headers=headers, **options)


@pytest.fixture
def api(engine: Engine) -> Iterator[Api]:
    """The service over a migrated database of each kind, with a service key."""
    # The tests' callback receivers listen on this machine.
    settings = ServiceSettings(callback_private_networks=True)
    app = create_app(settings, engine=engine, clock=lambda: NOW, migrate=False)
    _, service_key = create_key(engine, None, "tests", Scope.SERVICE, NOW)
    with TestClient(app) as client:
        yield Api(client, engine, service_key)


@pytest.fixture
def worker(engine: Engine) -> Iterator[None]:
    """A job worker on the same database, in a thread, for the length of a test."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker,
        args=(engine, HANDLERS, "test-worker", stop),
        kwargs={"poll_seconds": 0.02, "private_callbacks": True},
        daemon=True,
    )
    thread.start()
    yield
    stop.set()
    thread.join(timeout=60)


def finished(
    api: Api, location: str, job_id: str, key: str, kind: str = "rounds", timeout_s: float = 60
) -> Any:
    """The job (a round, or of ``kind``) once it is done or failed (polling its status)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = api.call("GET", f"/v1/locations/{location}/{kind}/{job_id}", key).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} did not finish in {timeout_s} s")
