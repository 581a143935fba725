"""Starting a job on the caller's behalf: queued, and its start written to the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from matcher.db.audit import AuditEntry, append
from matcher.db.jobs import JobView, enqueue


def start_job(
    engine: Engine,
    location_id: str,
    kind: str,
    payload: Mapping[str, Any],
    actor: str,
    now: datetime,
    idempotency_key: str | None = None,
) -> tuple[JobView, bool]:
    """Queue a job of ``kind`` (the request's ``actor`` is kept in its payload); True when a new
    job was queued, which the audit log then records as started by ``actor``."""
    job, created = enqueue(
        engine, location_id, kind, {**payload, "requested_by": actor}, now, idempotency_key
    )
    if created:
        with engine.begin() as connection:
            append(
                connection,
                location_id,
                AuditEntry(time=now, actor=actor, action="start", subject=kind, subject_id=job.id),
            )
    return job, created
