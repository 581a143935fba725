"""Languages of the web app: every message the code and the templates use is in both
catalogs (and translated to Dutch), Dutch by default, English by choice or by the browser, and
numbers and dates as each language writes them."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from service_api import Api
from web_client import ROOT, Browser, account

from matcher.io.rounds import load_round
from matcher.service.keys import Scope
from matcher.web import i18n
from matcher.web.accounts import Role

pytest_plugins = ["service_api"]

WEB = ROOT / "matcher" / "web"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def extracted(folder: Path = ROOT, mapping: Path = WEB / "babel.cfg") -> dict[Any, str]:
    """Every message id the web app's code and templates use, with where it is used."""
    with mapping.open() as source:
        method_map, options_map = parse_mapping_cfg(source, str(mapping))
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found: dict[Any, str] = {}
    for filename, line, message, _comments, _context in extract_from_dir(
        str(folder), method_map, options_map, keywords=keywords
    ):
        found.setdefault(message, f"{filename}:{line}")
    return found


def catalog(language: str) -> dict[Any, Any]:
    path = WEB / "locale" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as source:
        return {m.id: m.string for m in read_po(source, abort_invalid=True) if m.id}


def missing(used: dict[Any, str], language: str, translated: bool) -> list[str]:
    """The messages in use that the catalog lacks (or, ``translated``, leaves empty)."""
    known = catalog(language)
    return sorted(
        f"{where}: {message!r}"
        for message, where in used.items()
        if message not in known or (translated and not all(_strings(known[message])))
    )


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def test_every_message_in_use_is_in_both_catalogs_and_in_dutch() -> None:
    used = extracted()
    assert len(used) > 100
    assert missing(used, "nl", translated=True) == []
    assert missing(used, "en", translated=False) == []


def test_the_catalogs_hold_no_message_that_is_no_longer_used() -> None:
    used = set(extracted())
    for language in i18n.LANGUAGES:
        assert sorted(map(str, set(catalog(language)) - used)) == []


def test_a_translation_keeps_the_placeholders_of_its_message() -> None:
    for message, string in catalog("nl").items():
        for one, translated in zip(_strings(message), _strings(string), strict=False):
            assert sorted(PLACEHOLDER.findall(one)) == sorted(PLACEHOLDER.findall(translated))


def test_a_message_missing_from_the_catalogs_is_caught(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "new.html").write_text('<p>{{ _("A page nobody translated") }}</p>')
    (tmp_path / "new.py").write_text('LABEL = N_("Waiting list")\n')
    mapping = tmp_path / "babel.cfg"
    mapping.write_text("[python: **.py]\n[jinja2: templates/**.html]\n")
    used = extracted(tmp_path, mapping)
    assert set(used) == {"A page nobody translated", "Waiting list"}
    assert missing(used, "nl", translated=True) == [
        "templates/new.html:1: 'A page nobody translated'"
    ]


def test_numbers_and_dates_in_dutch_and_in_english() -> None:
    assert i18n.number(2.1, "nl") == "2,1"
    assert i18n.number(1234.56, "nl") == "1.234,6"
    assert i18n.number(2.1, "en") == "2.1"
    assert i18n.day(date(2026, 11, 24), "nl") == "di 24 nov"
    assert i18n.day(date(2026, 11, 24), "en") == "Tue 24 Nov"


def test_the_language_is_the_choice_else_the_browsers_else_dutch() -> None:
    assert i18n.negotiate(None, None) == "nl"
    assert i18n.negotiate(None, "fr-FR, de;q=0.9") == "nl"
    assert i18n.negotiate(None, "en-GB,en;q=0.9") == "en"
    assert i18n.negotiate(None, "en;q=0.5, nl-BE;q=0.8") == "nl"
    assert i18n.negotiate(None, "en;q=bad, nl;q=0") == "nl"
    assert i18n.negotiate("nl", "en") == "nl"
    assert i18n.negotiate("xx", "en") == "en"


def test_pages_are_dutch_by_default_and_english_on_request(api: Api) -> None:
    keys = api.location("A")
    round_ = json.loads(load_round(ROOT / "scenarios" / "location").model_dump_json())
    assert api.call("PUT", "/v1/locations/A/round", keys[Scope.WRITE], json=round_).is_success
    browser = Browser(api)
    assert "Inloggen" in browser.get("/web/aanmelden").text
    english = browser.get("/web/aanmelden", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "<h1>Sign in</h1>" in english.text and english.headers["content-language"] == "en"
    browser.sign_in(account(api, "anna@example.nl", Role.COORDINATOR, "A"))

    dutch = browser.get("/web/locaties/A/vrijwilligers?zoek=V0001").text
    assert '<html lang="nl">' in dutch
    assert "<td>9,5</td>" in dutch and "openbaar vervoer" in dutch
    assert "maandagochtend, dinsdagmiddag" in dutch
    families = browser.get("/web/locaties/A/gezinnen?zoek=F0001").text
    assert "<td>do 12 feb</td>" in families  # registered 2026-02-12

    chosen = browser.get(
        "/web/taal/en",
        headers={"Referer": "http://testserver/web/locaties/A/vrijwilligers?zoek=V0001"},
    )
    assert chosen.url.path == "/web/locaties/A/vrijwilligers"
    assert "<td>9.5</td>" in chosen.text and "public transport" in chosen.text
    assert "Monday morning, Tuesday afternoon" in chosen.text
    back = browser.get("/web/taal/nl", headers={"Referer": "https://elsewhere.example/"})
    assert back.url.path == "/web/locaties/A/gezinnen"  # never sent off the site
    assert "Wachtlijst" in back.text
