"""The worker: takes queued jobs from the database one at a time and runs each with the handler
for its kind, then sends the callbacks that are due.

While a handler runs, a heartbeat thread renews the job's lease every third of it; a worker that
dies stops renewing and its job is taken up again by another worker once the lease has run out.
What a handler returns is stored in one transaction with the job marked done (``complete``), and
the location's callback is owed in that same transaction. A handler that raises fails its job
with the exception's message; the log names only the job and its kind (a message may quote a
family's data). Setting ``stop`` lets the current job finish, then the worker returns.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import FrameType, TracebackType
from typing import Any

import httpx
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError, StatementError

from matcher.db.engine import create_engine
from matcher.db.jobs import (
    Job,
    JobView,
    LeaseLost,
    Write,
    claim,
    complete,
    fail,
    renew,
    report_progress,
)
from matcher.service.callbacks import deliver_due, owe
from matcher.service.outbound import PublicOnly

logger = logging.getLogger(__name__)

ERROR_LENGTH = 2000
"""A failed job's message is cut to this many characters."""
PROGRESS_STEP = 0.01
"""Progress is written when it moved at least this much (or reached 1)."""


@dataclass(frozen=True)
class Outcome:
    """What a handler made: the job's summary, its files (name → media type, content) and the
    caller's own rows, written with the job marked done (``write`` must not commit)."""

    summary: dict[str, Any]
    artifacts: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    write: Write | None = None


class Progress:
    """Handed to a handler to report how far it is (``progress(0.5)``). Raises ``LeaseLost`` once
    the job is no longer this worker's, so a handler stops work nobody will keep."""

    def __init__(self, engine: Engine, job: Job, lost: threading.Event) -> None:
        self._engine = engine
        self._job = job
        self._lost = lost
        self._reported = 0.0

    @property
    def lost(self) -> bool:
        """Whether the job was lost (its lease ran out and another worker may have it)."""
        return self._lost.is_set()

    def __call__(self, fraction: float) -> None:
        """Record ``fraction`` (0..1) of the job as done."""
        if self._lost.is_set():
            raise LeaseLost(f"job {self._job.id} is no longer held by {self._job.worker}")
        if abs(fraction - self._reported) < PROGRESS_STEP and fraction != 1.0:
            return
        if not report_progress(self._engine, self._job.id, self._job.worker, fraction):
            self._lost.set()
            raise LeaseLost(f"job {self._job.id} is no longer held by {self._job.worker}")
        self._reported = fraction


Handler = Callable[[Engine, Job, Progress], Outcome]
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def run_worker(
    engine: Engine,
    handlers: Mapping[str, Handler],
    name: str,
    stop: threading.Event,
    poll_seconds: float = 0.5,
    lease: timedelta = timedelta(seconds=30),
    client: httpx.Client | None = None,
    clock: Clock = utc_now,
    private_callbacks: bool = False,
) -> None:
    """Run jobs as ``name`` (unique among running workers) until ``stop`` is set, then return
    after the current job. Between jobs, send due callbacks with ``client`` (if None, a new one
    that reaches only public addresses unless ``private_callbacks``). Waits ``poll_seconds`` when
    there is nothing to do."""
    if lease <= timedelta(0):
        raise ValueError(f"a lease must be positive (got {lease})")
    if poll_seconds < 0:
        raise ValueError(f"the poll interval cannot be negative (got {poll_seconds} s)")
    own_client = client is None
    sender = httpx.Client(transport=PublicOnly(private_callbacks)) if client is None else client
    logger.info("worker %s started (kinds: %s)", name, ", ".join(sorted(handlers)) or "none")
    try:
        while not stop.is_set():
            if not _step(engine, handlers, name, lease, sender, clock):
                stop.wait(poll_seconds)
    finally:
        if own_client:
            sender.close()
    logger.info("worker %s stopped", name)


def serve_worker(
    database_url: str,
    handlers: Mapping[str, Handler],
    name: str,
    poll_seconds: float = 0.5,
    lease: timedelta = timedelta(seconds=30),
    private_callbacks: bool = False,
) -> None:
    """Run a worker on the database at ``database_url`` until SIGTERM or SIGINT, which let the
    current job finish first; a second signal acts as if the worker had none installed (SIGINT
    interrupts, SIGTERM ends the process). Call it from the main thread (signals are caught
    there)."""
    engine = create_engine(database_url)
    stop = threading.Event()
    previous: dict[int, Any] = {}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()
        restore()

    for sig in (signal.SIGTERM, signal.SIGINT):
        previous[sig] = signal.signal(sig, on_signal)
    try:
        run_worker(
            engine,
            handlers,
            name,
            stop,
            poll_seconds=poll_seconds,
            lease=lease,
            private_callbacks=private_callbacks,
        )
    finally:
        restore()
        engine.dispose()


def _step(
    engine: Engine,
    handlers: Mapping[str, Handler],
    name: str,
    lease: timedelta,
    client: httpx.Client,
    clock: Clock,
) -> bool:
    """Run one job if one is queued, then send due callbacks; whether there was anything."""
    busy = False
    try:
        job = claim(engine, name, clock(), lease, announce=_announce)
    except SQLAlchemyError as error:
        logger.error("worker %s: no job taken, database error %s", name, type(error).__name__)
        job = None
    if job is not None:
        _run(engine, handlers, job, lease, clock)
        busy = True
    try:
        busy = deliver_due(engine, client, clock()) > 0 or busy
    except SQLAlchemyError as error:
        logger.error("worker %s: callbacks not sent, database error %s", name, type(error).__name__)
    return busy


def _run(
    engine: Engine, handlers: Mapping[str, Handler], job: Job, lease: timedelta, clock: Clock
) -> None:
    """Run ``job`` with its handler and store what it made, or fail it."""
    handler = handlers.get(job.kind)
    if handler is None:
        known = ", ".join(sorted(handlers)) or "none"
        _fail(engine, job, clock, f"no handler for jobs of kind {job.kind!r} (known: {known})")
        return
    lost = threading.Event()
    with _Heartbeat(engine, job, lease, clock, lost):
        try:
            outcome = handler(engine, job, Progress(engine, job, lost))
        except LeaseLost:
            logger.warning("job %s (%s) lost its lease while running", job.id, job.kind)
            return
        except Exception as error:
            logger.warning("job %s (%s) failed: %s", job.id, job.kind, type(error).__name__)
            _fail(engine, job, clock, _message(error))
            return
        try:
            complete(
                engine,
                job.id,
                job.worker,
                clock(),
                outcome.summary,
                outcome.artifacts,
                write=outcome.write,
                announce=_announce,
            )
        except LeaseLost:
            logger.warning("job %s (%s) lost its lease: its result was dropped", job.id, job.kind)
        except Exception as error:
            logger.warning(
                "job %s (%s) result not stored: %s", job.id, job.kind, type(error).__name__
            )
            _fail(engine, job, clock, f"its result could not be stored: {_message(error)}")


def _fail(engine: Engine, job: Job, clock: Clock, message: str) -> None:
    """Fail ``job``; if even that cannot be written, its lease runs out and it is tried again."""
    try:
        fail(engine, job.id, job.worker, clock(), message[:ERROR_LENGTH], announce=_announce)
    except LeaseLost:
        logger.warning("job %s (%s) lost its lease before it was failed", job.id, job.kind)
    except SQLAlchemyError as error:
        logger.error(
            "job %s (%s) not failed: database error %s", job.id, job.kind, type(error).__name__
        )


def _announce(connection: Connection, job: JobView) -> None:
    """Owe the location a callback for its finished job."""
    assert job.finished is not None  # a finished job has its time
    event = {"type": f"job.{job.status}", "job": {"id": job.id, "kind": job.kind}}
    owe(connection, job.location_id, event, job.finished)


def _message(error: Exception) -> str:
    """The exception as a job's error: a database error without its statement and values."""
    cause = error.orig if isinstance(error, StatementError) and error.orig else error
    text = str(cause).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class _Heartbeat:
    """Renews a job's lease every third of it until left; sets ``lost`` if renewal is refused."""

    def __init__(
        self, engine: Engine, job: Job, lease: timedelta, clock: Clock, lost: threading.Event
    ) -> None:
        self._engine = engine
        self._job = job
        self._lease = lease
        self._clock = clock
        self._lost = lost
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat {job.id}", daemon=True)

    def __enter__(self) -> None:
        self._thread.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._done.set()
        self._thread.join()

    def _beat(self) -> None:
        job = self._job
        while not self._done.wait(self._lease.total_seconds() / 3):
            try:
                held = renew(self._engine, job.id, job.worker, self._clock(), self._lease)
            except SQLAlchemyError as error:
                logger.error(
                    "job %s: lease not renewed, database error %s", job.id, type(error).__name__
                )
                continue
            if not held:
                logger.warning("job %s (%s) lost its lease", job.id, job.kind)
                self._lost.set()
                return
