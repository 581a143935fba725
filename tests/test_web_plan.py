"""The plan of a round's accepted proposals in the web app: introductions and weekly visits,
calendar files for a family, a volunteer and a coordinator, a feed address shown once, and a
printable match letter with ids and practical facts only."""

from __future__ import annotations

import json
import re
import time

from icalendar import Calendar
from service_api import NOW, Api
from web_client import ROOT, Browser, account

from matcher.db.store import DatabaseRoundStore
from matcher.io.rounds import load_round
from matcher.service.keys import Scope
from matcher.web.accounts import Role

pytest_plugins = ["service_api"]


def _two_accepted(api: Api) -> tuple[Browser, str, list[str], str]:
    """A signed-in coordinator, a finished round with two proposals accepted (their families)
    and one left open."""
    keys = api.location("deventer")
    round_ = json.loads(load_round(ROOT / "scenarios" / "location").model_dump_json())
    put = api.call("PUT", "/v1/locations/deventer/round", keys[Scope.WRITE], json=round_)
    assert put.status_code == 200, put.text
    browser = Browser(api)
    browser.sign_in(account(api, "anna@example.nl", Role.COORDINATOR, "deventer"))
    browser.get("/web/locaties/deventer/rondes")
    path = browser.post("/web/locaties/deventer/rondes").url.path
    for _ in range(600):
        page = browser.get(path)
        if 'http-equiv="refresh"' not in page.text:
            break
        time.sleep(0.05)
    families = re.findall(r"/voorstellen/([^/\"]+)/aannemen", page.text)
    assert len(families) >= 3
    for family in families[:2]:
        assert browser.post(f"{path}/voorstellen/{family}/aannemen").status_code == 200
    return browser, path, families[:2], families[2]


def test_the_plan_lists_introductions_and_visits_and_gives_each_person_a_calendar(
    api: Api, worker: None
) -> None:
    browser, path, accepted, _ = _two_accepted(api)
    plan = browser.get(f"{path}/planning")
    assert plan.status_code == 200
    assert "Kennismakingsgesprekken" in plan.text and "Wekelijkse bezoeken" in plan.text
    for family in accepted:
        assert f'<th scope="row">{family}</th>' in plan.text
    matches = DatabaseRoundStore(api.engine, "deventer", NOW.date()).load().active_matches
    volunteer = next(m.volunteer_id for m in matches if m.family_id == accepted[0])

    family_file = browser.get(f"{path}/planning/gezin/{accepted[0]}.ics")
    assert family_file.status_code == 200
    assert family_file.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(family_file.content).walk("VEVENT")
    assert events and all(accepted[0] in str(e["SUMMARY"]) for e in events)
    assert all(accepted[1] not in str(e["SUMMARY"]) for e in events)
    volunteer_file = browser.get(f"{path}/planning/vrijwilliger/{volunteer}.ics")
    volunteer_events = Calendar.from_ical(volunteer_file.content).walk("VEVENT")
    summaries = [str(e["SUMMARY"]) for e in volunteer_events]
    assert any(accepted[0] in s for s in summaries)
    coordinator = browser.get(f"{path}/planning/coordinator/C01.ics")
    assert len(Calendar.from_ical(coordinator.content).walk("VEVENT")) >= 2
    assert browser.get(f"{path}/planning/vrijwilliger/V9999.ics").status_code == 404


def test_a_subscription_address_is_shown_once_and_opens_the_feed(api: Api, worker: None) -> None:
    browser, path, _, _ = _two_accepted(api)
    browser.get(f"{path}/planning")
    made = browser.post(f"{path}/planning/abonnementen", {"persoon": "coordinator:C01"})
    assert made.status_code == 200
    assert "alleen deze ene keer getoond" in made.text
    found = re.search(r'value="(http[^"]+/v1/calendars/[^"]+\.ics)"', made.text)
    assert found is not None
    feed = browser.client.get(found.group(1))
    assert feed.status_code == 200 and Calendar.from_ical(feed.content).walk("VEVENT")
    assert found.group(1) not in browser.get(f"{path}/planning").text
    for person in ("family:F0001", "volunteer:V9999"):
        bad = browser.post(f"{path}/planning/abonnementen", {"persoon": person})
        assert bad.status_code == 422 and "De invoer is niet geldig." in bad.text


def test_a_match_letter_holds_ids_and_practical_facts_and_prints_plainly(
    api: Api, worker: None
) -> None:
    browser, path, accepted, still_open = _two_accepted(api)
    letter = browser.get(f"{path}/brieven/{accepted[0]}")
    assert letter.status_code == 200
    text = re.sub(r"<[^>]+>", " ", letter.text)
    assert accepted[0] in text and "C01" in text
    assert "Wekelijks dagdeel" in text and re.search(r"\d+,\d km", text)
    assert re.search(r"Eerste bezoek\s+\w\w \d+ \w+", text)
    assert "postcode" not in letter.text.lower()
    pending = browser.get(f"{path}/brieven/{still_open}")
    assert pending.status_code == 200 and "nog te plannen" in pending.text
    assert "@media print" in browser.get("/web/static/app.css").text
