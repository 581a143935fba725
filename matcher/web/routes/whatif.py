"""What-if for regional managers and admins: a form with the levers of a simulation of one
location (starting from its round as stored), the simulation run as a job by the workers with
a progress bar, and its report with the charts. Coordinators may not run what-ifs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from matcher.db.jobs import JobStatus, JobView, artifact, get
from matcher.domain.round import Backend
from matcher.io.problems import InputError
from matcher.service.accountability import municipalities_of
from matcher.service.simulations import CURRENT_ROUND, REPORT_FILE, SIMULATION, start_simulation
from matcher.web import forms
from matcher.web.accounts import Role
from matcher.web.guard import Here, Posted, Reading
from matcher.web.i18n import N_
from matcher.web.pages import PageRoute
from matcher.web.routes.rounds import JOB_STATUS

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LOCATION = "/web/locaties/{location}/wat-als"
REFRESH_S = 2
WEEKS_PER_MONTH = 4
MAX_WEB_REPLICATIONS = 100
"""More runs than this take too long to wait for in a browser (the API allows more)."""
ONLY_MANAGERS = N_("Only regional managers and administrators run what-if simulations.")
NO_AREA = N_(
    "None of this location's families has a known postcode, so the simulation has no area."
)
CHART_TITLES = {
    "chart-waiting-list.svg": N_("Waiting list over time"),
    "chart-waits.svg": N_("Share of families matched within so many weeks of referral"),
    "chart-languages.svg": N_("Matched within 8 weeks by home language"),
}

CHART_ORDER = tuple(CHART_TITLES)


class Levers(BaseModel):
    """The form's levers: the baseline's settings, and the changes compared with it."""

    model_config = ConfigDict(extra="forbid")

    horizon_weeks: int = Field(default=26, ge=4, le=260)
    replications: int = Field(default=10, ge=1, le=MAX_WEB_REPLICATIONS)
    intake_weeks: int = Field(default=1, ge=0, le=26)
    arrivals_per_year: float = Field(default=28, ge=0, le=2_000)
    extra_per_month: int = Field(default=0, ge=0, le=50)
    capacity_percent: float = Field(default=0, ge=0, le=100)
    extra_travel_km: float = Field(default=0, ge=0, le=100)
    evening_percent: float = Field(default=0, ge=0, le=100)
    cadence_weeks: int | None = Field(default=None, ge=1, le=13)
    backend: Backend | None = None


LEVERS_FORM = forms.Form(
    "wat-als",
    Levers,
    (
        forms.Field("horizon_weeks", N_("Weeks ahead"), "number"),
        forms.Field(
            "replications",
            N_("Runs per variant"),
            "number",
            help=N_("More runs give narrower intervals and take longer (at most 100)."),
        ),
        forms.Field(
            "intake_weeks", N_("Weeks from referral to the waiting list (intake)"), "number"
        ),
        forms.Field("arrivals_per_year", N_("New families a year"), "number"),
        forms.Field(
            "extra_per_month",
            N_("Extra volunteers recruited a month"),
            "number",
            help=N_("From the fourth week on, every four weeks."),
        ),
        forms.Field("capacity_percent", N_("Volunteers taking one more family (%)"), "number"),
        forms.Field("extra_travel_km", N_("Wider travel distance (km)"), "number"),
        forms.Field("evening_percent", N_("Volunteers adding weekday evenings (%)"), "number"),
        forms.Field(
            "cadence_weeks",
            N_("Weeks between rounds"),
            "number",
            help=N_("Empty: as now (every two weeks)."),
        ),
        forms.Field(
            "backend",
            N_("How rounds are matched"),
            "select",
            (
                ("", N_("as now (the engine's best)")),
                ("greedy", N_("first come, first served (as by hand)")),
            ),
        ),
    ),
)
CHANGES = ("extra_per_month", "capacity_percent", "extra_travel_km", "evening_percent")


def managing(here: Reading) -> Here:
    """A what-if page of a location the person may read, for a regional manager or admin."""
    return _manager(here)


def _manager(here: Here) -> Here:
    if here.user.role not in (Role.REGIONAL_MANAGER, Role.ADMIN):
        raise here.page.refuse(403, here.page.gettext(ONLY_MANAGERS))
    return here


def running(here: Annotated[Here, Depends(managing)], _: Posted) -> Here:
    """A what-if started by a regional manager or admin, with the session's form token."""
    return here


Managing = Annotated[Here, Depends(managing)]
Running = Annotated[Here, Depends(running)]


@router.get(LOCATION)
def levers_form(here: Managing) -> Response:
    return _form(here, forms.shown(Levers(), LEVERS_FORM), {})


@router.post(LOCATION)
async def start(here: Running, request: Request) -> Response:
    """Check the levers and start the simulation; the form again with its problems."""
    values = forms.posted_values(LEVERS_FORM, await request.form())
    levers, errors = forms.record_of(LEVERS_FORM, values, None, here.page.gettext)
    if levers is None:
        return _form(here, values, errors, 422)
    assert isinstance(levers, Levers)
    places = municipalities_of(here.store())
    if not places:
        return _form(here, values, {"": here.page.gettext(NO_AREA)}, 422)
    today = here.page.ctx.clock()
    scenario = scenario_of(levers, places, today.date(), here.page.gettext("with these changes"))
    try:
        job, _ = start_simulation(
            here.page.ctx.engine,
            here.location_id,
            here.user.actor,
            today,
            scenario,
            levers.replications,
        )
    except InputError as error:
        problems = forms.problems_by_field(LEVERS_FORM, error.problems, here.page.gettext)
        return _form(here, values, problems, 422)
    return RedirectResponse(f"/web/locaties/{here.location_id}/wat-als/{job.id}", status_code=303)


def scenario_of(levers: Levers, places: list[str], start: date, name: str) -> dict[str, object]:
    """The simulation the form asks for: the location's round as it is now, over its
    municipalities, and one lever with every change made in the form (none when the form
    changes nothing)."""
    lever: dict[str, object] = {"name": name}
    if levers.extra_per_month:
        lever["cohorts"] = [
            {"week": week, "size": levers.extra_per_month}
            for week in range(WEEKS_PER_MONTH, levers.horizon_weeks, WEEKS_PER_MONTH)
        ]
    if levers.capacity_percent:
        lever["capacity_share"] = levers.capacity_percent / 100
    if levers.extra_travel_km:
        lever["extra_travel_km"] = levers.extra_travel_km
    if levers.evening_percent:
        lever["evening_share"] = levers.evening_percent / 100
    if levers.cadence_weeks is not None:
        lever["cadence_weeks"] = levers.cadence_weeks
    if levers.backend is not None:
        lever["backend"] = levers.backend.value
    return {
        "area": {"places": places},
        "start_date": (start + timedelta(days=-start.weekday())).isoformat(),
        "start_round": CURRENT_ROUND,
        "horizon_weeks": levers.horizon_weeks,
        "intake_weeks": levers.intake_weeks,
        "arrivals_per_year": levers.arrivals_per_year,
        "replications": levers.replications,
        "levers": [lever] if len(lever) > 1 else [],
    }


@router.get(LOCATION + "/{job_id}")
def simulation(here: Managing, job_id: str) -> Response:
    """The simulation's progress (the page refreshes itself), then its report and charts."""
    job = _job(here, job_id)
    done = job.status == JobStatus.DONE
    files = (job.summary or {}).get("files", []) if done else []
    report = artifact(here.page.ctx.engine, here.location_id, job.id, REPORT_FILE) if done else None
    return here.page.render(
        "whatif_job.html",
        here=here,
        job=job,
        job_status=JOB_STATUS,
        refresh=REFRESH_S if job.status in (JobStatus.QUEUED, JobStatus.RUNNING) else None,
        charts=[
            (name, CHART_TITLES.get(name))
            for name in sorted(files, key=_chart_order)
            if name.endswith(".svg")
        ],
        report=report[1].decode("utf-8") if report else None,
    )


@router.get(LOCATION + "/{job_id}/bestanden/{name}")
def simulation_file(here: Managing, job_id: str, name: str) -> Response:
    """A chart or the report of a finished simulation."""
    job = _job(here, job_id)
    found = artifact(here.page.ctx.engine, here.location_id, job.id, name)
    if job.status != JobStatus.DONE or found is None:
        raise here.page.refuse(404)
    media_type, content = found
    return Response(
        content,
        media_type=media_type,
        headers={
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _chart_order(name: str) -> tuple[int, str]:
    """Charts in the order the report discusses them, any other file after them."""
    return (CHART_ORDER.index(name) if name in CHART_ORDER else len(CHART_ORDER), name)


def _job(here: Here, job_id: str) -> JobView:
    job = get(here.page.ctx.engine, here.location_id, job_id)
    if job is None or job.kind != SIMULATION:
        raise here.page.refuse(404)
    return job


def _form(
    here: Here, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    return here.page.render(
        "whatif_form.html", status, here=here, form=LEVERS_FORM, values=values, errors=errors
    )
