"""The waiting list and the volunteers in the web app: tables sorted and filtered by the query
string, forms whose problems stand in Dutch next to their field, and edits guarded by the
record's ETag (a stale edit is refused, nothing overwritten)."""

from __future__ import annotations

import json
import re

import pytest
from service_api import NOW, Api
from web_client import ROOT, Browser, account

from matcher.db.store import DatabaseRoundStore
from matcher.io.rounds import load_round
from matcher.service.keys import Scope
from matcher.web.accounts import Role

pytest_plugins = ["service_api"]

FAMILY = {
    "id": "F9001",
    "postcode": "7411AB",
    "registered": "2026-11-01",
    "children": "2024-05-01",
    "speaks_dutch": "on",
    "slots": "di-ochtend wo-middag",
    "coordinator": "C01",
}


@pytest.fixture
def browser(api: Api) -> Browser:
    """A coordinator of location A (the shipped scenario), signed in."""
    keys = api.location("A")
    round_ = json.loads(load_round(ROOT / "scenarios" / "location").model_dump_json())
    assert api.call("PUT", "/v1/locations/A/round", keys[Scope.WRITE], json=round_).is_success
    browser = Browser(api)
    browser.sign_in(account(api, "anna@example.nl", Role.COORDINATOR, "A"))
    browser.keys = keys  # type: ignore[attr-defined]
    return browser


def _error(page: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    return found.group(1) if found else ""


def _store(api: Api) -> DatabaseRoundStore:
    return DatabaseRoundStore(api.engine, "A", NOW.date())


def test_a_new_family_is_saved_and_listed(api: Api, browser: Browser) -> None:
    browser.get("/web/locaties/A/gezinnen/_nieuw")
    saved = browser.post("/web/locaties/A/gezinnen", FAMILY)
    assert saved.status_code == 200 and "Opgeslagen: F9001" in saved.text
    family = next(f for f in _store(api).load().families if f.id == "F9001")
    assert family.slots == ("tue-morning", "wed-afternoon") and family.speaks_dutch
    listed = browser.get("/web/locaties/A/gezinnen?zoek=f9001").text
    assert "dinsdagochtend, woensdagmiddag" in listed and "1 regel" in listed


def test_problems_stand_in_dutch_next_to_their_field(api: Api, browser: Browser) -> None:
    before = _store(api).version()
    browser.get("/web/locaties/A/gezinnen/_nieuw")
    page = browser.post(
        "/web/locaties/A/gezinnen", FAMILY | {"postcode": "XYZ", "registered": "", "id": "a b"}
    ).text
    assert "De gegevens zijn niet opgeslagen." in page
    assert _error(page, "registered") == "Verplicht."
    assert _error(page, "id") == "Gebruik alleen letters, cijfers en . _ : - (hoogstens 64 tekens)."
    assert _error(page, "postcode").startswith("Niet geaccepteerd: invalid Dutch postcode")
    assert 'value="XYZ"' in page  # what was typed is kept
    browser.get("/web/locaties/A/vrijwilligers/V0001")
    page = browser.post(
        "/web/locaties/A/vrijwilligers/V0001",
        {"capacity": "veel", "max_travel_km": "7,5", "postcode": "8042GI", "languages": "nl"},
    ).text
    assert _error(page, "capacity") == "Vul een heel getal in."
    assert _error(page, "max_travel_km") == ""  # a Dutch decimal comma is understood
    page = browser.post(
        "/web/locaties/A/vrijwilligers/V0001",
        {"capacity": "9", "max_travel_km": "7,5", "postcode": "8042GI", "languages": "nl"},
    ).text
    assert _error(page, "capacity") == "Mag hoogstens 3 zijn."
    assert _store(api).version() == before


def test_a_rule_of_the_whole_round_stands_next_to_its_field(api: Api, browser: Browser) -> None:
    browser.get("/web/locaties/A/gezinnen/_nieuw")
    page = browser.post("/web/locaties/A/gezinnen", FAMILY | {"coordinator": "C99"})
    assert page.status_code == 422
    assert "C99" in _error(page.text, "coordinator")


def test_a_new_record_with_a_number_in_use_is_refused(api: Api, browser: Browser) -> None:
    browser.get("/web/locaties/A/gezinnen/_nieuw")
    page = browser.post("/web/locaties/A/gezinnen", FAMILY | {"id": "F0001"})
    assert _error(page.text, "id") == "Er bestaat al een gegeven met dit nummer."
    assert next(f for f in _store(api).load().families if f.id == "F0001").postcode == "8028AE"


def test_a_stale_edit_is_refused_and_overwrites_nothing(api: Api, browser: Browser) -> None:
    form = browser.get("/web/locaties/A/vrijwilligers/V0001").text
    assert 'value="9.5"' in form or 'value="9,5"' in form
    keys = browser.keys  # type: ignore[attr-defined]
    read = api.call("GET", "/v1/locations/A/volunteers/V0001", keys[Scope.READ])
    changed = read.json() | {"capacity": 3}
    put = api.call(
        "PUT",
        "/v1/locations/A/volunteers/V0001",
        keys[Scope.WRITE],
        json=changed,
        headers={"If-Match": read.headers["etag"]},
    )
    assert put.status_code == 200, put.text
    values = {
        "postcode": "8042GI",
        "languages": "nl",
        "capacity": "1",
        "max_travel_km": "9,5",
        "travel_mode": "public_transport",
        "training_complete": "on",
        "vog_complete": "on",
        "status": "active",
        "etag": re.search(r'name="etag" value="([^"]+)"', form).group(1).replace("&#34;", '"'),  # type: ignore[union-attr]
    }
    stale = browser.post("/web/locaties/A/vrijwilligers/V0001", values)
    assert stale.status_code == 409
    assert "Iemand anders heeft deze gegevens intussen gewijzigd." in stale.text
    assert next(v for v in _store(api).load().volunteers if v.id == "V0001").capacity == 3
    fresh = browser.get("/web/locaties/A/vrijwilligers/V0001").text
    values["etag"] = re.search(r'name="etag" value="([^"]+)"', fresh).group(1).replace("&#34;", '"')  # type: ignore[union-attr]
    assert browser.post("/web/locaties/A/vrijwilligers/V0001", values).status_code == 200
    assert next(v for v in _store(api).load().volunteers if v.id == "V0001").capacity == 1


def test_tables_sort_and_filter_by_the_query_string(browser: Browser) -> None:
    def first_ids(query: str) -> list[str]:
        page = browser.get(f"/web/locaties/A/gezinnen?{query}").text
        return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', page)

    by_id = first_ids("")
    assert by_id == sorted(by_id) and len(by_id) > 10
    assert first_ids("sorteer=id&volgorde=af") == sorted(by_id, reverse=True)
    latest = first_ids("sorteer=registered&volgorde=af")[0]
    earliest = first_ids("sorteer=registered&volgorde=op")[0]
    assert latest != earliest
    assert first_ids("zoek=F0001") == ["F0001"]
    assert first_ids("status=closed") == []
    assert browser.get("/web/locaties/A/gezinnen?volgorde=sideways").status_code == 400


def test_htmx_gets_the_table_alone_and_a_browser_without_it_the_whole_page(
    browser: Browser,
) -> None:
    query = "/web/locaties/A/gezinnen?zoek=F000&sorteer=registered&volgorde=af"
    whole = browser.get(query)
    part = browser.get(query, headers={"HX-Request": "true"})
    restored = browser.get(
        query, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    for page in (whole, part, restored):
        assert page.status_code == 200 and page.headers["vary"] == "HX-Request"
    assert whole.text.startswith("<!doctype html>") and restored.text == whole.text
    assert part.text.lstrip().startswith('<div id="records"') and "<html" not in part.text
    assert part.text.strip() in whole.text  # the same fragment, swapped in place
    assert 'aria-sort="descending"' in part.text
    assert 'name="sorteer" value="registered"' in part.text and 'form="filters"' in part.text


def test_the_pages_load_htmx_from_the_app_itself_under_a_strict_policy(browser: Browser) -> None:
    page = browser.get("/web/locaties/A/vrijwilligers")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    assert '<script src="/web/static/vendor/htmx/htmx.min.js" defer></script>' in page.text
    assert '"includeIndicatorStyles": false' in page.text and "<script>" not in page.text
    script = browser.get("/web/static/vendor/htmx/htmx.min.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith(
        "text/javascript"
    )
    assert "htmx" in script.text
    for outside in ("../routes/auth.py", "vendor/../../app.py", "vendor/htmx/LICENSE"):
        assert browser.get(f"/web/static/{outside}").status_code == 404
