"""The plan of a round's accepted proposals: introduction meetings and weekly visits, the
calendars to download (a family's, a volunteer's, a coordinator's), a calendar feed to
subscribe to (its address shown once), and a printable match letter per proposal with ids and
practical facts only. The plan and the feeds come from ``service.calendars``, as in the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Response
from icalendar import Calendar

from matcher.db.service_tables import ProposalStatus
from matcher.schedule.ics import PRODUCT, calendars
from matcher.schedule.plan import Plan
from matcher.service.calendars import Subject, accepted_plan, create_token
from matcher.service.rounds import family_of_round, result_of, round_map
from matcher.web.guard import Here, Reading, Writing
from matcher.web.pages import PART_NAMES, PageRoute

router = APIRouter(
    prefix="/web/locaties/{location}/rondes/{round_id}",
    route_class=PageRoute,
    include_in_schema=False,
)

ICS = "text/calendar; charset=utf-8"
LETTER_STATUSES = (ProposalStatus.PENDING, ProposalStatus.ACCEPTED)
"""A letter is for the introduction: of a proposal still open or accepted."""


@router.get("/planning")
def plan_page(here: Reading, round_id: str) -> Response:
    return _plan_page(here, round_id)


@router.post("/planning/abonnementen")
def subscribe(
    here: Writing,
    round_id: str,
    person: Annotated[str, Form(alias="persoon", min_length=3, max_length=80)],
) -> Response:
    """A calendar feed for a coordinator or volunteer: its address is shown this once."""
    kind, _, person_id = person.partition(":")
    round_ = here.store().load()
    known: dict[str, set[str]] = {
        Subject.COORDINATOR: {c.id for c in round_.coordinators},
        Subject.VOLUNTEER: {v.id for v in round_.volunteers},
    }
    if person_id not in known.get(kind, set()):
        raise here.page.refuse(422)
    _token, secret = create_token(
        here.store(), Subject(kind), person_id, here.user.actor, here.page.ctx.clock()
    )
    feed = str(here.page.request.url_for("calendar_feed", token=secret))
    return _plan_page(here, round_id, feed=feed, subscribed=person_id)


@router.get("/planning/gezin/{family_id}.ics")
def family_calendar(here: Reading, round_id: str, family_id: str) -> Response:
    """The family's introduction and visits (none yet: an empty calendar)."""
    if family_id not in {f.id for f in here.store().load().families}:
        raise here.page.refuse(404)
    plan = _plan(here, round_id)
    own = plan.model_copy(
        update={
            "introductions": [i for i in plan.introductions if i.family_id == family_id],
            "visits": [v for v in plan.visits if v.family_id == family_id],
        }
    )
    files = calendars(own)
    content = next(iter(files.values()), _empty())
    return _ics(content, f"gezin-{family_id}.ics")


@router.get("/planning/vrijwilliger/{volunteer_id}.ics")
def volunteer_calendar(here: Reading, round_id: str, volunteer_id: str) -> Response:
    known = {v.id for v in here.store().load().volunteers}
    return _calendar_of(here, round_id, volunteer_id, known, "volunteer", "vrijwilliger")


@router.get("/planning/coordinator/{coordinator_id}.ics")
def coordinator_calendar(here: Reading, round_id: str, coordinator_id: str) -> Response:
    known = {c.id for c in here.store().load().coordinators}
    return _calendar_of(here, round_id, coordinator_id, known, "coordinator", "coordinator")


def _calendar_of(
    here: Here, round_id: str, person_id: str, known: set[str], kind: str, file_prefix: str
) -> Response:
    """The calendar of a volunteer or coordinator of the round (``kind``, as the plan's
    calendars are named), served as ``<file_prefix>-<id>.ics``; 404 for anyone else."""
    if person_id not in known:
        raise here.page.refuse(404)
    content = calendars(_plan(here, round_id)).get(f"{kind}-{person_id}", _empty())
    return _ics(content, f"{file_prefix}-{person_id}.ics")


@router.get("/brieven/{family_id}")
def letter(here: Reading, round_id: str, family_id: str) -> Response:
    """The match letter for the introduction: ids, the weekly half-day, the distance, the
    coordinator, and once accepted the dates of the introduction and the first visit."""
    engine = here.page.ctx.engine
    row = family_of_round(engine, here.location_id, round_id, family_id)
    if row is None or row.status not in LETTER_STATUSES:
        raise here.page.refuse(404)
    pairs = round_map(here.store(), round_id, result_of(engine, here.location_id, round_id)).pairs
    pair = next((p for p in pairs if p.family_id == family_id), None)
    if pair is None:
        raise here.page.refuse(404)
    plan = _plan(here, round_id) if row.status == ProposalStatus.ACCEPTED else None
    family = next((f for f in here.store().load().families if f.id == family_id), None)
    return here.page.render(
        "letter.html",
        here=here,
        round_id=round_id,
        pair=pair,
        coordinator=None if family is None else family.coordinator,
        introduction=None
        if plan is None
        else next((i for i in plan.introductions if i.family_id == family_id), None),
        visits=None
        if plan is None
        else next((v for v in plan.visits if v.family_id == family_id), None),
    )


def _plan_page(
    here: Here, round_id: str, feed: str | None = None, subscribed: str | None = None
) -> Response:
    plan = _plan(here, round_id)
    round_ = here.store().load()
    planned = sorted(
        {i.volunteer_id for i in plan.introductions} | {v.volunteer_id for v in plan.visits}
    )
    return here.page.render(
        "plan.html",
        here=here,
        round_id=round_id,
        plan=plan,
        families=sorted(
            {i.family_id for i in plan.introductions} | {v.family_id for v in plan.visits}
        ),
        volunteers=planned,
        coordinators=[c.id for c in round_.coordinators],
        feed=feed,
        subscribed=subscribed,
        part_names=PART_NAMES,
    )


def _plan(here: Here, round_id: str) -> Plan:
    return accepted_plan(here.page.ctx.engine, here.store(), round_id)


def _empty() -> bytes:
    """A calendar without events, for a person with nothing planned."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    return bytes(calendar.to_ical())


def _ics(content: bytes, name: str) -> Response:
    return Response(
        content,
        media_type=ICS,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
