"""The web app's routes, served under ``/web`` by the same application as the API."""

from __future__ import annotations

from fastapi import APIRouter

from matcher.web.routes import (
    accountability,
    audit,
    auth,
    imports,
    plan,
    records,
    rounds,
    vendor,
    whatif,
)

router = APIRouter()
for _module in (auth, records, imports, rounds, plan, accountability, audit, whatif, vendor):
    router.include_router(_module.router)
