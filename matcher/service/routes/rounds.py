"""Rounds as jobs (202, then status, then the result and its files), the proposals they make,
the coordinator's decisions on them, and ending a running match."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Response
from pydantic import BaseModel, Field

from matcher.db.jobs import JobStatus, JobView, get
from matcher.db.service_tables import ProposalStatus
from matcher.domain.people import Id
from matcher.domain.prepared import prepare
from matcher.domain.round import Backend
from matcher.domain.slots import Slot
from matcher.io.results import results_xlsx
from matcher.lifecycle.decisions import EndReason
from matcher.result import Language, SolveResult
from matcher.service.access import Here, Reader, Writer
from matcher.service.idempotency import replayed
from matcher.service.problems import PROBLEM_RESPONSES, conflict, not_found
from matcher.service.rounds import (
    ROUND,
    choose_volunteer,
    decide_proposal,
    proposals,
    result_of,
    solved_round,
    start_round,
)
from matcher.usecases.choice import Broken, ChosenPair
from matcher.usecases.decisions import end

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

router = APIRouter(prefix="/v1/locations/{location}", responses=PROBLEM_RESPONSES)

IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=200,
        description="the same key again returns the first request's job",
    ),
]
ROUND_ID = r"^[A-Za-z0-9_-]{1,32}$"
"""A round's id as ``POST /rounds`` made it (URL-safe, 32 characters at most)."""
RoundId = Annotated[str, Path(pattern=ROUND_ID, description="the round's id")]
FamilyId = Annotated[Id, Path(description="the family's id in the case system")]


class RoundRequest(BaseModel):
    """Solver settings for this round only (the location's own settings otherwise)."""

    backend: Backend | None = None
    time_limit_s: float | None = Field(default=None, gt=0, le=3600)
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    language: Language = Field(
        default="en", description="the language of the proposals' reasons and other texts"
    )


class ProposalOut(BaseModel):
    round_id: str
    family_id: str
    volunteer_id: str
    slot: str
    quality: float
    status: ProposalStatus


class ChoiceRequest(BaseModel):
    """A volunteer and weekly half-day picked for the family instead of the round's proposal."""

    volunteer_id: Id
    slot: Slot
    confirm: bool = Field(
        default=False,
        description="record the pair although it breaks a rule a coordinator may confirm",
    )


class ChoiceOut(BaseModel):
    recorded: bool = Field(description="whether the pair is now a running match")
    pair: ChosenPair
    broken: list[Broken] = Field(description="the rules the pair breaks (none: it may be matched)")


class EndRequest(BaseModel):
    reason: EndReason
    date: dt.date | None = Field(default=None, description="the day it ends (default: today)")


class Ended(BaseModel):
    family_id: str
    volunteer_id: str
    reason: EndReason
    waiting_again: bool


@router.post(
    "/rounds",
    status_code=202,
    summary="Start a matching round (runs as a job)",
    tags=["rounds"],
    responses={200: {"description": "The job of an earlier request with this Idempotency-Key"}},
)
def post_round(
    here: Writer,
    response: Response,
    body: RoundRequest | None = None,
    idempotency_key: IdempotencyKey = None,
) -> JobView:
    request = body or RoundRequest()
    job, created = start_round(
        here.ctx.engine,
        here.location_id,
        here.caller.actor,
        here.ctx.clock(),
        request.model_dump(exclude_none=True, exclude={"language"}),
        idempotency_key,
        request.language,
    )
    response.status_code = 202 if created else 200
    response.headers["Location"] = f"/v1/locations/{here.location_id}/rounds/{job.id}"
    return job


@router.get("/rounds/{round_id}", summary="A round's job: status and summary", tags=["rounds"])
def get_round(here: Reader, round_id: RoundId) -> JobView:
    return _job(here, round_id)


@router.get(
    "/rounds/{round_id}/result",
    summary="A finished round's proposals, unmatched families and shortlists",
    tags=["rounds"],
)
def get_result(here: Reader, round_id: RoundId) -> SolveResult:
    _finished(here, round_id)
    return result_of(here.ctx.engine, here.location_id, round_id)


@router.get(
    "/rounds/{round_id}/results.xlsx",
    summary="The result as an Excel workbook",
    tags=["rounds"],
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def get_workbook(here: Reader, round_id: RoundId) -> Response:
    _finished(here, round_id)
    result = result_of(here.ctx.engine, here.location_id, round_id)
    return Response(
        results_xlsx(result),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="results-{round_id}.xlsx"'},
    )


@router.get(
    "/rounds/{round_id}/report.html",
    summary="The round's report for coordinators",
    tags=["rounds"],
    response_class=Response,
    responses={200: {"content": {"text/html": {}}}},
)
def get_report(here: Reader, round_id: RoundId) -> Response:
    from matcher.report.html import round_report  # matplotlib: only when asked for

    _finished(here, round_id)
    result = result_of(here.ctx.engine, here.location_id, round_id)
    prepared = prepare(solved_round(here.ctx.engine, here.location_id, round_id))
    return Response(round_report(prepared, result), media_type="text/html")


@router.get("/proposals", summary="The location's proposals", tags=["proposals"])
def get_proposals(
    here: Reader,
    status: Annotated[ProposalStatus | None, Query()] = None,
    round_id: Annotated[str | None, Query(pattern=ROUND_ID)] = None,
) -> list[ProposalOut]:
    return [
        _proposal_out(row) for row in proposals(here.ctx.engine, here.location_id, status, round_id)
    ]


@router.post(
    "/rounds/{round_id}/proposals/{family_id}/accept",
    summary="Accept a proposal: it becomes a running match",
    tags=["proposals"],
    response_model=ProposalOut,
)
def accept_proposal(
    here: Writer, round_id: RoundId, family_id: FamilyId, idempotency_key: IdempotencyKey = None
) -> Any:
    return _once(
        here,
        idempotency_key,
        f"accept {round_id} {family_id}",
        lambda: _decide(here, round_id, family_id, accepted=True),
    )


@router.post(
    "/rounds/{round_id}/proposals/{family_id}/decline",
    summary="Decline a proposal: the pair is never proposed again",
    tags=["proposals"],
    response_model=ProposalOut,
)
def decline_proposal(
    here: Writer, round_id: RoundId, family_id: FamilyId, idempotency_key: IdempotencyKey = None
) -> Any:
    return _once(
        here,
        idempotency_key,
        f"decline {round_id} {family_id}",
        lambda: _decide(here, round_id, family_id, accepted=False),
    )


@router.post(
    "/rounds/{round_id}/proposals/{family_id}/choice",
    summary="Pick another volunteer and half-day for a family of the round",
    description=(
        "Checks the pair against every hard rule. A pair that breaks none is recorded as a "
        "running match (the family's pending proposal becomes accepted with this pair). One "
        "that breaks only rules of fit (language, travel limit, half-day, the family's wishes) "
        "is returned unrecorded with those rules, and recorded when sent again with "
        "`confirm: true`. A declined or excluded pair, a conflict of interest, a volunteer who "
        "is not ready, stopped or full, or a family outside the programme gets 409."
    ),
    tags=["proposals"],
    response_model=ChoiceOut,
)
def post_choice(
    here: Writer,
    round_id: RoundId,
    family_id: FamilyId,
    body: ChoiceRequest,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    def run() -> ChoiceOut:
        choice = choose_volunteer(
            here.ctx.store(here.location_id),
            round_id,
            family_id,
            body.volunteer_id,
            body.slot,
            body.confirm,
            here.caller.actor,
            here.ctx.clock(),
        )
        return ChoiceOut(recorded=choice.recorded, pair=choice.pair, broken=list(choice.broken))

    return _once(
        here, idempotency_key, f"choice {round_id} {family_id} {body.model_dump_json()}", run
    )


@router.post(
    "/active-matches/{family_id}/end",
    summary="End a running match",
    tags=["active-matches"],
    response_model=Ended,
)
def end_match(
    here: Writer, family_id: FamilyId, body: EndRequest, idempotency_key: IdempotencyKey = None
) -> Any:
    now = here.ctx.clock()

    def run() -> Ended:
        ended = end(
            here.ctx.store(here.location_id),
            family_id,
            body.reason,
            body.date or now.date(),
            here.caller.actor,
            now,
        )
        return Ended(
            family_id=ended.family_id,
            volunteer_id=ended.volunteer_id,
            reason=ended.reason,
            waiting_again=ended.waiting_again,
        )

    return _once(here, idempotency_key, f"end {family_id} {body.model_dump_json()}", run)


def _once(here: Here, key: str | None, request: str, run: Callable[[], BaseModel]) -> Any:
    return replayed(here.ctx.engine, here.location_id, key, request, here.ctx.clock(), run)


def _decide(here: Here, round_id: str, family_id: str, accepted: bool) -> ProposalOut:
    row = decide_proposal(
        here.ctx.store(here.location_id),
        round_id,
        family_id,
        accepted,
        here.caller.actor,
        here.ctx.clock(),
    )
    return _proposal_out(row)


def _job(here: Here, round_id: str) -> JobView:
    job = get(here.ctx.engine, here.location_id, round_id)
    if job is None or job.kind != ROUND:
        raise not_found("round with that id")
    return job


def _finished(here: Here, round_id: str) -> None:
    job = _job(here, round_id)
    if job.status != JobStatus.DONE:
        raise conflict(f"the round is {job.status.value}, not finished")


def _proposal_out(row: Any) -> ProposalOut:
    return ProposalOut(
        round_id=row.job_id,
        family_id=row.family_id,
        volunteer_id=row.volunteer_id,
        slot=row.slot,
        quality=row.quality,
        status=ProposalStatus(row.status),
    )
