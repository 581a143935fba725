"""The regional manager's journey in a real headless Chromium: run a what-if and see its
chart, then export a municipality's quarter and open the downloaded workbook."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from chromium_site import PASSWORD, launch, needs_chromium, only_this_site, served
from openpyxl import load_workbook
from test_accountability import LOG, ROUND

from matcher.db.engine import create_engine
from matcher.db.migrate import upgrade
from matcher.db.store import DatabaseRoundStore
from matcher.service.records import replace_round
from matcher.web.accounts import Role, create_user

pytestmark = needs_chromium


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The service and a job worker over a new SQLite database holding the Zwolle location
    and its decision log, with a regional manager; its base URL."""
    engine = create_engine(f"sqlite:///{tmp_path / 'matcher.db'}")
    upgrade(engine)
    moment = datetime.now(UTC)
    store = DatabaseRoundStore(engine, "A", moment.date())
    store.create_location("Home-Start A")
    replace_round(store, ROUND, None, "test", moment)
    for line in LOG:
        with store.transaction() as transaction:
            transaction.commit(transaction.round, line)
    create_user(engine, "rita@example.nl", Role.REGIONAL_MANAGER, ("A",), PASSWORD, moment)
    with served(engine) as url:
        yield url
    engine.dispose()


def test_a_regional_manager_runs_a_what_if_and_exports_a_quarter(
    server: str, tmp_path: Path
) -> None:
    from playwright.sync_api import Error, sync_playwright

    elsewhere: list[str] = []
    console: list[str] = []

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(locale="nl-NL", accept_downloads=True)
            only_this_site(page, server, elsewhere)
            page.on("console", lambda message: console.append(message.text))
            page.goto(server + "/web/aanmelden")
            page.get_by_label("E-mailadres").fill("rita@example.nl")
            page.get_by_label("Wachtwoord").fill(PASSWORD)
            page.get_by_role("button", name="Inloggen").click()
            page.wait_for_url(server + "/web/locaties/A/gezinnen")

            page.get_by_role("link", name="Wat als").click()
            page.get_by_label("Weken vooruit").fill("8")
            page.get_by_label("Herhalingen per variant").fill("2")
            page.get_by_label("Extra geworven vrijwilligers per maand").fill("2")
            page.get_by_role("button", name="Start de simulatie").click()
            page.wait_for_url("**/wat-als/*")
            chart = page.locator("figure.chart img").first
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                try:
                    if chart.count() and chart.evaluate("img => img.complete"):
                        break
                except Error:  # the page refreshed itself meanwhile
                    pass
                page.wait_for_timeout(500)
            assert chart.evaluate("img => img.naturalWidth") > 100
            assert page.get_by_role("status").inner_text() == "Status: klaar"
            page.screenshot(path=str(tmp_path / "what-if.png"), full_page=True)

            page.get_by_role("link", name="Verantwoording").click()
            page.get_by_label("Gemeente").select_option("Zwolle")
            page.get_by_label("Periode").select_option("2026-Q3")
            page.get_by_role("button", name="Toon").click()
            page.wait_for_url("**periode=2026-Q3**")
            supported = page.get_by_role("row", name="Gezinnen ondersteund")
            assert supported.get_by_role("cell").inner_text() == "6"
            assert page.locator("svg.bars rect").count() == 7
            with page.expect_download() as download_info:
                page.get_by_role("link", name="Download als Excel").click()
            saved = tmp_path / "verantwoording.xlsx"
            download_info.value.save_as(saved)
        finally:
            browser.close()
    sheet = load_workbook(saved).active
    assert sheet is not None
    rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert (rows["Gemeente"], rows["Periode"]) == ("Zwolle", "2026-Q3")
    assert rows["Gezinnen ondersteund"] == 6 and rows["Gezinnen aangemeld"] == "< 5"
    assert elsewhere == [] and console == []
    assert (tmp_path / "what-if.png").stat().st_size > 10_000
