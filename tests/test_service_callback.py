"""A location's callback over HTTP: set with its secret shown once, and a finished round
announced by a signed POST that the receiver can verify."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from fastapi.testclient import TestClient
from service_api import NOW, Api, finished
from sqlalchemy import Engine

from matcher.io.rounds import load_round
from matcher.service.app import create_app
from matcher.service.callbacks import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from matcher.service.keys import Scope, create_key
from matcher.service.settings import ServiceSettings

pytest_plugins = ["service_api"]

BASE = "/v1/locations/L1"


def test_a_finished_round_is_announced_by_a_signed_post(api: Api, worker: None) -> None:
    received: list[tuple[dict[str, str], bytes]] = []
    arrived = threading.Event()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()
            arrived.set()

        def log_message(self, *_: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        keys = api.location()
        url = f"http://127.0.0.1:{server.server_address[1]}/matcher"
        assert (
            api.call("PUT", f"{BASE}/callback", keys[Scope.WRITE], json={"url": url}).status_code
            == 403
        )
        set_ = api.call("PUT", f"{BASE}/callback", keys[Scope.ADMIN], json={"url": url})
        assert set_.status_code == 200, set_.text
        secret = set_.json()["secret"]
        document = json.loads(load_round(Path("scenarios/location")).model_dump_json())
        api.call("PUT", f"{BASE}/round", keys[Scope.WRITE], json=document)
        job = api.call("POST", f"{BASE}/rounds", keys[Scope.WRITE]).json()
        finished(api, "L1", job["id"], keys[Scope.READ])
        assert arrived.wait(30), "no callback arrived"
    finally:
        server.shutdown()
    headers, body = received[0]
    assert verify(
        secret, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER], datetime.now(UTC)
    )
    assert not verify(
        "another secret",
        headers[TIMESTAMP_HEADER],
        body,
        headers[SIGNATURE_HEADER],
        datetime.now(UTC),
    )
    event = json.loads(body)
    assert event["event"] == {"type": "job.done", "job": {"id": job["id"], "kind": "round"}}
    assert event["location"] == "L1"


def test_a_callback_url_inside_this_network_is_refused_by_default(engine: Engine) -> None:
    app = create_app(ServiceSettings(), engine=engine, clock=lambda: NOW, migrate=False)
    _, service_key = create_key(engine, None, "tests", Scope.SERVICE, NOW)
    with TestClient(app) as client:
        keys = Api(client, engine, service_key).location()
        for url in ("https://127.0.0.1/hook", "https://192.168.1.10/hook", "http://example.org/"):
            answer = client.put(
                f"{BASE}/callback",
                json={"url": url},
                headers={"Authorization": f"Bearer {keys[Scope.ADMIN]}"},
            )
            assert answer.status_code == 422, url
            assert answer.json()["detail"] in (
                "the callback host is not a public internet address",
                "a callback URL must use https",
            )
