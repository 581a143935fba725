"""Operations: liveness, readiness (database reachable, migrations current) and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from matcher.db.jobs import JobStatus
from matcher.db.migrate import current, head
from matcher.db.service_tables import JobRow
from matcher.service.access import context
from matcher.service.observe import Metrics
from matcher.service.rounds import ROUND

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database answers and its schema is current",
    responses={503: {"description": "Not ready: the reason is given"}},
)
def readyz(request: Request) -> JSONResponse:
    engine = context(request).engine
    try:
        found = current(engine)
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "reason": "database unreachable"}, 503)
    wanted = head()
    if found != wanted:
        return JSONResponse(
            {"status": "unavailable", "reason": f"schema at {found}, needs {wanted}"}, 503
        )
    return JSONResponse({"status": "ready", "schema": found})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request) -> Response:
    found: Metrics = request.app.state.metrics
    engine = context(request).engine
    with engine.connect() as connection:
        counts = connection.execute(
            select(JobRow.kind, JobRow.status, func.count()).group_by(JobRow.kind, JobRow.status)
        ).all()
        recent = connection.execute(
            select(JobRow.summary)
            .where(JobRow.kind == ROUND, JobRow.status == JobStatus.DONE)
            .order_by(JobRow.finished.desc())
            .limit(100)
        ).scalars()
        seconds = sorted(
            float(s["seconds"]) for s in recent if isinstance(s, dict) and "seconds" in s
        )
    found.jobs.clear()
    for kind, status, count in counts:
        found.jobs.labels(kind, status).set(count)
    found.solve_seconds.clear()
    if seconds:
        for quantile in (0.5, 0.95):
            found.solve_seconds.labels(str(quantile)).set(
                seconds[int(quantile * (len(seconds) - 1))]
            )
    return Response(generate_latest(found.registry), media_type=CONTENT_TYPE_LATEST)
