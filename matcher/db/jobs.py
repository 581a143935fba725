"""The job queue in the database: rounds and simulations run off the request path.

A job is ``queued`` until a worker claims it; then ``running`` under a lease (``lease_until``) its
worker renews while it works; then ``done`` (its summary, its files and the caller's own rows
written in one transaction) or ``failed`` (with a message). A worker that dies stops renewing: once
the lease has run out the next ``claim`` puts the job back in the queue, or fails it when it has
had ``max_attempts`` tries. A worker holding a job is named by ``worker``, which must be unique
per running worker (e.g. host and process id).

Claiming takes the oldest queued job: ``SELECT … FOR UPDATE SKIP LOCKED LIMIT 1`` on PostgreSQL,
so workers never wait on each other; on SQLite the whole claim is one ``BEGIN IMMEDIATE``
transaction (the database's one write lock). Either way a job is handed to one worker at a time.

Every transaction that gives a job its final state (done or failed) can ``announce`` it: a
function called with the connection and the job as it now is, in that same transaction (the
service owes its callbacks there), so a finished job and its announcement are stored together.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, Engine, Row, insert, select, update
from sqlalchemy.exc import IntegrityError

from matcher.db.engine import BEGIN_MODE, BUSY_TIMEOUT_MS, is_configured
from matcher.db.service_tables import TOKEN_ID_LENGTH, ArtifactRow, JobRow
from matcher.db.tables import LocationRow

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 30.0
"""How long an SQLite transaction of the queue waits for another writer."""

KIND_LENGTH = 16
WORKER_LENGTH = 200
IDEMPOTENCY_KEY_LENGTH = 200
ARTIFACT_NAME_LENGTH = 100
MEDIA_TYPE_LENGTH = 100
DEFAULT_MAX_ATTEMPTS = 3

Write = Callable[[Connection], None]
"""Writes the caller's own rows inside the transaction that completes a job (never commits)."""

Announce = Callable[[Connection, "JobView"], None]
"""Called inside the transaction that gives a job its final state, with the job as it now is."""


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobView(BaseModel):
    """A job as its location sees it (no payload, no worker). ``attempts`` counts the times a
    worker took it; ``started`` is when the latest of them began."""

    model_config = ConfigDict(frozen=True)

    id: str
    location_id: str
    kind: str
    status: JobStatus
    progress: float
    attempts: int
    max_attempts: int
    summary: dict[str, Any] | None
    error: str | None
    created: datetime
    started: datetime | None
    finished: datetime | None


class Job(BaseModel):
    """A job a worker holds: what to run, and the lease it holds it by."""

    model_config = ConfigDict(frozen=True)

    id: str
    location_id: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    worker: str
    lease_until: datetime


class LeaseLost(Exception):
    """The worker no longer holds the job: its lease ran out and the job was queued again,
    taken by another worker, or finished. Nothing was written."""


def new_id() -> str:
    """A fresh public id: 32 URL-safe characters (192 random bits)."""
    return secrets.token_urlsafe(TOKEN_ID_LENGTH * 3 // 4)


def enqueue(
    engine: Engine,
    location_id: str,
    kind: str,
    payload: Mapping[str, Any],
    now: datetime,
    idempotency_key: str | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> tuple[JobView, bool]:
    """Queue a job of ``kind`` for the location; True when it is new. With an
    ``idempotency_key`` already used by the location, its job is returned as it is."""
    _check_text("job kind", kind, KIND_LENGTH)
    if idempotency_key is not None:
        _check_text("idempotency key", idempotency_key, IDEMPOTENCY_KEY_LENGTH)
        found = _by_key(engine, location_id, idempotency_key)
        if found is not None:
            return found, False
    if max_attempts < 1:
        raise ValueError(f"a job needs at least one attempt (got max_attempts={max_attempts})")
    job_id = new_id()
    try:
        with write_transaction(engine) as connection:
            here = select(LocationRow.id).where(LocationRow.id == location_id)
            if connection.scalar(here) is None:
                raise ValueError(f"no such location: {location_id!r}")
            connection.execute(
                insert(JobRow).values(
                    id=job_id,
                    location_id=location_id,
                    kind=kind,
                    status=JobStatus.QUEUED,
                    payload=dict(payload),
                    progress=0.0,
                    idempotency_key=idempotency_key,
                    attempts=0,
                    max_attempts=max_attempts,
                    created=now,
                )
            )
            view = _view(_row(connection, job_id))
    except IntegrityError:
        # The same key was used at the same moment by another request: its job wins.
        if idempotency_key is None:
            raise
        found = _by_key(engine, location_id, idempotency_key)
        if found is None:
            raise
        return found, False
    logger.info("job %s (%s) queued", job_id, kind)
    return view, True


def claim(
    engine: Engine,
    worker: str,
    now: datetime,
    lease: timedelta,
    announce: Announce | None = None,
) -> Job | None:
    """Take the oldest queued job for ``worker`` until ``now + lease`` (None: nothing queued).
    Jobs whose lease ran out first go back to the queue, or fail after their last attempt."""
    _check_text("worker name", worker, WORKER_LENGTH)
    if lease <= timedelta(0):
        raise ValueError(f"a lease must be positive (got {lease})")
    with write_transaction(engine) as connection:
        _expire(connection, now, announce)
        job_id = connection.scalar(
            select(JobRow.id)
            .where(JobRow.status == JobStatus.QUEUED)
            .order_by(JobRow.created, JobRow.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if job_id is None:
            return None
        connection.execute(
            update(JobRow)
            .where(JobRow.id == job_id)
            .values(
                status=JobStatus.RUNNING,
                worker=worker,
                lease_until=now + lease,
                attempts=JobRow.attempts + 1,
                started=now,
                progress=0.0,
                error=None,
            )
        )
        row = _row(connection, job_id)
    logger.info("job %s (%s) claimed by %s, attempt %d", row.id, row.kind, worker, row.attempts)
    return Job(
        id=row.id,
        location_id=row.location_id,
        kind=row.kind,
        payload=row.payload,
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        worker=worker,
        lease_until=row.lease_until,
    )


def renew(engine: Engine, job_id: str, worker: str, now: datetime, lease: timedelta) -> bool:
    """Extend the worker's lease to ``now + lease``; False when the worker lost the job."""
    with write_transaction(engine) as connection:
        changed = connection.execute(
            update(JobRow).where(*_held(job_id, worker)).values(lease_until=now + lease)
        ).rowcount
    return bool(changed == 1)


def report_progress(engine: Engine, job_id: str, worker: str, fraction: float) -> bool:
    """Record how far the job is (0..1); False when the worker lost the job."""
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"progress is a fraction from 0 to 1 (got {fraction})")
    with write_transaction(engine) as connection:
        changed = connection.execute(
            update(JobRow).where(*_held(job_id, worker)).values(progress=fraction)
        ).rowcount
    return bool(changed == 1)


def complete(
    engine: Engine,
    job_id: str,
    worker: str,
    now: datetime,
    summary: Mapping[str, Any],
    artifacts: Mapping[str, tuple[str, bytes]],
    write: Write | None = None,
    announce: Announce | None = None,
) -> JobView:
    """Finish the job in one transaction: its files (name → media type, content), the caller's
    rows (``write``), done. ``LeaseLost`` (nothing written) if the worker no longer holds it."""
    for name, (media_type, _) in artifacts.items():
        _check_text("artifact name", name, ARTIFACT_NAME_LENGTH)
        _check_text(f"media type of artifact {name!r}", media_type, MEDIA_TYPE_LENGTH)
    with write_transaction(engine) as connection:
        _hold(connection, job_id, worker)
        if artifacts:
            connection.execute(
                insert(ArtifactRow),
                [
                    {"job_id": job_id, "name": name, "media_type": media_type, "content": content}
                    for name, (media_type, content) in artifacts.items()
                ],
            )
        if write is not None:
            write(connection)
        view = _finish(connection, job_id, now, JobStatus.DONE, summary=dict(summary), progress=1.0)
        if announce is not None:
            announce(connection, view)
    logger.info("job %s (%s) done by %s", job_id, view.kind, worker)
    return view


def fail(
    engine: Engine,
    job_id: str,
    worker: str,
    now: datetime,
    message: str,
    announce: Announce | None = None,
) -> JobView:
    """Mark the job failed with ``message``; ``LeaseLost`` if the worker no longer holds it."""
    with write_transaction(engine) as connection:
        _hold(connection, job_id, worker)
        view = _finish(connection, job_id, now, JobStatus.FAILED, error=message)
        if announce is not None:
            announce(connection, view)
    logger.info("job %s (%s) failed", job_id, view.kind)
    return view


def get(engine: Engine, location_id: str, job_id: str) -> JobView | None:
    """The location's job ``job_id`` (None if there is none, or it is another location's)."""
    with engine.connect() as connection:
        row = connection.execute(
            select(JobRow).where(JobRow.id == job_id, JobRow.location_id == location_id)
        ).first()
    return None if row is None else _view(row)


def artifact(engine: Engine, location_id: str, job_id: str, name: str) -> tuple[str, bytes] | None:
    """The file ``name`` of the location's job: (media type, content), or None."""
    with engine.connect() as connection:
        row = connection.execute(
            select(ArtifactRow.media_type, ArtifactRow.content)
            .join(JobRow, JobRow.id == ArtifactRow.job_id)
            .where(
                ArtifactRow.job_id == job_id,
                ArtifactRow.name == name,
                JobRow.location_id == location_id,
            )
        ).first()
    return None if row is None else (row.media_type, bytes(row.content))


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction of the queue: on SQLite it holds the database's write lock from its
    start (waiting at most ``BUSY_TIMEOUT_S``). Leaving it without an error commits."""
    if not is_configured(engine):
        raise ValueError(
            "an SQLite engine for the job queue is made by matcher.db.engine.create_engine "
            "(or passed to matcher.db.engine.configure before its first connection)"
        )
    options: dict[str, Any] = {}
    if engine.dialect.name == "sqlite":
        options = {BEGIN_MODE: "IMMEDIATE", BUSY_TIMEOUT_MS: round(BUSY_TIMEOUT_S * 1000)}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        yield connection


# -- inside a transaction ---------------------------------------------------------------------


def _expire(connection: Connection, now: datetime, announce: Announce | None) -> None:
    """Queue again each running job whose lease ran out before ``now``; fail it if that was its
    last attempt."""
    expired = connection.execute(
        select(JobRow.id, JobRow.kind, JobRow.attempts, JobRow.max_attempts)
        .where(JobRow.status == JobStatus.RUNNING, JobRow.lease_until < now)
        .order_by(JobRow.created, JobRow.id)
        .with_for_update(skip_locked=True)
    ).all()
    for job in expired:
        if job.attempts >= job.max_attempts:
            message = (
                f"the worker running this job stopped responding (its lease ran out) on each of "
                f"{job.attempts} attempts; it is not tried again"
            )
            view = _finish(connection, job.id, now, JobStatus.FAILED, error=message)
            if announce is not None:
                announce(connection, view)
            logger.warning(
                "job %s (%s) failed: lease ran out on its last attempt", job.id, job.kind
            )
        else:
            connection.execute(
                update(JobRow)
                .where(JobRow.id == job.id)
                .values(status=JobStatus.QUEUED, worker=None, lease_until=None)
            )
            logger.warning(
                "job %s (%s) queued again: lease ran out on attempt %d",
                job.id,
                job.kind,
                job.attempts,
            )


def _held(job_id: str, worker: str) -> tuple[Any, ...]:
    return JobRow.id == job_id, JobRow.status == JobStatus.RUNNING, JobRow.worker == worker


def _hold(connection: Connection, job_id: str, worker: str) -> None:
    """Lock the job's row; ``LeaseLost`` unless ``worker`` is running it."""
    held = connection.scalar(select(JobRow.id).where(*_held(job_id, worker)).with_for_update())
    if held is None:
        raise LeaseLost(f"job {job_id} is no longer held by {worker}")


def _finish(
    connection: Connection, job_id: str, now: datetime, status: JobStatus, **values: Any
) -> JobView:
    connection.execute(
        update(JobRow)
        .where(JobRow.id == job_id)
        .values(status=status, finished=now, lease_until=None, **values)
    )
    return _view(_row(connection, job_id))


def _row(connection: Connection, job_id: str) -> Row[Any]:
    return connection.execute(select(JobRow).where(JobRow.id == job_id)).one()


def _by_key(engine: Engine, location_id: str, key: str) -> JobView | None:
    with engine.connect() as connection:
        row = connection.execute(
            select(JobRow).where(JobRow.location_id == location_id, JobRow.idempotency_key == key)
        ).first()
    return None if row is None else _view(row)


def _view(row: Row[Any]) -> JobView:
    return JobView(
        id=row.id,
        location_id=row.location_id,
        kind=row.kind,
        status=JobStatus(row.status),
        progress=row.progress,
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        summary=row.summary,
        error=row.error,
        created=row.created,
        started=row.started,
        finished=row.finished,
    )


def _check_text(what: str, value: str, length: int) -> None:
    if not value or len(value) > length:
        raise ValueError(f"a {what} is 1 to {length} characters (got {value!r})")
