"""The FastAPI application: one ``create_app`` that wires the context, the error documents,
the middleware and the routes. ``matcher serve`` runs it under uvicorn."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy import Engine

from matcher.db.engine import create_engine
from matcher.db.migrate import upgrade
from matcher.service.context import Context, utc_now
from matcher.service.observe import Metrics, Observed
from matcher.service.problems import HANDLERS
from matcher.service.routes import (
    accountability,
    calendars,
    docs,
    health,
    locations,
    privacy,
    recommendations,
    records,
    rounds,
    simulations,
)
from matcher.service.settings import ServiceSettings
from matcher.web import app as web

API_VERSION = "1"


def create_app(
    settings: ServiceSettings | None = None,
    engine: Engine | None = None,
    clock: Callable[[], datetime] = utc_now,
    migrate: bool = True,
) -> FastAPI:
    """The service over ``engine`` (default: from ``settings``' database URL), its schema
    brought up to date first unless ``migrate`` is False."""
    settings = settings or ServiceSettings()
    engine = engine or create_engine(settings.url())
    if migrate:
        upgrade(engine)
    app = FastAPI(
        title="matcher",
        version=API_VERSION,
        summary="Match home-visiting volunteers to families and plan their visits.",
        description=(
            "Every route under /v1 needs an API key (`Authorization: Bearer mk_…`). "
            "Errors are RFC 9457 problem documents naming the field."
        ),
        exception_handlers=HANDLERS,
        docs_url=None,
        redoc_url=None,
    )
    app.state.context = Context(engine, settings, clock)
    app.state.metrics = Metrics()
    app.add_middleware(Observed, metrics=app.state.metrics, max_body_bytes=settings.max_body_bytes)
    routers = (
        health,
        docs,
        locations,
        records,
        rounds,
        simulations,
        recommendations,
        privacy,
        calendars,
        accountability,
        web,
    )
    for module in routers:
        app.include_router(module.router)
    return app
