"""What the browser tests share: Debian's Chromium driven by Playwright (launched as the closed
network needs), the app served on a free loopback port in a thread (with a job worker), a page
that may reach nothing but that server, and the usual site: location A with its coordinator."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine

from matcher.db.engine import create_engine
from matcher.db.migrate import upgrade
from matcher.db.store import DatabaseRoundStore
from matcher.io.rounds import load_round
from matcher.service.app import create_app
from matcher.service.handlers import HANDLERS
from matcher.service.records import replace_round
from matcher.service.settings import ServiceSettings
from matcher.service.worker import run_worker
from matcher.web.accounts import Role, create_user

ROOT = Path(__file__).parent.parent
PASSWORD = "correct horse battery staple"

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--no-first-run",
]
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (under CI this test fails instead)",
)


@contextmanager
def served(engine: Engine) -> Iterator[str]:
    """The service over ``engine`` on a free loopback port, and a job worker; its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(ServiceSettings(), engine=engine, migrate=False),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    stop = threading.Event()
    worker = threading.Thread(
        target=run_worker,
        args=(engine, HANDLERS, "browser-test-worker", stop),
        kwargs={"poll_seconds": 0.02},
        daemon=True,
    )
    worker.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        worker.join(timeout=60)
        server.should_exit = True
        thread.join(timeout=30)


def launch(playwright: Any) -> Any:
    """Debian's Chromium, headless, kept from the network's other hosts."""
    assert CHROMIUM is not None, "CI must install Debian's chromium (.ci/run does)"
    return playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


def only_this_site(page: Any, base: str, elsewhere: list[str]) -> None:
    """Let ``page`` reach ``base`` only: any other request is aborted and listed in
    ``elsewhere``."""

    def route(route: Any) -> None:
        if route.request.url.startswith(base + "/"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", route)


@pytest.fixture
def coordinator_server(tmp_path: Path) -> Iterator[str]:
    """The service and a job worker over a new SQLite database with location A (the shipped
    scenario) and its coordinator anna@example.nl (``PASSWORD``); its base URL."""
    engine = create_engine(f"sqlite:///{tmp_path / 'matcher.db'}")
    upgrade(engine)
    moment = datetime.now(UTC)
    store = DatabaseRoundStore(engine, "A", moment.date())
    store.create_location("Home-Start A")
    replace_round(store, load_round(ROOT / "scenarios" / "location"), None, "test", moment)
    create_user(engine, "anna@example.nl", Role.COORDINATOR, ("A",), PASSWORD, moment)
    with served(engine) as url:
        yield url
    engine.dispose()
