"""The waiting list (families) and the volunteers: tables sorted and filtered by the query
string (the table alone when htmx asks, to update it in place; the whole page otherwise, so
everything works without JavaScript), and forms to add or edit a record, saved by the
service's ``put_record`` with the record's ETag, so a change made by someone else in the
meantime is never overwritten."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from matcher.io.problems import InputError
from matcher.service.problems import ServiceError
from matcher.service.records import KINDS, etag, find, listed, put_record
from matcher.web.forms import (
    FAMILY_FORM,
    FORMS,
    VOLUNTEER_FORM,
    Form,
    posted_values,
    problems_by_field,
    record_of,
    shown,
)
from matcher.web.guard import Here, Reading, Writing
from matcher.web.i18n import N_
from matcher.web.pages import Page, PageRoute

router = APIRouter(
    prefix="/web/locaties/{location}", route_class=PageRoute, include_in_schema=False
)

NEW = "_nieuw"
"""The path of a new record's form (no record id starts with an underscore)."""
KIND_OF = {FAMILY_FORM.segment: KINDS["families"], VOLUNTEER_FORM.segment: KINDS["volunteers"]}


@dataclass(frozen=True)
class Column:
    """A column of a table: its name in the query string, its heading, its cell and its order."""

    key: str
    label: str
    cell: Callable[[Any, Page], str]
    order: Callable[[Any], Any]


def _slots(record: Any, page: Page) -> str:
    return ", ".join(page.slot(slot) for slot in record.slots)


STATUS = {
    "open": N_("in the programme"),
    "closed": N_("closed"),
    "active": N_("active"),
    "paused": N_("paused"),
    "stopped": N_("stopped"),
}
TRAVEL = {
    "bike": N_("bike"),
    "walk": N_("foot"),
    "public_transport": N_("public transport"),
    "car": N_("car"),
}
COLUMNS = {
    FAMILY_FORM.segment: (
        Column("id", N_("Number"), lambda r, p: r.id, lambda r: r.id),
        Column(
            "postcode", N_("Postcode"), lambda r, p: r.postcode or "", lambda r: r.postcode or ""
        ),
        Column(
            "registered",
            N_("Registered on"),
            lambda r, p: p.day(r.registered),
            lambda r: r.registered,
        ),
        Column(
            "children", N_("Children"), lambda r, p: str(len(r.children)), lambda r: len(r.children)
        ),
        Column("slots", N_("Available half-days"), _slots, lambda r: len(r.slots)),
        Column(
            "coordinator",
            N_("Coordinator"),
            lambda r, p: r.coordinator or "",
            lambda r: r.coordinator or "",
        ),
        Column(
            "status", N_("Status"), lambda r, p: p.gettext(STATUS[r.status]), lambda r: r.status
        ),
    ),
    VOLUNTEER_FORM.segment: (
        Column("id", N_("Number"), lambda r, p: r.id, lambda r: r.id),
        Column(
            "postcode", N_("Postcode"), lambda r, p: r.postcode or "", lambda r: r.postcode or ""
        ),
        Column(
            "capacity", N_("Families at once"), lambda r, p: str(r.capacity), lambda r: r.capacity
        ),
        Column(
            "travel",
            N_("Travels by"),
            lambda r, p: p.gettext(TRAVEL[r.travel_mode]),
            lambda r: r.travel_mode,
        ),
        Column(
            "distance",
            N_("Maximum travel distance (km)"),
            lambda r, p: p.number(r.travel_limit_km),
            lambda r: r.travel_limit_km,
        ),
        Column("slots", N_("Available half-days"), _slots, lambda r: len(r.slots)),
        Column(
            "status", N_("Status"), lambda r, p: p.gettext(STATUS[r.status]), lambda r: r.status
        ),
    ),
}
TITLES = {FAMILY_FORM.segment: N_("Waiting list"), VOLUNTEER_FORM.segment: N_("Volunteers")}
STALE = N_(
    "Someone else changed this record in the meantime. Your change was not saved: "
    "open the record again to see the new version."
)
EXISTS = N_("A record with this number exists already.")


def _pages(form: Form) -> None:
    """The table, the new-record form and the edit form of one kind, with their posts."""
    kind = KIND_OF[form.segment]
    base = f"/{form.segment}"

    @router.get(base, name=f"web_list_{form.segment}")
    def table(
        here: Reading,
        sort: Annotated[str, Query(alias="sorteer", max_length=20)] = "id",
        direction: Annotated[str, Query(alias="volgorde", pattern="^(op|af)$")] = "op",
        search: Annotated[str, Query(alias="zoek", max_length=64)] = "",
        status: Annotated[str, Query(max_length=20)] = "",
        saved: Annotated[str, Query(alias="opgeslagen", max_length=64)] = "",
    ) -> Response:
        columns = COLUMNS[form.segment]
        column = next((c for c in columns if c.key == sort), columns[0])
        needle = search.strip().lower()
        records: list[Any] = list(listed(here.store().load(), kind))
        rows = [
            r
            for r in records
            if (not needle or needle in r.id.lower() or needle in (r.postcode or "").lower())
            and (not status or r.status == status)
        ]
        rows.sort(key=column.order, reverse=direction == "af")
        response = here.page.render(
            "records_table.html" if _in_place(here.page) else "records.html",
            here=here,
            form=form,
            title=here.page.gettext(TITLES[form.segment]),
            columns=columns,
            rows=rows,
            sort=column.key,
            direction=direction,
            search=search,
            chosen_status=status,
            statuses=sorted({r.status for r in records}),
            status_names=STATUS,
            saved=saved,
        )
        response.headers["Vary"] = "HX-Request"
        return response

    @router.get(f"{base}/{NEW}", name=f"web_new_{form.segment}")
    def new(here: Reading) -> Response:
        return _form(here, form, None, shown(None, form), {}, None)

    @router.get(f"{base}/{{record_id}}", name=f"web_edit_{form.segment}")
    def edit(here: Reading, record_id: str) -> Response:
        record = find(here.store().load(), kind, (record_id,))
        if record is None:
            raise here.page.refuse(404)
        return _form(here, form, record_id, shown(record, form), {}, etag(record))

    @router.post(base, name=f"web_create_{form.segment}")
    async def create(here: Writing, request: Request) -> Response:
        values = posted_values(form, await request.form())
        return _save(here, form, None, values, None)

    @router.post(f"{base}/{{record_id}}", name=f"web_update_{form.segment}")
    async def update(here: Writing, request: Request, record_id: str) -> Response:
        posted = await request.form()
        values = posted_values(form, posted) | {"id": record_id}
        sent = posted.get("etag")
        return _save(here, form, record_id, values, sent if isinstance(sent, str) else "")


for _form_of_kind in FORMS.values():
    _pages(_form_of_kind)


def _in_place(page: Page) -> bool:
    """Whether htmx asks for the table alone, to swap it in place (not when it restores a page
    from history: that needs the whole page)."""
    headers = page.request.headers
    return (
        headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != "true"
    )


def _save(
    here: Here, form: Form, record_id: str | None, values: dict[str, str], sent: str | None
) -> Response:
    """Check and save a posted form; the form again with its problems when it cannot be."""
    kind = KIND_OF[form.segment]
    page = here.page
    before = None
    if record_id is not None:
        before = find(here.store().load(), kind, (record_id,))
        if before is None:
            raise page.refuse(404)
    record, errors = record_of(form, values, before, page.gettext)
    if record is None:
        return _form(here, form, record_id, values, errors, sent, 422)
    try:
        put_record(here.store(), kind, record, sent, here.user.actor, page.ctx.clock())
    except InputError as error:
        errors = problems_by_field(form, error.problems, page.gettext)
        return _form(here, form, record_id, values, errors, sent, 422)
    except ServiceError as error:
        if error.status == 412:
            return _form(here, form, record_id, values, {"": page.gettext(STALE)}, sent, 409)
        if error.status == 428:
            return _form(here, form, record_id, values, {"id": page.gettext(EXISTS)}, sent, 409)
        raise
    key = _record_key(record)
    return RedirectResponse(
        f"/web/locaties/{here.location_id}/{form.segment}?opgeslagen={key}", status_code=303
    )


def _record_key(record: BaseModel) -> str:
    return str(getattr(record, "id", ""))


def _form(
    here: Here,
    form: Form,
    record_id: str | None,
    values: dict[str, str],
    errors: dict[str, str],
    sent_etag: str | None,
    status: int = 200,
) -> Response:
    return here.page.render(
        "record_form.html",
        status,
        here=here,
        form=form,
        title=here.page.gettext(TITLES[form.segment]),
        record_id=record_id,
        values=values,
        errors=errors,
        etag=sent_etag or "",
    )
