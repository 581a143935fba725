"""A family's personal data (export and erasure) and the location's audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from matcher.service.access import Admin, Reader
from matcher.service.privacy import (
    AuditPage,
    Erasure,
    FamilyExport,
    audit_page,
    erase_family,
    export_family,
)
from matcher.service.problems import PROBLEM_RESPONSES

MAX_LINE_ID = 2**31 - 1
"""Audit lines are numbered by a 32-bit integer column."""

router = APIRouter(prefix="/v1/locations/{location}", responses=PROBLEM_RESPONSES)

FamilyId = Annotated[str, Path(min_length=1, max_length=64, description="the case system's id")]


@router.get(
    "/families/{family_id}/export",
    summary="Everything held about one family (right of access)",
    tags=["privacy"],
)
def get_family_export(here: Reader, family_id: FamilyId) -> FamilyExport:
    return export_family(here.ctx.store(here.location_id), family_id)


@router.delete(
    "/families/{family_id}/personal-data",
    summary="Erase a family (right to erasure): its rows go, the logs keep a hash of its id",
    tags=["privacy"],
)
def erase_personal_data(here: Admin, family_id: FamilyId) -> Erasure:
    return erase_family(
        here.ctx.store(here.location_id),
        here.ctx.settings.erase_pepper,
        family_id,
        here.caller.actor,
        here.ctx.clock(),
    )


@router.get("/audit", summary="The audit log: who changed what, oldest first", tags=["audit"])
def get_audit(
    here: Admin,
    after: Annotated[
        int, Query(ge=0, le=MAX_LINE_ID, description="the last line's id already read")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    return audit_page(here.ctx.engine, here.location_id, after, limit)
