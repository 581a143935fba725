"""The dated plan of accepted proposals, and calendar feeds a coordinator or volunteer
subscribes to.

A plan covers accepted proposals whose match still runs: their introductions are planned from
the round's date (or ``start``) and their weekly visits up to the review, as ``matcher plan``
does. The running matches of those proposals are left out of the round the plan is made over:
they are what is being planned, not visits that take the volunteer's time.

A calendar token is a secret in a feed's URL (``/v1/calendars/<token>.ics``), for one
coordinator or volunteer of one location; only its SHA-256 is stored, and it is shown once. The
feed needs no API key (calendar programs send none): the token is the credential, so an unknown
or revoked token gets 404. A feed holds that person's events only, by id.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from icalendar import Calendar
from pydantic import BaseModel
from sqlalchemy import Engine, insert, select, update

from matcher.db.audit import AuditEntry, append
from matcher.db.jobs import new_id
from matcher.db.service_tables import CalendarTokenRow, ProposalStatus
from matcher.db.store import DatabaseRoundStore
from matcher.io.problems import InputError, InputProblem
from matcher.result import Proposal
from matcher.schedule.ics import PRODUCT, calendars
from matcher.schedule.plan import Plan, plan_round
from matcher.service.rounds import proposals, result_of
from matcher.usecases.decisions import MAX_DAYS_FROM_TODAY, near_today

FEED_WEEKS = 4
"""Weeks of introductions a feed plans (as ``matcher plan``'s default)."""
REVIEW_WEEKS = 13
"""Weeks of visits up to the first review (as ``matcher plan``'s default)."""


class Subject(StrEnum):
    """Whose calendar a token opens."""

    COORDINATOR = "coordinator"
    VOLUNTEER = "volunteer"


class CalendarToken(BaseModel):
    """A token as listed: never its secret."""

    id: str
    subject: Subject
    subject_id: str
    created: datetime
    revoked: datetime | None = None


def accepted_plan(
    engine: Engine,
    store: DatabaseRoundStore,
    round_id: str | None = None,
    start: date | None = None,
    weeks: int = FEED_WEEKS,
    review_weeks: int = REVIEW_WEEKS,
) -> Plan:
    """The plan of the location's accepted proposals whose match still runs, a family's latest
    one (of one finished round when ``round_id`` is given: 404 when there is none such), from
    ``start`` (default: the round's date; 422 when more than a year from it)."""
    if round_id is not None:
        result_of(engine, store.location_id, round_id)  # 404 unless a finished round
    round_ = store.read().round
    first = round_.reference_date if start is None else start
    if not near_today(first, round_.reference_date):
        message = (
            f"is more than {MAX_DAYS_FROM_TODAY} days from the round's date "
            f"{round_.reference_date.isoformat()}"
        )
        raise InputError([InputProblem("plan", None, "start", message)])
    running = {(m.family_id, m.volunteer_id, m.slot) for m in round_.active_matches}
    latest = {p.family_id: p for p in _accepted(engine, store.location_id, round_id)}
    planned = [p for p in latest.values() if (p.family_id, p.volunteer_id, p.slot) in running]
    keys = {(p.family_id, p.volunteer_id, p.slot) for p in planned}
    others = tuple(
        m for m in round_.active_matches if (m.family_id, m.volunteer_id, m.slot) not in keys
    )
    return plan_round(
        round_.model_copy(update={"active_matches": others}), planned, first, weeks, review_weeks
    )


def create_token(
    store: DatabaseRoundStore, subject: Subject, subject_id: str, actor: str, now: datetime
) -> tuple[CalendarToken, str]:
    """A token for the calendar of one of the location's coordinators or volunteers, and its
    secret (shown this once); 422 naming the field when there is no such person."""
    round_ = store.load()
    people = round_.coordinators if subject is Subject.COORDINATOR else round_.volunteers
    if all(person.id != subject_id for person in people):
        raise InputError(
            [InputProblem("request body", None, "subject_id", f"no {subject.value} {subject_id!r}")]
        )
    token = CalendarToken(id=new_id(), subject=subject, subject_id=subject_id, created=now)
    secret = secrets.token_urlsafe(32)
    with store.engine.begin() as connection:
        connection.execute(
            insert(CalendarTokenRow).values(
                location_id=store.location_id,
                secret_hash=_hash(secret),
                **token.model_dump(exclude={"revoked"}),
            )
        )
        append(connection, store.location_id, _audit("create", token.id, actor, now, token))
    return token, secret


def list_tokens(engine: Engine, location_id: str) -> list[CalendarToken]:
    """The location's calendar tokens, oldest first, revoked ones included."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(CalendarTokenRow)
            .where(CalendarTokenRow.location_id == location_id)
            .order_by(CalendarTokenRow.created, CalendarTokenRow.id)
        ).all()
    return [_token(row) for row in rows]


def revoke_token(
    engine: Engine, location_id: str, token_id: str, actor: str, now: datetime
) -> bool:
    """Revoke one of the location's tokens at once; False when it has no such (live) token."""
    with engine.begin() as connection:
        row = connection.execute(
            select(CalendarTokenRow).where(
                CalendarTokenRow.id == token_id,
                CalendarTokenRow.location_id == location_id,
                CalendarTokenRow.revoked.is_(None),
            )
        ).first()
        if row is None:
            return False
        connection.execute(
            update(CalendarTokenRow).where(CalendarTokenRow.id == token_id).values(revoked=now)
        )
        append(connection, location_id, _audit("revoke", token_id, actor, now, _token(row)))
    return True


def feed(engine: Engine, secret: str, today: date) -> bytes | None:
    """The iCalendar feed a live token opens (None for an unknown or revoked token): the
    person's introductions and visits in the plan of their location's accepted proposals."""
    with engine.connect() as connection:
        row = connection.execute(
            select(CalendarTokenRow).where(
                CalendarTokenRow.secret_hash == _hash(secret),
                CalendarTokenRow.revoked.is_(None),
            )
        ).first()
    if row is None:
        return None
    plan = accepted_plan(engine, DatabaseRoundStore(engine, row.location_id, today))
    found = calendars(plan).get(f"{row.subject}-{row.subject_id}")
    return found if found is not None else _empty_calendar()


def _accepted(engine: Engine, location_id: str, round_id: str | None) -> list[Proposal]:
    """The accepted proposals as their rounds made them, oldest round first."""
    rows = proposals(engine, location_id, ProposalStatus.ACCEPTED, round_id)
    by_round: dict[str, dict[str, Proposal]] = {}
    found = []
    for row in rows:
        if row.job_id not in by_round:
            result = result_of(engine, location_id, row.job_id)
            by_round[row.job_id] = {p.family_id: p for p in result.proposals}
        proposal = by_round[row.job_id].get(row.family_id)
        if proposal is not None:  # the row holds the pair accepted (another one when chosen)
            found.append(
                proposal.model_copy(update={"volunteer_id": row.volunteer_id, "slot": row.slot})
            )
    return found


def _empty_calendar() -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    return bytes(calendar.to_ical())


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _token(row: Any) -> CalendarToken:
    return CalendarToken(
        id=row.id,
        subject=Subject(row.subject),
        subject_id=row.subject_id,
        created=row.created,
        revoked=row.revoked,
    )


def _audit(
    action: str, token_id: str, actor: str, now: datetime, token: CalendarToken
) -> AuditEntry:
    return AuditEntry(
        time=now,
        actor=actor,
        action=action,
        subject="calendar_token",
        subject_id=token_id,
        detail={f"{token.subject.value}_id": token.subject_id},
    )
