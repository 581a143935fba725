"""What-if simulations over HTTP: a TOML scenario checked when submitted, run by a worker, its
report and charts served; a path as start_round is refused (no server files over HTTP)."""

from __future__ import annotations

from pathlib import Path

from service_api import Api, finished

from matcher.service.keys import Scope

pytest_plugins = ["service_api"]

SCENARIO = (Path(__file__).parent.parent / "scenarios" / "what-if.toml").read_bytes()
BASE = "/v1/locations/L1/simulations"
TOML = {"Content-Type": "application/toml"}


def test_a_simulation_runs_and_serves_its_report(api: Api, worker: None) -> None:
    keys = api.location()
    started = api.call(
        "POST", f"{BASE}?replications=2", keys[Scope.WRITE], content=SCENARIO, headers=TOML
    )
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    job = finished(api, "L1", job_id, keys[Scope.READ], kind="simulations", timeout_s=300)
    assert job["status"] == "done", job
    assert job["progress"] == 1.0 and job["summary"]["replications"] == 2
    report = api.call("GET", f"{BASE}/{job_id}/files/report.md", keys[Scope.READ])
    assert report.status_code == 200 and "baseline" in report.text
    charts = [name for name in job["summary"]["files"] if name.endswith(".svg")]
    chart = api.call("GET", f"{BASE}/{job_id}/files/{charts[0]}", keys[Scope.READ])
    assert chart.status_code == 200 and chart.content.startswith(b"<?xml")


def test_a_bad_scenario_is_refused_naming_the_field(api: Api) -> None:
    keys = api.location()
    bad = SCENARIO.replace(b"arrivals_per_year = 28", b"arrivals_per_year = inf")
    refused = api.call("POST", BASE, keys[Scope.WRITE], content=bad, headers=TOML)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "arrivals_per_year"
    path = b'start_round = "../../etc/passwd"\n' + SCENARIO
    refused = api.call("POST", BASE, keys[Scope.WRITE], content=path, headers=TOML)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "start_round"
    garbage = api.call("POST", BASE, keys[Scope.WRITE], content=b"\xff\xfe", headers=TOML)
    assert garbage.status_code == 422
    wrong_type = api.call(
        "POST", BASE, keys[Scope.WRITE], content=SCENARIO, headers={"Content-Type": "image/png"}
    )
    assert wrong_type.status_code == 415
