"""What-if simulations over HTTP: submit a scenario (TOML or JSON), follow its progress, fetch
the report and its charts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from matcher.db.jobs import JobStatus, JobView, artifact, get
from matcher.service.access import Here, Reader, Writer
from matcher.service.problems import PROBLEM_RESPONSES, ServiceError, conflict, not_found
from matcher.service.routes.rounds import IdempotencyKey
from matcher.service.simulations import (
    MAX_REPLICATIONS,
    SIMULATION,
    parse_scenario,
    start_simulation,
)

router = APIRouter(
    prefix="/v1/locations/{location}", tags=["simulations"], responses=PROBLEM_RESPONSES
)

SCENARIO_BODY = {
    "requestBody": {
        "required": True,
        "description": "a what-if scenario, as in scenarios/what-if.toml (start_round may be "
        '"current": the location\'s round)',
        "content": {
            "application/toml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


@router.post(
    "/simulations",
    status_code=202,
    summary="Start a what-if simulation (runs as a job)",
    openapi_extra=SCENARIO_BODY,
    responses={
        200: {"description": "The job of an earlier request with this Idempotency-Key"},
        415: {"description": "Send application/toml or application/json"},
    },
)
async def post_simulation(
    here: Writer,
    request: Request,
    response: Response,
    replications: Annotated[int | None, Query(ge=1, le=MAX_REPLICATIONS)] = None,
    content_type: Annotated[str, Header()] = "application/toml",
    idempotency_key: IdempotencyKey = None,
) -> JobView:
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in ("application/toml", "application/json", "text/plain"):
        raise ServiceError(
            415, "Unsupported Media Type", "send application/toml or application/json"
        )
    data = parse_scenario(await request.body(), media_type)
    job, created = start_simulation(
        here.ctx.engine,
        here.location_id,
        here.caller.actor,
        here.ctx.clock(),
        data,
        replications,
        idempotency_key,
    )
    response.status_code = 202 if created else 200
    response.headers["Location"] = f"/v1/locations/{here.location_id}/simulations/{job.id}"
    return job


@router.get("/simulations/{simulation_id}", summary="A simulation's job: status and progress")
def get_simulation(here: Reader, simulation_id: str) -> JobView:
    return _job(here, simulation_id)


@router.get(
    "/simulations/{simulation_id}/files/{name}",
    summary="A finished simulation's report (report.md) or chart (.svg)",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}, "image/svg+xml": {}}}},
)
def get_simulation_file(here: Reader, simulation_id: str, name: str) -> Response:
    job = _job(here, simulation_id)
    if job.status != JobStatus.DONE:
        raise conflict(f"the simulation is {job.status.value}, not finished")
    found = artifact(here.ctx.engine, here.location_id, simulation_id, name)
    if found is None:
        raise not_found("such file")
    media_type, content = found
    return Response(content, media_type=media_type)


def _job(here: Here, simulation_id: str) -> JobView:
    job = get(here.ctx.engine, here.location_id, simulation_id)
    if job is None or job.kind != SIMULATION:
        raise not_found("simulation with that id")
    return job
