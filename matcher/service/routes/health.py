"""Operations: liveness, readiness (database reachable, migrations current) and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError

from matcher.db.migrate import current, head
from matcher.service.access import context

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
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
