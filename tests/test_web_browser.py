"""The web app in a real headless Chromium: sign in and see the Dutch waiting list, with no
request leaving the machine and nothing logged to the console."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn

from matcher.db.engine import create_engine
from matcher.db.migrate import upgrade
from matcher.db.store import DatabaseRoundStore
from matcher.io.rounds import load_round
from matcher.service.app import create_app
from matcher.service.records import replace_round
from matcher.service.settings import ServiceSettings
from matcher.web.accounts import Role, create_user

ROOT = Path(__file__).parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (under CI this test fails instead)",
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The service on a free loopback port over a new SQLite database with location A (the
    shipped scenario) and its coordinator; its base URL."""
    engine = create_engine(f"sqlite:///{tmp_path / 'matcher.db'}")
    upgrade(engine)
    moment = datetime.now(UTC)
    store = DatabaseRoundStore(engine, "A", moment.date())
    store.create_location("Home-Start A")
    replace_round(store, load_round(ROOT / "scenarios" / "location"), None, "test", moment)
    create_user(engine, "anna@example.nl", Role.COORDINATOR, ("A",), PASSWORD, moment)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(ServiceSettings(), engine=engine, migrate=False),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=30)
    engine.dispose()


def test_a_coordinator_signs_in_and_sees_the_dutch_waiting_list(
    server: str, tmp_path: Path
) -> None:
    assert CHROMIUM is not None, "CI must install Debian's chromium (.ci/run does)"
    from playwright.sync_api import Route, sync_playwright

    console: list[str] = []
    elsewhere: list[str] = []

    def only_loopback(route: Route) -> None:
        if route.request.url.startswith(server + "/"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-gpu",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page(locale="nl-NL")
            page.route("**/*", only_loopback)
            page.on("console", lambda message: console.append(message.text))
            page.goto(server + "/web/aanmelden")
            assert page.locator("h1").inner_text() == "Inloggen"
            page.get_by_label("E-mailadres").fill("anna@example.nl")
            page.get_by_label("Wachtwoord").fill(PASSWORD)
            page.get_by_role("button", name="Inloggen").click()
            page.wait_for_url(server + "/web/locaties/A/gezinnen")
            assert page.locator("h1").inner_text() == "Wachtlijst"
            assert page.locator("html").get_attribute("lang") == "nl"
            assert page.get_by_role("row").count() > 10
            assert page.get_by_role("link", name="F0001").is_visible()
            page.get_by_role("link", name="Aangemeld op").click()
            page.wait_for_url(lambda url: "sorteer=registered" in url)  # in place, by htmx
            page.screenshot(path=str(tmp_path / "waiting-list.png"), full_page=True)
        finally:
            browser.close()
    assert elsewhere == []
    assert console == []
    assert (tmp_path / "waiting-list.png").stat().st_size > 10_000
