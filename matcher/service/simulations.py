"""What-if simulations as jobs: a scenario submitted as TOML or JSON (checked when submitted),
run by a worker (on the Dask cluster when the service has a scheduler), its report and charts
kept as the job's files."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from matcher.db.jobs import Job, JobView
from matcher.db.store import DatabaseRoundStore
from matcher.io.problems import InputError, InputProblem
from matcher.service.queue import start_job
from matcher.service.settings import ServiceSettings
from matcher.service.worker import Outcome, Progress
from matcher.simulate.what_if import BASELINE_NAME, Simulation, simulation_of

SIMULATION = "simulation"
REPORT_FILE = "report.md"
MAX_REPLICATIONS = 500
CURRENT_ROUND = "current"
"""``start_round = "current"`` starts the simulation from the location's round as stored."""


def parse_scenario(content: bytes, media_type: str, name: str = "scenario") -> dict[str, Any]:
    """A scenario's fields from TOML or JSON text (``InputError`` for anything unreadable)."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        message = f"not UTF-8 text (byte {error.start})"
        raise InputError([InputProblem(name, None, None, message)]) from None
    try:
        data = json.loads(text) if "json" in media_type else tomllib.loads(text)
    except (ValueError, RecursionError) as error:
        kind = "JSON" if "json" in media_type else "TOML"
        raise InputError([InputProblem(name, None, None, f"invalid {kind}: {error}")]) from None
    if not isinstance(data, dict):
        raise InputError([InputProblem(name, None, None, "a scenario is an object of fields")])
    return data


def check_scenario(
    engine: Engine, location_id: str, data: Mapping[str, Any], today: datetime
) -> Simulation:
    """The scenario validated; ``start_round`` may only be ``"current"`` (the location's round),
    never a path on the server."""
    fields = dict(data)
    start = fields.get("start_round")
    if isinstance(start, str):
        if start != CURRENT_ROUND:
            raise InputError(
                [
                    InputProblem(
                        "scenario",
                        None,
                        "start_round",
                        f'over HTTP, start_round is "{CURRENT_ROUND}" (the location\'s round) '
                        "or a round object",
                    )
                ]
            )
        fields["start_round"] = DatabaseRoundStore(engine, location_id, today.date()).load()
    return simulation_of(fields, "scenario")


def start_simulation(
    engine: Engine,
    location_id: str,
    actor: str,
    now: datetime,
    data: Mapping[str, Any],
    replications: int | None,
    idempotency_key: str | None = None,
) -> tuple[JobView, bool]:
    """Check the scenario and queue it; True when a new job was queued."""
    scenario = check_scenario(engine, location_id, data, now).model_dump(mode="json")
    if data.get("start_round") == CURRENT_ROUND:
        scenario["start_round"] = CURRENT_ROUND  # read when the job runs
    return start_job(
        engine,
        location_id,
        SIMULATION,
        {"scenario": scenario, "replications": replications},
        actor,
        now,
        idempotency_key,
    )


def run_simulation_job(engine: Engine, job: Job, progress: Progress) -> Outcome:
    """The worker's handler for a simulation: the report and its SVG charts."""
    from matcher.simulate.plots import render_plots
    from matcher.simulate.report import markdown_report
    from matcher.usecases.simulation import what_if

    simulation = check_scenario(engine, job.location_id, job.payload["scenario"], job.lease_until)
    replications = job.payload.get("replications") or simulation.replications
    total = replications * (1 + len(simulation.levers))
    done = 0

    def tick(count: int) -> None:
        nonlocal done
        done += count
        progress(min(0.95, done / total))

    scheduler = ServiceSettings().dask_scheduler
    outcome = what_if(simulation, replications, 1, tick, scheduler)
    charts = render_plots(outcome.result, "chart")
    titles = {name: title for name, (title, _) in charts.items()}
    files = {name: ("image/svg+xml", svg) for name, (_, svg) in charts.items()}
    report = markdown_report(outcome.result, titles)
    files[REPORT_FILE] = ("text/markdown; charset=utf-8", report.encode())
    return Outcome(
        summary={
            "replications": replications,
            "variants": [BASELINE_NAME, *(lever.name for lever in simulation.levers)],
            "horizon_weeks": simulation.horizon_weeks,
            "files": sorted(files),
            "dask": scheduler is not None,
        },
        artifacts=files,
    )
