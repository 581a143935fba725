"""A coordinator's whole story through the web pages only: sign in, import the location's
data with a preview, run a round, accept a proposal, and end a running match."""

from __future__ import annotations

import re
import time

from service_api import Api
from web_client import Browser, account, scenario_zip

from matcher.web.accounts import Role

pytest_plugins = ["service_api"]


def test_sign_in_import_run_a_round_and_accept_a_proposal(api: Api, worker: None) -> None:
    api.location("deventer")
    browser = Browser(api)
    email = account(api, "anna@example.nl", Role.COORDINATOR, "deventer")
    waiting = browser.sign_in(email)
    assert waiting.url.path == "/web/locaties/deventer/gezinnen"
    assert "Wachtlijst" in waiting.text and "0 regels" in waiting.text

    browser.get("/web/locaties/deventer/import")
    preview = browser.post(
        "/web/locaties/deventer/import",
        files={"file": ("deventer.zip", scenario_zip(), "application/zip")},
    )
    assert preview.status_code == 200, preview.text
    assert "Geen problemen gevonden." in preview.text
    assert "0 regels" in browser.get("/web/locaties/deventer/gezinnen").text  # nothing saved yet

    data = re.search(r'name="data" value="([^"]+)"', preview.text)
    version = re.search(r'name="version" value="([^"]+)"', preview.text)
    assert data and version
    saved = browser.post(
        "/web/locaties/deventer/import/opslaan",
        {"data": data.group(1), "version": version.group(1).replace("&#34;", '"')},
    )
    assert saved.status_code == 200, saved.text
    assert "F0001" in saved.text

    browser.get("/web/locaties/deventer/rondes")
    running = browser.post("/web/locaties/deventer/rondes")
    assert running.status_code == 200
    round_path = running.url.path
    for _ in range(300):
        page = browser.get(round_path)
        if 'http-equiv="refresh"' not in page.text:
            break
        time.sleep(0.05)
    assert "Voorstellen" in page.text, page.text
    first = re.search(
        r'action="(/web/locaties/deventer/rondes/[^"]+/voorstellen/([^"/]+)/aannemen)"', page.text
    )
    assert first is not None
    accepted = browser.post(first.group(1))
    assert accepted.status_code == 200
    row = re.search(rf'<tr id="{first.group(2)}">(.*?)</tr>', accepted.text, re.S)
    assert row is not None and "aangenomen" in row.group(1)
    assert re.search(r"\d,\d km", accepted.text)
    dagdeel = r"(maan|dins|woens|donder|vrij|zater|zon)dag(ochtend|middag|avond)"
    assert re.search(dagdeel, accepted.text)

    matches = browser.get("/web/locaties/deventer/koppelingen")
    assert first.group(2) in matches.text
    ended = browser.post(
        f"/web/locaties/deventer/koppelingen/{first.group(2)}/beeindigen",
        {"reason": "family_copes", "datum": ""},
    )
    assert ended.status_code == 200, ended.text
    assert f"De koppeling van gezin {first.group(2)} is beëindigd." in ended.text
