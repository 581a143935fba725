"""The web app in a real headless Chromium: sign in and see the Dutch waiting list, with no
request leaving the machine and nothing logged to the console."""

from __future__ import annotations

from pathlib import Path

from chromium_site import PASSWORD, launch, needs_chromium, only_this_site

ROOT = Path(__file__).parent.parent

pytestmark = needs_chromium
pytest_plugins = ["chromium_site"]


def test_a_coordinator_signs_in_and_sees_the_dutch_waiting_list(
    coordinator_server: str, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    console: list[str] = []
    elsewhere: list[str] = []

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(locale="nl-NL")
            only_this_site(page, coordinator_server, elsewhere)
            page.on("console", lambda message: console.append(message.text))
            page.goto(coordinator_server + "/web/aanmelden")
            assert page.locator("h1").inner_text() == "Inloggen"
            page.get_by_label("E-mailadres").fill("anna@example.nl")
            page.get_by_label("Wachtwoord").fill(PASSWORD)
            page.get_by_role("button", name="Inloggen").click()
            page.wait_for_url(coordinator_server + "/web/locaties/A/gezinnen")
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
