"""A round's page: its progress while it runs, a volunteer picked from a family's shortlist (a
broken rule of fit confirmed first, a refused one explained), the map's data by postcode area,
and the vendored map files served from this server."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from service_api import NOW, Api
from sqlalchemy import update
from web_client import ROOT, Browser, account

from matcher.db.jobs import JobStatus
from matcher.db.service_tables import JobRow
from matcher.db.store import DatabaseRoundStore
from matcher.domain.round import Pair
from matcher.io.rounds import load_round
from matcher.scoring.rules import Rule
from matcher.service.keys import Scope
from matcher.service.settings import ServiceSettings
from matcher.usecases.recommend import recommend
from matcher.web.accounts import Role

pytest_plugins = ["service_api"]


def _signed_in(api: Api) -> Browser:
    keys = api.location("deventer")
    round_ = json.loads(load_round(ROOT / "scenarios" / "location").model_dump_json())
    put = api.call("PUT", "/v1/locations/deventer/round", keys[Scope.WRITE], json=round_)
    assert put.status_code == 200, put.text
    browser = Browser(api)
    browser.sign_in(account(api, "anna@example.nl", Role.COORDINATOR, "deventer"))
    return browser


def _finished_round(browser: Browser) -> tuple[str, httpx.Response]:
    browser.get("/web/locaties/deventer/rondes")
    path = browser.post("/web/locaties/deventer/rondes").url.path
    for _ in range(600):
        page = browser.get(path)
        if 'http-equiv="refresh"' not in page.text:
            return path, page
        time.sleep(0.05)
    raise AssertionError("the round did not finish")


def _near_miss(api: Api, page: str, rule: Rule) -> tuple[str, str, str]:
    """A family with an open proposal on ``page``, a volunteer who fails ``rule`` only for
    it, and a half-day they share."""
    prepared = DatabaseRoundStore(api.engine, "deventer", NOW.date()).read()
    for family in re.findall(r"/voorstellen/([^/\"]+)/keuze", page):
        for miss in recommend(prepared, family, k=50).near_misses:
            if miss.rule == rule and miss.shared_slots:
                return family, miss.volunteer_id, miss.shared_slots[0]
    raise AssertionError(f"no near miss by {rule}")


def test_a_choice_beyond_the_travel_limit_is_confirmed_then_recorded(
    api: Api, worker: None
) -> None:
    browser = _signed_in(api)
    path, page = _finished_round(browser)
    family, volunteer, slot = _near_miss(api, page.text, Rule.TRAVEL)
    choice = browser.get(f"{path}/voorstellen/{family}/keuze")
    assert choice.status_code == 200
    assert f"Kies een vrijwilliger voor gezin {family}" in choice.text
    assert volunteer in choice.text and "reisgrens" in choice.text

    asked = browser.post(
        f"{path}/voorstellen/{family}/keuze", {"vrijwilliger": volunteer, "dagdeel": slot}
    )
    assert asked.status_code == 200, asked.text
    assert "Deze keuze breekt een harde regel:" in asked.text
    assert "Toch koppelen?" in asked.text
    assert re.search(r"de afstand \(\d+,\d km\) is groter dan de reisgrens", asked.text)
    assert volunteer not in _row(browser.get(path).text, family)  # nothing recorded yet

    confirmed = browser.post(
        f"{path}/voorstellen/{family}/keuze",
        {"vrijwilliger": volunteer, "dagdeel": slot, "bevestigd": "true"},
    )
    assert confirmed.status_code == 200 and confirmed.url.path == path
    row = _row(confirmed.text, family)
    assert volunteer in row and "gekozen in plaats van" in row and "aangenomen" in row
    assert f"/brieven/{family}" in row
    decided = browser.get(f"{path}/voorstellen/{family}/keuze").text
    assert "Over dit voorstel is al besloten" in decided and 'name="vrijwilliger"' not in decided
    matches = DatabaseRoundStore(api.engine, "deventer", NOW.date()).load().active_matches
    assert any(m.family_id == family and m.volunteer_id == volunteer for m in matches)


def test_a_declined_pair_cannot_be_chosen(api: Api, worker: None) -> None:
    browser = _signed_in(api)
    path, page = _finished_round(browser)
    family, volunteer, slot = _near_miss(api, page.text, Rule.TRAVEL)
    store = DatabaseRoundStore(api.engine, "deventer", NOW.date())
    declined = (Pair(family_id=family, volunteer_id=volunteer),)
    store.save_round(store.load().model_copy(update={"declined_pairs": declined}))
    refused = browser.post(
        f"{path}/voorstellen/{family}/keuze",
        {"vrijwilliger": volunteer, "dagdeel": slot, "bevestigd": "true"},
    )
    assert refused.status_code == 409
    assert "Deze keuze kan niet worden vastgelegd" in refused.text
    assert "eerder afgewezen of staat op de uitsluitingslijst" in refused.text
    assert "aangenomen" not in _row(browser.get(path).text, family)


def test_the_maps_data_groups_people_by_postcode_area(api: Api, worker: None) -> None:
    browser = _signed_in(api)
    path, page = _finished_round(browser)
    assert 'id="round-map"' in page.text and "/web/static/js/round-map.js" in page.text
    assert "<script>" not in page.text and "style=" not in page.text
    data = browser.get(f"{path}/kaart.json").json()
    round_ = DatabaseRoundStore(api.engine, "deventer", NOW.date()).load()
    families = [f for f in round_.families if not f.closed]
    assert sum(len(p["families"]) for p in data["points"]) == len(families)
    assert sum(len(p["volunteers"]) for p in data["points"]) == len(round_.volunteers)
    keys = [p["key"] for p in data["points"]]
    assert len(keys) == len(set(keys)) < len(families) + len(round_.volunteers)  # grouped
    assert all(re.fullmatch(r"\d{4}", key) for key in keys)
    assert len(data["pairs"]) == len(re.findall(r'/aannemen"', page.text)) > 0
    for pair in data["pairs"]:
        assert re.fullmatch(r"\d+(,\d)? km", pair["distance"])
        assert pair["family_point"] in keys and pair["volunteer_point"] in keys


def test_a_running_round_shows_its_progress(api: Api) -> None:
    browser = _signed_in(api)
    browser.get("/web/locaties/deventer/rondes")
    path = browser.post("/web/locaties/deventer/rondes").url.path
    with api.engine.begin() as connection:
        connection.execute(
            update(JobRow)
            .where(JobRow.id == path.rsplit("/", 1)[1])
            .values(status=JobStatus.RUNNING, progress=0.4)
        )
    page = browser.get(path).text
    assert 'http-equiv="refresh"' in page
    assert '<progress id="round-progress" max="100" value="40">' in page
    assert "40% klaar" in page


def test_the_map_files_are_served_from_this_server_only(api: Api) -> None:
    browser = _signed_in(api)
    leaflet = browser.get("/web/static/vendor/leaflet/leaflet.js")
    assert leaflet.status_code == 200
    assert leaflet.headers["content-type"].startswith("text/javascript")
    outline = browser.get("/web/static/vendor/netherlands/netherlands.geojson").json()
    (feature,) = outline["features"]
    lats = [lat for polygon in feature["geometry"]["coordinates"] for lon, lat in polygon[0]]
    assert min(lats) > 50.7 and max(lats) < 53.6  # the European Netherlands only
    assert browser.get("/web/static/vendor/leaflet/images/layers.png").status_code == 200
    assert browser.get("/web/static/js/round-map.js").status_code == 200
    for path in (
        "/web/static/vendor/leaflet/LICENSE",
        "/web/static/vendor/..%2F..%2Fapp.py",
        "/web/static/js/..%2F..%2Fpages.py",
    ):
        assert browser.get(path).status_code == 404, path
    for folder in ("leaflet", "netherlands"):
        assert (ROOT / "matcher/web/static/vendor" / folder / "LICENSE").is_file()


def test_a_tile_server_is_used_only_when_named(api: Api, worker: None) -> None:
    browser = _signed_in(api)
    path, page = _finished_round(browser)
    assert 'data-tiles=""' in page.text
    assert "img-src 'self';" in page.headers["content-security-policy"]
    named = "https://tiles.example.nl/{z}/{x}/{y}.png"
    context = api.client.app.state.context  # type: ignore[attr-defined]
    context.settings = ServiceSettings(tile_url=named)
    tiled = browser.get(path)
    assert f'data-tiles="{named}"' in tiled.text
    assert "img-src 'self' https://tiles.example.nl;" in tiled.headers["content-security-policy"]
    with pytest.raises(ValidationError):
        ServiceSettings(tile_url="http://tiles.example.nl/{z}/{x}/{y}.png")  # not over TLS


def _row(page: str, family: str) -> Any:
    found = re.search(rf'<tr id="{family}">(.*?)</tr>', page, re.S)
    assert found is not None
    return found.group(1)
