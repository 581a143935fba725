"""The location's log page: newest first, a page at a time, actions and reasons in Dutch,
people by id only; another location's coordinator gets 404."""

from __future__ import annotations

import re

import pytest
from service_api import Api
from test_accountability_web import _zwolle
from web_client import Browser, account

from matcher.web.accounts import Role
from matcher.web.routes import audit

pytest_plugins = ["service_api"]

ROW = re.compile(
    r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>"
)


def _rows(html: str) -> list[tuple[str, ...]]:
    return [tuple(" ".join(cell.split()) for cell in row) for row in ROW.findall(html)]


def test_the_log_reads_newest_first_in_dutch_a_page_at_a_time(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    _zwolle(api)  # an import, then 9 decisions; the last ends Z2's match (family copes)
    monkeypatch.setattr(audit, "PAGE_SIZE", 4)
    browser = Browser(api)
    browser.sign_in(account(api, "anna@example.nl", Role.COORDINATOR, "A"))
    first = browser.get("/web/locaties/A/logboek")
    assert first.status_code == 200
    rows = _rows(first.text)
    assert len(rows) == 4
    when, who, what, on, details = rows[0]
    assert when.startswith("15 september 2026")  # entered on 15 Sep (effective 14 Sep)
    assert (who, what, on) == ("user:c", "koppeling beëindigd", "gezin Z2")
    assert details == "vrijwilliger V2, het gezin redt het zelf"
    assert rows[1][2:] == ("voorstel aangenomen", "gezin Z3", "vrijwilliger V3, maandagochtend")
    pages = [rows]
    html = first.text
    while (older := re.search(r'href="(/web/locaties/A/logboek\?voor=\d+)"', html)) is not None:
        html = browser.get(older.group(1)).text
        pages.append(_rows(html))
    assert [len(p) for p in pages] == [4, 4, 2]
    assert pages[-1][-1][2:4] == ("geïmporteerd", "ronde")
    assert "Nieuwste" in html


def test_another_locations_log_is_not_found(api: Api) -> None:
    _zwolle(api, "A")
    api.location("B")
    browser = Browser(api)
    browser.sign_in(account(api, "bert@example.nl", Role.COORDINATOR, "B"))
    assert browser.get("/web/locaties/B/logboek").status_code == 200
    refused = browser.get("/web/locaties/A/logboek")
    assert refused.status_code == 404
    assert "gezin Z2" not in refused.text
