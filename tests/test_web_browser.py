"""The web app in a real headless Chromium: sign in and see the Dutch waiting list, with no
request leaving the machine and nothing logged to the console."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from chromium_site import launch, needs_chromium, only_this_site, served

from matcher.db.engine import create_engine
from matcher.db.migrate import upgrade
from matcher.db.store import DatabaseRoundStore
from matcher.io.rounds import load_round
from matcher.service.records import replace_round
from matcher.web.accounts import Role, create_user

ROOT = Path(__file__).parent.parent
PASSWORD = "correct horse battery staple"

pytestmark = needs_chromium


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
    with served(engine) as url:
        yield url
    engine.dispose()


def test_a_coordinator_signs_in_and_sees_the_dutch_waiting_list(
    server: str, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    console: list[str] = []
    elsewhere: list[str] = []

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(locale="nl-NL")
            only_this_site(page, server, elsewhere)
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
