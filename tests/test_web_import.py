"""Importing a workbook in the web app: a preview that lists every problem by sheet, row and
column with nothing saved; "Opslaan" replaces the round, unless the location changed since the
preview."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import Workbook
from service_api import NOW, Api
from web_client import ROOT, Browser, account

from matcher.db.store import DatabaseRoundStore
from matcher.io.rounds import load_round
from matcher.web.accounts import Role

pytest_plugins = ["service_api"]


def workbook(damage: dict[tuple[str, int, str], str] | None = None) -> bytes:
    """The shipped scenario as one workbook (a sheet per CSV file), with cells replaced:
    (sheet, row as a spreadsheet numbers it, column) → value."""
    book = Workbook()
    book.remove(book.active)
    for path in sorted((ROOT / "scenarios" / "location").glob("*.csv")):
        rows = list(csv.reader(path.open(encoding="utf-8")))
        sheet = book.create_sheet(path.stem)
        for number, row in enumerate(rows, start=1):
            for (name, at, column), value in (damage or {}).items():
                if name == path.stem and at == number:
                    row[rows[0].index(column)] = value
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def browser(api: Api) -> Browser:
    api.location("A")
    browser = Browser(api)
    browser.sign_in(account(api, "anna@example.nl", Role.COORDINATOR, "A"))
    browser.get("/web/locaties/A/import")
    return browser


def _upload(browser: Browser, content: bytes, name: str = "deventer.xlsx") -> str:
    response = browser.post("/web/locaties/A/import", files={"file": (name, content, "x")})
    return response.text


def _rows(page: str) -> list[list[str]]:
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return [
        re.findall(r"<td>([^<]*)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_the_preview_lists_every_problem_and_saves_nothing(api: Api, browser: Browser) -> None:
    damaged = workbook({("volunteers", 3, "capacity"): "veel", ("families", 5, "postcode"): "XYZ"})
    page = _upload(browser, damaged)
    assert "2 problemen gevonden. Er is niets opgeslagen" in page
    rows = _rows(page)
    assert [row[:3] for row in rows] == [
        ["deventer.xlsx, sheet &#39;families&#39;", "5", "postcode"],
        ["deventer.xlsx, sheet &#39;volunteers&#39;", "3", "capacity"],
    ] or [row[:3] for row in rows] == [
        ["deventer.xlsx, sheet &#39;volunteers&#39;", "3", "capacity"],
        ["deventer.xlsx, sheet &#39;families&#39;", "5", "postcode"],
    ]
    assert 'name="data"' not in page
    assert DatabaseRoundStore(api.engine, "A", NOW.date()).version() == 0


def test_a_file_that_is_no_workbook_is_named(browser: Browser) -> None:
    page = _upload(browser, b"hello", "notes.txt")
    assert _rows(page) == [["notes.txt", "", "", "send an .xlsx, a .json or a .zip of CSV files"]]


def test_save_replaces_the_round_with_the_preview(api: Api, browser: Browser) -> None:
    page = _upload(browser, workbook())
    assert "Geen problemen gevonden." in page
    assert re.search(r"<th scope=\"row\">Gezinnen</th><td>0</td><td>(\d+)</td>", page)
    saved = browser.post("/web/locaties/A/import/opslaan", _save_form(page))
    assert saved.url.path == "/web/locaties/A/gezinnen"
    round_ = DatabaseRoundStore(api.engine, "A", NOW.date()).load()
    shipped = load_round(ROOT / "scenarios" / "location")
    assert round_.families == shipped.families and round_.volunteers == shipped.volunteers
    assert round_.active_matches == shipped.active_matches


def test_a_change_after_the_preview_stops_the_save(api: Api, browser: Browser) -> None:
    page = _upload(browser, workbook())
    keys = api.call(
        "POST", "/v1/locations/A/keys", api.service_key, json={"name": "w", "scope": "write"}
    )
    key = keys.json()["key"]
    family = {"id": "F1", "postcode": "7411AB", "registered": "2026-11-01", "children": ["2"]}
    assert api.call("PUT", "/v1/locations/A/families/F1", key, json=family).status_code == 201
    stale = browser.post("/web/locaties/A/import/opslaan", _save_form(page))
    assert stale.status_code == 409
    assert "zijn na het voorbeeld gewijzigd" in stale.text
    families = DatabaseRoundStore(api.engine, "A", NOW.date()).load().families
    assert [f.id for f in families] == ["F1"]


def test_a_tampered_preview_is_refused(api: Api, browser: Browser) -> None:
    page = _upload(browser, workbook())
    form = _save_form(page) | {"data": "bm90IGEgcm91bmQ="}
    assert browser.post("/web/locaties/A/import/opslaan", form).status_code == 400
    assert DatabaseRoundStore(api.engine, "A", NOW.date()).version() == 0


def _save_form(page: str) -> dict[str, str]:
    found = dict(re.findall(r'name="(data|version)" value="([^"]*)"', page))
    return {name: value.replace("&#34;", '"') for name, value in found.items()}
