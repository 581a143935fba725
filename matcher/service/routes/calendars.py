"""A round's dated plan, calendar tokens, and the calendar feeds they open."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from matcher.domain.people import Id
from matcher.schedule.plan import Plan
from matcher.service.access import Admin, Reader, context
from matcher.service.calendars import (
    FEED_WEEKS,
    REVIEW_WEEKS,
    CalendarToken,
    Subject,
    accepted_plan,
    create_token,
    feed,
    list_tokens,
    revoke_token,
)
from matcher.service.problems import PROBLEM_RESPONSES, not_found

ICS = "text/calendar"

router = APIRouter(prefix="/v1")
LOCATION = "/locations/{location}"
MAX_TOKEN = 100
"""A longer token is no token of ours: 404, like any unknown one."""


class NewToken(BaseModel):
    subject: Subject = Field(description="whose calendar: a coordinator or a volunteer")
    subject_id: Id = Field(description="their id in the location's round")


class CreatedToken(CalendarToken):
    url: str = Field(description="the feed to subscribe to: it holds the secret, shown this once")


@router.get(
    LOCATION + "/rounds/{round_id}/plan",
    responses=PROBLEM_RESPONSES,
    summary="The dated plan (introductions and weekly visits) of a round's accepted proposals",
    tags=["rounds"],
)
def get_plan(
    here: Reader,
    round_id: str,
    start: Annotated[
        dt.date | None, Query(description="first day to plan (default: the round's date)")
    ] = None,
    weeks: Annotated[
        int, Query(ge=1, le=26, description="weeks in which to hold the introductions")
    ] = FEED_WEEKS,
    review_weeks: Annotated[
        int, Query(ge=1, le=52, description="weeks of visits up to the first review")
    ] = REVIEW_WEEKS,
) -> Plan:
    return accepted_plan(
        here.ctx.engine, here.ctx.store(here.location_id), round_id, start, weeks, review_weeks
    )


@router.post(
    LOCATION + "/calendar-tokens",
    responses=PROBLEM_RESPONSES,
    status_code=201,
    summary="A calendar feed for a coordinator or volunteer (its URL is shown once)",
    tags=["calendars"],
)
def post_calendar_token(here: Admin, body: NewToken, request: Request) -> CreatedToken:
    token, secret = create_token(
        here.ctx.store(here.location_id),
        body.subject,
        body.subject_id,
        here.caller.actor,
        here.ctx.clock(),
    )
    url = str(request.url_for("calendar_feed", token=secret))
    return CreatedToken(url=url, **token.model_dump())


@router.get(
    LOCATION + "/calendar-tokens",
    responses=PROBLEM_RESPONSES,
    summary="The location's calendar tokens (never their secrets)",
    tags=["calendars"],
)
def get_calendar_tokens(here: Admin) -> list[CalendarToken]:
    return list_tokens(here.ctx.engine, here.location_id)


@router.delete(
    LOCATION + "/calendar-tokens/{token_id}",
    responses=PROBLEM_RESPONSES,
    status_code=204,
    summary="Revoke a calendar token: its feed stops at once",
    tags=["calendars"],
)
def delete_calendar_token(here: Admin, token_id: str) -> Response:
    if not revoke_token(
        here.ctx.engine, here.location_id, token_id, here.caller.actor, here.ctx.clock()
    ):
        raise not_found("such calendar token")
    return Response(status_code=204)


@router.get(
    "/calendars/{token}.ics",
    tags=["calendars"],
    name="calendar_feed",
    summary="A calendar feed (no API key: the token in the URL is the credential)",
    response_class=Response,
    responses={200: {"content": {ICS: {}}}, 404: PROBLEM_RESPONSES[404]},
)
def calendar_feed(request: Request, token: str) -> Response:
    ctx = context(request)
    found = feed(ctx.engine, token, ctx.clock().date()) if len(token) <= MAX_TOKEN else None
    if found is None:
        raise not_found("calendar with that token")
    return Response(
        found,
        media_type=f"{ICS}; charset=utf-8",
        headers={"Cache-Control": "private, no-store", "Content-Disposition": "inline"},
    )
