"""The append-only audit log: every change a caller made, by whom, to which record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from matcher.db.service_tables import AuditRow
from matcher.domain.frozen import Frozen


class AuditEntry(Frozen):
    """One line: when, who (an API key or a user), what, and on which record (by id only)."""

    time: datetime
    actor: str
    action: str
    subject: str
    subject_id: str | None = None
    detail: dict[str, Any] | None = None


def append(connection: Connection, location_id: str, entry: AuditEntry) -> None:
    """Add ``entry`` to the location's log, inside the caller's transaction."""
    connection.execute(insert(AuditRow).values(location_id=location_id, **entry.model_dump()))


def entries(
    engine: Engine, location_id: str, after: int = 0, limit: int = 100
) -> list[tuple[int, AuditEntry]]:
    """The location's log after line ``after``, oldest first, at most ``limit`` lines."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(AuditRow)
            .where(AuditRow.location_id == location_id, AuditRow.id > after)
            .order_by(AuditRow.id)
            .limit(limit)
        ).all()
    return [(row.id, entry_of(row)) for row in rows]


def entry_of(row: Any) -> AuditEntry:
    """An audit log row as its entry."""
    return AuditEntry(
        time=row.time,
        actor=row.actor,
        action=row.action,
        subject=row.subject,
        subject_id=row.subject_id,
        detail=row.detail,
    )
