"""Matching rounds: start one (a job the workers run), watch it until it is done (the page
refreshes itself), read its proposals and the families left waiting, and decide: accept or
decline each proposal, and end a running match with a reason. Every decision goes through the
use cases the API uses (``decide``, ``end``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from matcher.db.jobs import JobStatus, get
from matcher.db.service_tables import JobRow, ProposalStatus
from matcher.lifecycle.decisions import EndReason
from matcher.service.rounds import ROUND, decide_proposal, proposals, result_of, start_round
from matcher.usecases.decisions import end
from matcher.web.guard import Here, Reading, Writing
from matcher.web.i18n import N_
from matcher.web.pages import PageRoute

router = APIRouter(
    prefix="/web/locaties/{location}", route_class=PageRoute, include_in_schema=False
)

SHOWN_ROUNDS = 20
REFRESH_S = 2
JOB_STATUS = {
    JobStatus.QUEUED: N_("waiting to start"),
    JobStatus.RUNNING: N_("running"),
    JobStatus.DONE: N_("done"),
    JobStatus.FAILED: N_("failed"),
}
PROPOSAL_STATUS = {
    ProposalStatus.PENDING: N_("open"),
    ProposalStatus.ACCEPTED: N_("accepted"),
    ProposalStatus.DECLINED: N_("declined"),
    ProposalStatus.WITHDRAWN: N_("withdrawn"),
}
UNMATCHED = {
    "not_eligible": N_("The family cannot be matched now (closed, or outside the programme)."),
    "no_eligible_volunteer": N_("No volunteer meets the hard rules for this family."),
    "outcompeted": N_("The volunteers who could help were proposed to other families."),
    "poor_fit": N_("The volunteers who could help fit below the minimum quality."),
}
END_REASONS = {
    EndReason.VOLUNTEER_STOPPED: N_("the volunteer stops with the programme"),
    EndReason.VOLUNTEER_CONTINUES: N_("this match ends, the volunteer continues"),
    EndReason.FAMILY_COPES: N_("the family copes on its own"),
    EndReason.AGED_OUT: N_("the children are too old for the programme"),
    EndReason.FAMILY_STOPPED: N_("the family stopped"),
}
BAD_DATE = N_("Enter a date as 2026-11-24.")
ENDED = N_("The match of family %(family)s has ended.")


@router.get("/rondes")
def rounds(here: Reading) -> Response:
    with here.page.ctx.engine.connect() as connection:
        rows = connection.execute(
            select(JobRow.id, JobRow.status, JobRow.created, JobRow.summary)
            .where(JobRow.location_id == here.location_id, JobRow.kind == ROUND)
            .order_by(JobRow.created.desc())
            .limit(SHOWN_ROUNDS)
        ).all()
    return here.page.render("rounds.html", here=here, rounds=rows, job_status=JOB_STATUS)


@router.post("/rondes")
def start(here: Writing) -> Response:
    job, _ = start_round(
        here.page.ctx.engine, here.location_id, here.user.actor, here.page.ctx.clock(), {}
    )
    return RedirectResponse(f"/web/locaties/{here.location_id}/rondes/{job.id}", status_code=303)


@router.get("/rondes/{round_id}")
def round_page(here: Reading, round_id: str) -> Response:
    engine = here.page.ctx.engine
    job = get(engine, here.location_id, round_id)
    if job is None or job.kind != ROUND:
        raise here.page.refuse(404)
    result = statuses = None
    if job.status == JobStatus.DONE:
        result = result_of(engine, here.location_id, round_id)
        statuses = {
            row.family_id: ProposalStatus(row.status)
            for row in proposals(engine, here.location_id, job_id=round_id)
        }
    return here.page.render(
        "round.html",
        here=here,
        job=job,
        job_status=JOB_STATUS,
        refresh=REFRESH_S if job.status in (JobStatus.QUEUED, JobStatus.RUNNING) else None,
        result=result,
        statuses=statuses or {},
        proposal_status=PROPOSAL_STATUS,
        unmatched_reasons=UNMATCHED,
    )


@router.post("/rondes/{round_id}/voorstellen/{family_id}/aannemen")
def accept(here: Writing, round_id: str, family_id: str) -> Response:
    return _decide(here, round_id, family_id, accepted=True)


@router.post("/rondes/{round_id}/voorstellen/{family_id}/afwijzen")
def decline(here: Writing, round_id: str, family_id: str) -> Response:
    return _decide(here, round_id, family_id, accepted=False)


def _decide(here: Here, round_id: str, family_id: str, accepted: bool) -> Response:
    decide_proposal(
        here.store(), round_id, family_id, accepted, here.user.actor, here.page.ctx.clock()
    )
    return RedirectResponse(
        f"/web/locaties/{here.location_id}/rondes/{round_id}#{family_id}", status_code=303
    )


@router.get("/koppelingen")
def matches(here: Reading) -> Response:
    return here.page.render(
        "matches.html",
        here=here,
        matches=here.store().load().active_matches,
        reasons=END_REASONS,
        ended=None,
    )


@router.post("/koppelingen/{family_id}/beeindigen")
def end_match(
    here: Writing,
    family_id: str,
    reason: Annotated[EndReason, Form()],
    day: Annotated[str, Form(alias="datum", max_length=10)] = "",
) -> Response:
    now = here.page.ctx.clock()
    try:
        effective = dt.date.fromisoformat(day) if day else now.date()
    except ValueError:
        raise here.page.refuse(422, here.page.gettext(BAD_DATE)) from None
    end(here.store(), family_id, reason, effective, here.user.actor, now)
    return here.page.render(
        "matches.html",
        here=here,
        matches=here.store().load().active_matches,
        reasons=END_REASONS,
        ended=here.page.gettext(ENDED) % {"family": family_id},
    )
