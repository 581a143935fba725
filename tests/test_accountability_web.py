"""Accountability at the doors: the API route and the web page (table, chart, Excel workbook)
give the use case's figures; another location's key or coordinator gets 404; a regional manager
reads only their own locations."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from service_api import NOW, Api
from test_accountability import LOG, ROUND
from web_client import Browser, account

from matcher.db.store import DatabaseRoundStore
from matcher.service.keys import Scope
from matcher.service.records import replace_round
from matcher.web.accounts import Role

pytest_plugins = ["service_api"]

QUARTER = "gemeente=Zwolle&periode=2026-Q3"


def _zwolle(api: Api, location: str = "A") -> dict[Scope, str]:
    """Location ``location`` holding the hand-computed Zwolle round and its decision log."""
    keys = api.location(location)
    store = DatabaseRoundStore(api.engine, location, NOW.date())
    replace_round(store, ROUND, None, "test", NOW)
    for line in LOG:
        with store.transaction() as transaction:
            transaction.commit(transaction.round, line)
    return keys


def test_the_api_serves_the_figures_with_small_counts_suppressed(api: Api) -> None:
    keys = _zwolle(api)
    got = api.call(
        "GET", "/v1/locations/A/accountability?municipality=zwolle&period=2026-Q3", keys[Scope.READ]
    )
    assert got.status_code == 200, got.text
    figures = got.json()
    assert figures["families_supported"] == {"value": 6, "suppressed": False}
    assert figures["families_registered"] == {"value": None, "suppressed": True}
    assert (figures["wait_weeks_median"], figures["wait_weeks_p90"]) == (9.0, 19.0)
    listed = api.call("GET", "/v1/locations/A/accountability/municipalities", keys[Scope.READ])
    assert listed.json() == ["Deventer", "Zwolle"]


def test_the_api_names_the_bad_field(api: Api) -> None:
    keys = _zwolle(api)
    for query, field in (
        ("municipality=Zwolle&period=2026-Q5", "period"),
        ("municipality=Utrecht&period=2026", "municipality"),
    ):
        got = api.call("GET", f"/v1/locations/A/accountability?{query}", keys[Scope.READ])
        assert got.status_code == 422, got.text
        assert field in got.text


def test_another_locations_key_gets_not_found(api: Api) -> None:
    _zwolle(api, "A")
    other = api.location("B")
    for path in ("accountability?municipality=Zwolle&period=2026", "accountability/municipalities"):
        got = api.call("GET", f"/v1/locations/A/{path}", other[Scope.READ])
        assert got.status_code == 404, (path, got.text)


def test_the_page_shows_the_table_the_chart_and_less_than_five(api: Api) -> None:
    _zwolle(api)
    browser = Browser(api)
    browser.sign_in(account(api, "anna@example.nl", Role.COORDINATOR, "A"))
    page = browser.get(f"/web/locaties/A/verantwoording?{QUARTER}")
    assert page.status_code == 200, page.text
    text = page.text
    assert "<h2>Zwolle, 2026-Q3</h2>" in text
    assert '<th scope="row">Gezinnen ondersteund</th><td class="number">6</td>' in text
    assert '<th scope="row">Gezinnen aangemeld</th><td class="number">&lt; 5</td>' in text
    assert '<svg class="bars"' in text and text.count("<rect ") == 7
    assert ">Z1<" not in text and ">V1<" not in text  # figures, never people


def test_the_workbook_has_the_figures_and_dutch_headers(api: Api) -> None:
    _zwolle(api)
    browser = Browser(api)
    browser.sign_in(account(api, "anna@example.nl", Role.COORDINATOR, "A"))
    got = browser.get(f"/web/locaties/A/verantwoording.xlsx?{QUARTER}")
    assert got.status_code == 200
    assert "attachment" in got.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(got.content)).active
    assert sheet is not None
    rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert rows["Gemeente"] == "Zwolle" and rows["Periode"] == "2026-Q3"
    assert rows["Gezinnen ondersteund"] == 6
    assert rows["Gezinnen aangemeld"] == "< 5"
    assert rows["Mediane wachttijd tot een koppeling (weken)"] == 9
    assert rows["ar"] == 5 and rows["tr"] == "< 5"


def test_a_regional_manager_reads_only_their_locations(api: Api) -> None:
    _zwolle(api, "A")
    _zwolle(api, "B")
    _zwolle(api, "C")
    browser = Browser(api)
    browser.sign_in(account(api, "rita@example.nl", Role.REGIONAL_MANAGER, "A", "B"))
    for location, status in (("A", 200), ("B", 200), ("C", 404)):
        for path in ("verantwoording", "verantwoording.xlsx", "logboek"):
            got = browser.get(f"/web/locaties/{location}/{path}")
            assert got.status_code == status, (location, path)
    home = browser.get("/web/").text
    assert "/web/locaties/A/" in home and "/web/locaties/B/" in home
    assert "/web/locaties/C/" not in home
