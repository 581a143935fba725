"""The round's map in a real headless Chromium: a coordinator starts a round, the map draws
every postcode area as one point with its count and a line per pair that shows its distance on
hover, with no request leaving the machine and nothing logged to the console (a script or style
the page's security policy refused would be)."""

from __future__ import annotations

from pathlib import Path

from chromium_site import PASSWORD, launch, needs_chromium, only_this_site

ROOT = Path(__file__).parent.parent
ALONG = """(path, fraction) => {
    const at = path.getPointAtLength(path.getTotalLength() * fraction);
    const m = path.getScreenCTM();
    return [at.x * m.a + at.y * m.c + m.e, at.x * m.b + at.y * m.d + m.f];
}"""
"""The page coordinates of the point ``fraction`` along an SVG path."""

pytestmark = needs_chromium
pytest_plugins = ["chromium_site"]


def test_the_map_shows_points_by_area_and_a_pairs_distance_on_hover(
    coordinator_server: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    console: list[str] = []
    elsewhere: list[str] = []

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(locale="nl-NL", viewport={"width": 1366, "height": 768})
            only_this_site(page, coordinator_server, elsewhere)
            page.on("console", lambda message: console.append(message.text))
            page.goto(coordinator_server + "/web/aanmelden")
            page.get_by_label("E-mailadres").fill("anna@example.nl")
            page.get_by_label("Wachtwoord").fill(PASSWORD)
            page.get_by_role("button", name="Inloggen").click()
            page.wait_for_url(coordinator_server + "/web/locaties/A/gezinnen")
            page.goto(coordinator_server + "/web/locaties/A/rondes")
            page.get_by_role("button", name="Nieuwe ronde starten").click()
            points = page.locator("#round-map .map-point")
            points.first.wait_for(timeout=60_000)  # the page refreshes until the round is done

            data = page.request.get(page.url.split("#")[0] + "/kaart.json").json()
            assert points.count() == len(data["points"])
            people = sum(len(p["families"]) + len(p["volunteers"]) for p in data["points"])
            counts = [int(text) for text in points.all_inner_texts()]
            assert sum(counts) == people and max(counts) > 1  # grouped, with a count

            far = max(data["pairs"], key=lambda pair: pair["distance_km"])
            lines = page.locator("#round-map path.map-pair")
            assert lines.count() == len(data["pairs"])
            line = lines.nth(data["pairs"].index(far))
            pair = f"{far['family_id']} \u2013 {far['volunteer_id']}: {far['distance']}"
            tooltip = page.locator(".leaflet-tooltip", has_text=pair)
            page.locator("#round-map").scroll_into_view_if_needed()
            for fraction in (0.3, 0.45, 0.6, 0.75):  # a point of the line no marker covers
                x, y = line.evaluate(ALONG, fraction)
                page.mouse.move(x, y, steps=3)
                if tooltip.count():
                    break
            expect(tooltip).to_be_visible()
            table = page.locator(f"tr#{far['family_id']}")
            expect(table).to_contain_text(far["distance"])
            page.screenshot(path=str(tmp_path / "round-map.png"), full_page=True)
        finally:
            browser.close()
    assert elsewhere == []
    assert console == []
    assert (tmp_path / "round-map.png").stat().st_size > 10_000
