"""The location's log (logboek): every change and decision, newest first, a page at a time,
the actions and reasons in the reader's language and people by their ids only."""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from matcher.db.audit import AuditEntry, entry_of
from matcher.db.service_tables import AuditRow
from matcher.lifecycle.decisions import EndReason
from matcher.web.guard import Here, Reading
from matcher.web.i18n import N_, long_day
from matcher.web.pages import Page, PageRoute
from matcher.web.routes.rounds import END_REASONS

router = APIRouter(
    prefix="/web/locaties/{location}", route_class=PageRoute, include_in_schema=False
)

PAGE_SIZE = 50
LOCAL_TIME = ZoneInfo("Europe/Amsterdam")
MAX_LINE_ID = 2**31 - 1
ACTIONS = {
    "accept": N_("proposal accepted"),
    "decline": N_("proposal declined"),
    "end": N_("match ended"),
    "create": N_("added"),
    "update": N_("changed"),
    "delete": N_("removed"),
    "import": N_("imported"),
    "erase": N_("personal data erased"),
    "start": N_("started"),
    "revoke": N_("revoked"),
}
SUBJECTS = {
    "family": N_("family"),
    "volunteer": N_("volunteer"),
    "coordinator": N_("coordinator"),
    "round": N_("round"),
    "simulation": N_("what-if"),
    "calendar_token": N_("calendar link"),
}
DETAILS = {
    "volunteer_id": N_("volunteer %(value)s"),
    "coordinator_id": N_("coordinator %(value)s"),
    "families": N_("%(value)s families"),
    "volunteers": N_("%(value)s volunteers"),
}

DETAIL_ORDER = ("volunteer_id", "coordinator_id", "slot", "reason", "families", "volunteers")
"""The order details are told in (PostgreSQL's JSONB keeps no order of its own)."""


@router.get("/logboek")
def audit_log(
    here: Reading,
    before: Annotated[int, Query(alias="voor", ge=1, le=MAX_LINE_ID)] = MAX_LINE_ID,
) -> Response:
    """A page of the log: the lines before line ``voor``, newest first."""
    lines = newest_lines(here, before, PAGE_SIZE + 1)
    shown = lines[:PAGE_SIZE]
    page = here.page
    return page.render(
        "audit.html",
        here=here,
        lines=[(moment(page, entry), entry, described(page, entry)) for _, entry in shown],
        actions=ACTIONS,
        subjects=SUBJECTS,
        older=shown[-1][0] if len(lines) > PAGE_SIZE else None,
        first_page=before == MAX_LINE_ID,
    )


def newest_lines(here: Here, before: int, limit: int) -> list[tuple[int, AuditEntry]]:
    """The location's log lines numbered below ``before``, newest first."""
    with here.page.ctx.engine.connect() as connection:
        rows = connection.execute(
            select(AuditRow)
            .where(AuditRow.location_id == here.location_id, AuditRow.id < before)
            .order_by(AuditRow.id.desc())
            .limit(limit)
        ).all()
    return [(row.id, entry_of(row)) for row in rows]


def described(page: Page, entry: AuditEntry) -> list[str]:
    """The line's details for people: a volunteer's id, the half-day, the reason, counts."""
    detail: dict[str, Any] = entry.detail or {}
    said = []
    for key in DETAIL_ORDER:
        value = detail.get(key)
        if value is None:
            continue
        if key == "slot":
            said.append(_slot(page, str(value)))
        elif key == "reason" and value in EndReason.__members__.values():
            said.append(page.gettext(END_REASONS[EndReason(value)]))
        elif key in DETAILS:
            said.append(page.gettext(DETAILS[key]) % {"value": value})
    return said


def moment(page: Page, entry: AuditEntry) -> str:
    """When the line was written, in Dutch time: "24 november 2026 10:30"."""
    local = entry.time.astimezone(LOCAL_TIME)
    return f"{long_day(local.date(), page.language)} {local:%H:%M}"


def _slot(page: Page, slot: str) -> str:
    try:
        return page.slot(slot)
    except KeyError:
        return slot
