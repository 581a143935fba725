"""Accessibility of every page of the web app (``web_pages.PAGES``), in Debian's Chromium:
axe-core finds no serious or critical fault for any role that sees the page, each page is
kept as a screenshot at a laptop's and a phone's size (non-blank), nothing is logged to the
console (a refused inline script or style would be), and a coordinator's journey works with
the keyboard alone.

Screenshots go to ``$MATCHER_TEST_OUTPUT/screenshots`` (default ``test-output/``)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from chromium_site import launch, needs_chromium, only_this_site, served
from PIL import Image
from web_pages import ADMIN, COORDINATOR, MANAGER, PAGES, WebPage

from matcher.db.engine import create_engine
from matcher.db.jobs import JobStatus, get
from matcher.db.migrate import upgrade
from matcher.db.store import DatabaseRoundStore
from matcher.io.rounds import load_round
from matcher.service.records import replace_round
from matcher.service.rounds import proposals, start_round
from matcher.web.accounts import Role, create_user

ROOT = Path(__file__).parent.parent
AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery staple"
EMAILS = {
    COORDINATOR: "anna@example.nl",
    MANAGER: "rita@example.nl",
    ADMIN: "root@example.nl",
}
JOURNEY_EMAIL = "jan@example.nl"
SIZES = {"laptop": (1366, 768), "phone": (390, 844)}
SERIOUS = ("serious", "critical")

pytestmark = needs_chromium


@dataclass(frozen=True)
class Site:
    """The running app: its address and the values of the pages' URL templates."""

    base: str
    values: dict[str, str]

    def url(self, page: WebPage) -> str:
        return self.base + page.url.format(**self.values)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The service and a job worker over SQLite: location A with the shipped scenario and one
    finished round, an empty location B, an account of each role, and location J with the
    scenario and its coordinator for the keyboard journey."""
    engine = create_engine(f"sqlite:///{tmp_path_factory.mktemp('site') / 'matcher.db'}")
    upgrade(engine)
    moment = datetime.now(UTC)
    store = DatabaseRoundStore(engine, "A", moment.date())
    store.create_location("Home-Start A")
    round_ = load_round(ROOT / "scenarios" / "location")
    replace_round(store, round_, None, "test", moment)
    DatabaseRoundStore(engine, "B", moment.date()).create_location("Home-Start B")
    journey = DatabaseRoundStore(engine, "J", moment.date())
    journey.create_location("Home-Start J")
    replace_round(journey, round_, None, "test", moment)
    create_user(engine, JOURNEY_EMAIL, COORDINATOR, ("J",), PASSWORD, moment)
    create_user(engine, EMAILS[COORDINATOR], COORDINATOR, ("A",), PASSWORD, moment)
    create_user(engine, EMAILS[MANAGER], MANAGER, ("A", "B"), PASSWORD, moment)
    create_user(engine, EMAILS[ADMIN], ADMIN, (), PASSWORD, moment)
    with served(engine) as base:
        job, _ = start_round(engine, "A", "test", moment, {})
        _until(lambda: _job_status(engine, job.id) == JobStatus.DONE, "the round to finish")
        yield Site(
            base,
            {
                "location": "A",
                "family": round_.families[0].id,
                "volunteer": round_.volunteers[0].id,
                "round": job.id,
                "proposal": proposals(engine, "A", job_id=job.id)[0].family_id,
            },
        )
    engine.dispose()


def _job_status(engine: Any, job_id: str) -> JobStatus | None:
    job = get(engine, "A", job_id)
    return None if job is None else job.status


def _until(condition: Any, what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


def _screenshots() -> Path:
    folder = Path(os.environ.get("MATCHER_TEST_OUTPUT", ROOT / "test-output")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _tab(site: Site, browser: Any, role: Role | None) -> Any:
    """A new tab, signed in as ``role`` (or not), that may reach only the app."""
    context = browser.new_context(locale="nl-NL", viewport=_size("laptop"))
    tab = context.new_page()
    only_this_site(tab, site.base, elsewhere=[])
    if role is not None:
        tab.goto(site.base + "/web/aanmelden")
        tab.fill("#email", EMAILS[role])
        tab.fill("#password", PASSWORD)
        tab.click("button[type=submit]")
        tab.wait_for_load_state()
    return tab


def _size(name: str) -> dict[str, int]:
    width, height = SIZES[name]
    return {"width": width, "height": height}


def _violations(tab: Any) -> list[str]:
    """axe-core's serious and critical findings on the page: rule, help and where."""
    tab.evaluate(AXE.read_text())
    found = tab.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}"
        for v in found
        if v["impact"] in SERIOUS
    ]


def _not_blank(path: Path) -> bool:
    with Image.open(path) as image:
        return image.convert("RGB").getcolors(maxcolors=1) is None


def test_every_page_has_no_serious_faults_and_a_screenshot_at_each_size(
    site: Site, chromium: Any
) -> None:
    faults: list[str] = []
    folder = _screenshots()
    roles = dict.fromkeys(role for page in PAGES for role in page.roles)
    for role in roles:
        tab = _tab(site, chromium, role)
        console: list[str] = []
        tab.on("console", lambda message, sink=console: sink.append(message.text))
        for page in (p for p in PAGES if role in p.roles):
            who = role.value if role else "signed-out"
            console.clear()
            response = tab.goto(site.url(page))
            assert response is not None and response.status == page.status, (page.name, who)
            faults += [f"{page.name} as {who}: {fault}" for fault in _violations(tab)]
            for size, (width, height) in SIZES.items():
                tab.set_viewport_size({"width": width, "height": height})
                shot = folder / f"{page.name}-{who}-{size}.png"
                tab.screenshot(path=str(shot), full_page=True)
                assert _not_blank(shot), shot
            tab.set_viewport_size(_size("laptop"))
            faults += [
                f"{page.name} as {who}, console: {line}"
                for line in console
                if not (page.status != 200 and line.startswith("Failed to load resource"))
            ]
        tab.context.close()
    assert faults == []


def _tab_to(tab: Any, selector: str, presses: int = 300) -> None:
    """Press Tab until the element ``selector`` has the focus."""
    for _ in range(presses):
        tab.keyboard.press("Tab")
        if tab.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _enter(tab: Any) -> None:
    """Press Enter on what has the focus and wait for the page it opens."""
    with tab.expect_navigation():
        tab.keyboard.press("Enter")


def test_a_coordinators_journey_works_by_keyboard_alone(site: Site, chromium: Any) -> None:
    tab = _tab(site, chromium, None)
    tab.goto(site.base + "/web/aanmelden")
    _tab_to(tab, "#email")
    tab.keyboard.type(JOURNEY_EMAIL)
    _tab_to(tab, "#password")
    tab.keyboard.type(PASSWORD)
    _enter(tab)
    _tab_to(tab, "nav a[href$='/vrijwilligers']")
    _enter(tab)
    assert tab.locator("h1").inner_text() == "Vrijwilligers"
    _tab_to(tab, "nav a[href$='/gezinnen']")
    _enter(tab)
    assert tab.locator("h1").inner_text() == "Wachtlijst"

    _tab_to(tab, "#zoek")
    tab.keyboard.type("F001")
    _tab_to(tab, "#filters button")
    tab.keyboard.press("Enter")  # htmx replaces the table in place
    tab.wait_for_url("**zoek=F001**")
    tab.wait_for_function("document.querySelectorAll('#records tbody tr').length === 10")
    shown = tab.locator("#records tbody th").all_inner_texts()
    assert shown == [f"F00{n}" for n in range(10, 20)]

    _tab_to(tab, "nav a[href$='/rondes']")
    _enter(tab)
    _tab_to(tab, "form[action$='/rondes'] button")
    _enter(tab)
    tab.wait_for_selector("form[action$='/aannemen'] button", timeout=60_000)  # refreshes
    _tab_to(tab, "form[action$='/aannemen'] button")
    family = tab.evaluate("document.activeElement.closest('tr').id")
    _enter(tab)
    assert "aangenomen" in tab.locator(f"tr[id='{family}']").inner_text()

    _tab_to(tab, "form[action='/web/afmelden'] button")
    _enter(tab)
    assert tab.url == site.base + "/web/aanmelden"
    assert tab.locator("h1").inner_text() == "Inloggen"
    tab.context.close()
