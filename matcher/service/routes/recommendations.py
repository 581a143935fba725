"""Recommendations for one family, now: the "who could help this family?" button."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from matcher.domain.people import Family
from matcher.explain.recommendation import Recommendations
from matcher.service.access import Reader
from matcher.service.problems import PROBLEM_RESPONSES
from matcher.service.recommendations import recommendations

router = APIRouter(
    prefix="/v1/locations/{location}", tags=["recommendations"], responses=PROBLEM_RESPONSES
)

K = Annotated[int, Query(ge=1, le=100, description="how many of each list")]


@router.get(
    "/families/{family_id}/recommendations",
    summary="The best volunteers for a stored family now, and who fails one rule",
)
def get_recommendations(here: Reader, family_id: str, k: K = 10) -> Recommendations:
    return recommendations(here.ctx, here.location_id, family_id, k)


@router.post(
    "/recommendations",
    summary="The best volunteers for a family posted by the case system (not stored)",
)
def post_recommendations(here: Reader, family: Family, k: K = 10) -> Recommendations:
    return recommendations(here.ctx, here.location_id, family, k)
