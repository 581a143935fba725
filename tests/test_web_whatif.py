"""What-if in the web app: a regional manager fills in the levers (problems in Dutch next to
the field), the simulation runs as a job with a progress bar, and the report shows its charts;
coordinators may not run what-ifs (403), and nobody reaches another location's (404)."""

from __future__ import annotations

import re
import time
from datetime import date

from service_api import Api
from test_accountability_web import _zwolle
from web_client import Browser, account

from matcher.web.accounts import Role
from matcher.web.routes.whatif import Levers, scenario_of

pytest_plugins = ["service_api"]

SMALL = {"horizon_weeks": "8", "replications": "2", "extra_per_month": "2"}


def _manager(api: Api, *locations: str) -> Browser:
    browser = Browser(api)
    browser.sign_in(account(api, "rita@example.nl", Role.REGIONAL_MANAGER, *locations))
    return browser


def test_coordinators_may_not_run_what_ifs(api: Api) -> None:
    _zwolle(api)
    browser = Browser(api)
    browser.sign_in(account(api, "anna@example.nl", Role.COORDINATOR, "A"))
    refused = browser.get("/web/locaties/A/wat-als")
    assert refused.status_code == 403
    assert "Alleen regiomanagers en beheerders" in refused.text
    browser.get("/web/locaties/A/gezinnen")
    assert browser.post("/web/locaties/A/wat-als", SMALL).status_code == 403
    assert "/wat-als" not in browser.get("/web/locaties/A/gezinnen").text  # not in the menu


def test_another_locations_what_if_is_not_found(api: Api) -> None:
    _zwolle(api, "A")
    _zwolle(api, "B")
    browser = _manager(api, "A")
    assert browser.get("/web/locaties/A/wat-als").status_code == 200
    assert browser.get("/web/locaties/B/wat-als").status_code == 404
    browser.get("/web/locaties/A/wat-als")
    assert browser.post("/web/locaties/B/wat-als", SMALL).status_code == 404


def test_bad_levers_are_named_next_to_their_field_in_dutch(api: Api) -> None:
    _zwolle(api)
    browser = _manager(api, "A")
    browser.get("/web/locaties/A/wat-als")
    refused = browser.post(
        "/web/locaties/A/wat-als", {"horizon_weeks": "2", "replications": "veel"}
    )
    assert refused.status_code == 422
    assert re.search(r'id="horizon_weeks-error">Moet minstens 4 zijn\.<', refused.text)
    assert re.search(r'id="replications-error">Vul een heel getal in\.<', refused.text)
    assert 'value="veel"' in refused.text  # what was typed stays


def test_the_form_becomes_one_lever_with_every_change() -> None:
    levers = Levers(horizon_weeks=13, extra_per_month=2, capacity_percent=25, cadence_weeks=1)
    scenario = scenario_of(levers, ["Zwolle"], date(2026, 11, 26), "met deze wijzigingen")
    assert scenario["start_date"] == "2026-11-23"  # the Monday of that week
    assert scenario["start_round"] == "current"
    assert scenario["levers"] == [
        {
            "name": "met deze wijzigingen",
            "cohorts": [{"week": w, "size": 2} for w in (4, 8, 12)],
            "capacity_share": 0.25,
            "cadence_weeks": 1,
        }
    ]
    assert scenario_of(Levers(), ["Zwolle"], date(2026, 11, 26), "x")["levers"] == []


def test_a_regional_manager_runs_a_what_if_and_reads_its_charts(api: Api, worker: None) -> None:
    _zwolle(api)
    browser = _manager(api, "A")
    browser.get("/web/locaties/A/wat-als")
    started = browser.post("/web/locaties/A/wat-als", SMALL)
    assert started.status_code == 200, started.text
    job_page = started.url.path
    assert re.fullmatch(r"/web/locaties/A/wat-als/[\w-]+", job_page)
    page = started.text
    deadline = time.monotonic() + 300
    while "<progress" in page and time.monotonic() < deadline:
        assert 'http-equiv="refresh"' in page
        time.sleep(0.2)
        page = browser.get(job_page).text
    assert "Status: klaar" in page, page[:500]
    charts = re.findall(r'<img src="([^"]+\.svg)"', page)
    assert len(charts) == 3
    chart = browser.get(charts[0])
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/svg+xml"
    assert chart.content.startswith(b"<?xml")
    assert "met deze wijzigingen" in page  # the lever, named in the report
    coordinator = Browser(api)
    coordinator.sign_in(account(api, "anna@example.nl", Role.COORDINATOR, "A"))
    assert coordinator.get(charts[0]).status_code == 403
