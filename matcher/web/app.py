"""The web app's routes, served under ``/web`` by the same application as the API."""

from __future__ import annotations

from fastapi import APIRouter

from matcher.web.routes import accountability, audit, auth, imports, records, rounds, whatif

router = APIRouter()
for _module in (auth, records, imports, rounds, accountability, audit, whatif):
    router.include_router(_module.router)
