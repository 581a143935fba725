"""The API documentation works offline: ``/docs`` is Swagger UI served by the service itself,
its files are the vendored ones named in their README, and in a real Chromium, with every
request that leaves the machine blocked, the page renders the operations without an error."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from matcher.db.engine import create_engine
from matcher.service.app import create_app
from matcher.service.routes.docs import ASSETS, SWAGGER_UI
from matcher.service.settings import ServiceSettings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(
        ServiceSettings(), engine=create_engine(f"sqlite:///{tmp_path / 'matcher.db'}")
    )


class _Links(HTMLParser):
    """Every ``src`` and ``href`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("src", "href") and value]


def test_the_docs_page_loads_only_the_services_own_files_and_needs_no_key(app: FastAPI) -> None:
    client = TestClient(app)
    page = client.get("/docs")
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    links = _Links()
    links.feed(page.text)
    assert sorted(links.found) == sorted(f"/docs/assets/{name}" for name in ASSETS)
    assert "url: '/openapi.json'" in page.text
    for name, media_type in ASSETS.items():
        asset = client.get(f"/docs/assets/{name}")
        assert asset.status_code == 200 and asset.headers["content-type"] == media_type
        assert asset.content == (SWAGGER_UI / name).read_bytes()
    for name in ("LICENSE", "README.md", "..%2Fapp.py", "swagger-ui.css.map"):
        assert client.get(f"/docs/assets/{name}").status_code == 404
    document = client.get("/openapi.json")
    assert document.status_code == 200 and "/v1/locations/{location}" in document.json()["paths"]


def test_the_vendored_files_are_the_ones_their_readme_names() -> None:
    readme = (SWAGGER_UI / "README.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"\| `([^`]+)` \| `([0-9a-f]{64})` \|", readme))
    assert set(listed) == set(ASSETS)
    for name, digest in listed.items():
        assert hashlib.sha256((SWAGGER_UI / name).read_bytes()).hexdigest() == digest, name
    assert (SWAGGER_UI / "LICENSE").read_text(encoding="utf-8").lstrip().startswith("Apache")
    assert re.search(r"`swagger-ui-dist` \d+\.\d+\.\d+", readme)


@pytest.fixture
def served(app: FastAPI) -> Iterator[str]:
    """The app under uvicorn on a free loopback port, in a thread; its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)
    listener.close()


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (under CI this test fails instead)",
)
def test_the_docs_render_in_chromium_with_the_network_off(served: str) -> None:
    assert CHROMIUM is not None, "CI must install Debian's chromium (.ci/run does)"
    from playwright.sync_api import Request, Route, sync_playwright

    blocked: list[str] = []
    errors: list[str] = []

    def only_loopback(route: Route, request: Request) -> None:
        if urlsplit(request.url).hostname in LOOPBACK or request.url.startswith("data:"):
            route.continue_()
        else:
            blocked.append(request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.route("**/*", only_loopback)
            page.goto(f"{served}/docs", wait_until="networkidle")
            operation = page.locator(
                '.opblock-get .opblock-summary-path[data-path="/v1/locations/{location}"]'
            )
            operation.first.wait_for(state="visible", timeout=30_000)
            assert page.locator(".opblock").count() >= 20
            assert page.title() == "matcher API"
        finally:
            browser.close()
    assert blocked == [], f"the page tried to leave the machine: {blocked}"
    assert errors == [], errors
