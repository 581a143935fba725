"""Accountability over HTTP: the figures of one municipality in a quarter or a year."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from matcher.service.access import Reader
from matcher.service.accountability import municipalities_of, report
from matcher.service.problems import PROBLEM_RESPONSES
from matcher.usecases.accountability import Accountability

router = APIRouter(
    prefix="/v1/locations/{location}", tags=["accountability"], responses=PROBLEM_RESPONSES
)


@router.get(
    "/accountability",
    summary="Figures for a municipality in a quarter or year (counts of 1-4 suppressed)",
)
def get_accountability(
    here: Reader,
    municipality: Annotated[
        str, Query(min_length=1, max_length=100, description="a place of the PC4 table")
    ],
    period: Annotated[
        str, Query(min_length=4, max_length=7, description="a year (2026) or quarter (2026-Q3)")
    ],
) -> Accountability:
    return report(here.ctx.store(here.location_id), municipality, period)


@router.get(
    "/accountability/municipalities",
    summary="The municipalities the location's families live in",
)
def get_municipalities(here: Reader) -> list[str]:
    return municipalities_of(here.ctx.store(here.location_id))
