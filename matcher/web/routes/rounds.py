"""Matching rounds: start one (a job the workers run), watch it until it is done (the page
refreshes itself and shows how far the job is), read its proposals and the families left
waiting on a table and a map, and decide: accept or decline each proposal, pick another
volunteer from a family's shortlist (confirming a broken rule of fit first), and end a running
match with a reason. Every decision goes through the service layer the API uses
(``decide_proposal``, ``choose_volunteer``, ``end``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Response
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import select

from matcher.db.jobs import JobStatus, JobView, get
from matcher.db.service_tables import JobRow, ProposalStatus
from matcher.domain.slots import SLOT_NAMES
from matcher.lifecycle.decisions import EndReason
from matcher.service.rounds import (
    ROUND,
    choose_volunteer,
    decide_proposal,
    family_of_round,
    options,
    result_of,
    round_map,
    start_round,
)
from matcher.usecases.choice import ChoiceRefused
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
RULES = {
    "language": N_("they share no language"),
    "travel": N_("the distance (%(km)s km) is beyond the volunteer's travel limit"),
    "availability": N_("the chosen half-day is not one both of them have free"),
    "gender_preference": N_("the family's wish for the volunteer's gender"),
    "pets": N_("the family must avoid pets, and the volunteer has pets"),
    "smoking": N_("the family needs a non-smoker, and the volunteer smokes"),
    "training_or_vog": N_(
        "the volunteer's training or certificate of conduct (VOG) is not complete"
    ),
    "no_capacity": N_("the volunteer has no free place"),
    "age_limit": N_("the family is outside the programme's age limit"),
    "declined_or_excluded": N_("the pair was declined before or is on the exclusion list"),
    "same_place": N_("they live in the same place (conflict of interest)"),
    "family_closed": N_("the family is closed"),
    "family_matched": N_("the family already has a running match"),
    "volunteer_unavailable": N_("the volunteer has stopped or is paused"),
    "slot_taken": N_("the volunteer already visits another family on this half-day"),
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
        here.page.ctx.engine,
        here.location_id,
        here.user.actor,
        here.page.ctx.clock(),
        {},
        language=here.page.language,
    )
    return RedirectResponse(f"/web/locaties/{here.location_id}/rondes/{job.id}", status_code=303)


@router.get("/rondes/{round_id}")
def round_page(here: Reading, round_id: str) -> Response:
    engine = here.page.ctx.engine
    job = _round_job(here, round_id)
    result = pairs = None
    if job.status == JobStatus.DONE:
        result = result_of(engine, here.location_id, round_id)
        pairs = {p.family_id: p for p in round_map(here.store(), round_id, result).pairs}
    response = here.page.render(
        "round.html",
        here=here,
        job=job,
        job_status=JOB_STATUS,
        refresh=REFRESH_S if job.status in (JobStatus.QUEUED, JobStatus.RUNNING) else None,
        result=result,
        pairs=pairs or {},
        proposal_status=PROPOSAL_STATUS,
        unmatched_reasons=UNMATCHED,
        tiles=here.page.ctx.settings.tile_url,
    )
    tiles = here.page.ctx.settings.tile_origin()
    if tiles is not None:  # the one other origin a page may load from: the tile server named
        policy = response.headers["Content-Security-Policy"]
        response.headers["Content-Security-Policy"] = policy.replace(
            "img-src 'self'", f"img-src 'self' {tiles}"
        )
    return response


@router.get("/rondes/{round_id}/kaart.json")
def round_map_data(here: Reading, round_id: str) -> Response:
    """The map's data: points by postcode area, and the pairs with their distance as written
    in the page's language."""
    if _round_job(here, round_id).status != JobStatus.DONE:
        raise here.page.refuse(404)
    result = result_of(here.page.ctx.engine, here.location_id, round_id)
    found = round_map(here.store(), round_id, result)
    kilometres = here.page.gettext("%(km)s km")
    body = {
        "points": [p.model_dump() for p in found.points],
        "pairs": [
            {
                **pair.model_dump(mode="json"),
                "distance": kilometres % {"km": here.page.number(pair.distance_km)},
            }
            for pair in found.pairs
        ],
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.get("/rondes/{round_id}/voorstellen/{family_id}/keuze")
def choice_page(here: Reading, round_id: str, family_id: str) -> Response:
    """The family's shortlist, each volunteer with the half-days to pick from."""
    row = family_of_round(here.page.ctx.engine, here.location_id, round_id, family_id)
    return here.page.render(
        "choice.html",
        here=here,
        round_id=round_id,
        family_id=family_id,
        row=row,
        options=options(here.store(), round_id, family_id),
        rules=RULES,
    )


@router.post("/rondes/{round_id}/voorstellen/{family_id}/keuze")
def choose(
    here: Writing,
    round_id: str,
    family_id: str,
    volunteer_id: Annotated[str, Form(alias="vrijwilliger", min_length=1, max_length=64)],
    slot: Annotated[str, Form(alias="dagdeel")],
    confirmed: Annotated[bool, Form(alias="bevestigd")] = False,
) -> Response:
    """Record the choice, or ask to confirm the rules it breaks (or say why it cannot be)."""
    if slot not in SLOT_NAMES:
        raise here.page.refuse(422)
    values: dict[str, Any] = {
        "here": here,
        "round_id": round_id,
        "family_id": family_id,
        "rules": RULES,
    }
    try:
        choice = choose_volunteer(
            here.store(),
            round_id,
            family_id,
            volunteer_id,
            slot,
            confirmed,
            here.user.actor,
            here.page.ctx.clock(),
        )
    except ChoiceRefused as refused:
        return here.page.render(
            "choice_refused.html",
            409,
            **values,
            choice=refused.choice,
            broken=refused.choice.refused,
        )
    if not choice.recorded:
        return here.page.render(
            "choice_confirm.html", **values, choice=choice, broken=choice.broken
        )
    return RedirectResponse(
        f"/web/locaties/{here.location_id}/rondes/{round_id}#{family_id}", status_code=303
    )


def _round_job(here: Here, round_id: str) -> JobView:
    job = get(here.page.ctx.engine, here.location_id, round_id)
    if job is None or job.kind != ROUND:
        raise here.page.refuse(404)
    return job


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
