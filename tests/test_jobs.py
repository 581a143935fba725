"""The job queue in the database, on SQLite and on PostgreSQL: a job is claimed by one worker at a
time, finished with all its results or none, taken up again when its worker dies, and given up
after its last attempt; the worker loop runs handlers, survives their failures and stops cleanly.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from matcher.db import jobs
from matcher.db.jobs import Job, JobStatus, JobView, LeaseLost
from matcher.db.service_tables import ArtifactRow, JobRow
from matcher.db.tables import LocationRow
from matcher.service.worker import Outcome, Progress, run_worker, utc_now

pytest_plugins = ["db_engines"]

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
WAIT_S = 120.0

TEST_TABLES = sa.MetaData()
RUNS = sa.Table(  # one row each time a handler starts a job: how often each job ran
    "test_job_runs",
    TEST_TABLES,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("job_id", sa.String(32), nullable=False),
    sa.Column("worker", sa.String(200), nullable=False),
)
RESULTS = sa.Table(  # the caller's own rows, written with the job marked done
    "test_job_results",
    TEST_TABLES,
    sa.Column("job_id", sa.String(32), primary_key=True),
    sa.Column("worker", sa.String(200), nullable=False),
)


@pytest.fixture
def db(engine: Engine) -> Engine:
    """A migrated database with locations L1 and L2 and the test tables."""
    with engine.begin() as connection:
        connection.execute(insert(LocationRow), [{"id": i, "name": i} for i in ("L1", "L2")])
    TEST_TABLES.create_all(engine)
    return engine


def _record_result(job_id: str, worker: str) -> Callable[[Connection], None]:
    def write(connection: Connection) -> None:
        connection.execute(insert(RESULTS).values(job_id=job_id, worker=worker))

    return write


def _count(engine: Engine, table: Any, *where: Any) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table).where(*where)) or 0)


def _view(engine: Engine, job_id: str, location_id: str = "L1") -> JobView:
    view = jobs.get(engine, location_id, job_id)
    assert view is not None
    return view


def _claim(engine: Engine, worker: str, now: datetime, **options: Any) -> Job:
    job = jobs.claim(engine, worker, now, LEASE, **options)
    assert job is not None
    return job


# -- the queue ---------------------------------------------------------------------------------


def test_a_job_is_queued_claimed_and_done_with_its_files_and_rows(db: Engine) -> None:
    view, new = jobs.enqueue(db, "L1", "round", {"seed": 7}, T0)
    assert new
    assert (view.status, view.attempts, view.progress) == (JobStatus.QUEUED, 0, 0.0)
    assert 1 <= len(view.id) <= 32 and view.created == T0

    job = _claim(db, "A", T0 + timedelta(seconds=1))
    assert (job.id, job.kind, job.payload, job.attempts) == (view.id, "round", {"seed": 7}, 1)
    assert job.lease_until == T0 + timedelta(seconds=1) + LEASE
    running = _view(db, job.id)
    assert (running.status, running.started) == (JobStatus.RUNNING, T0 + timedelta(seconds=1))
    assert jobs.claim(db, "B", T0 + timedelta(seconds=2), LEASE) is None  # one worker at a time

    assert jobs.report_progress(db, job.id, "A", 0.25)
    assert _view(db, job.id).progress == 0.25
    files = {"result.json": ("application/json", b'{"ok": true}'), "r.txt": ("text/plain", b"")}
    done = jobs.complete(
        db,
        job.id,
        "A",
        T0 + timedelta(seconds=9),
        {"matched": 3},
        files,
        _record_result(job.id, "A"),
    )
    assert (done.status, done.summary, done.progress) == (JobStatus.DONE, {"matched": 3}, 1.0)
    assert done.finished == T0 + timedelta(seconds=9)
    assert _view(db, job.id) == done
    assert jobs.artifact(db, "L1", job.id, "result.json") == ("application/json", b'{"ok": true}')
    assert jobs.artifact(db, "L1", job.id, "r.txt") == ("text/plain", b"")
    assert jobs.artifact(db, "L1", job.id, "missing.csv") is None
    assert _count(db, RESULTS, RESULTS.c.job_id == job.id) == 1
    assert jobs.claim(db, "A", T0 + timedelta(seconds=10), LEASE) is None


def test_the_oldest_queued_job_is_claimed_first(db: Engine) -> None:
    ids = {}
    for offset in (2, 0, 1):
        view, _ = jobs.enqueue(db, "L1", "round", {}, T0 + timedelta(seconds=offset))
        ids[view.id] = offset
    claimed = [ids[_claim(db, "A", T0 + timedelta(minutes=1)).id] for _ in range(3)]
    assert claimed == [0, 1, 2]


def test_a_failed_job_keeps_its_message_and_cannot_be_completed(db: Engine) -> None:
    view, _ = jobs.enqueue(db, "L1", "simulation", {}, T0)
    _claim(db, "A", T0)
    failed = jobs.fail(db, view.id, "A", T0 + timedelta(seconds=5), "InputError: bad round")
    assert (failed.status, failed.error) == (JobStatus.FAILED, "InputError: bad round")
    assert failed.finished == T0 + timedelta(seconds=5)
    with pytest.raises(LeaseLost):
        jobs.complete(db, view.id, "A", T0, {}, {"x": ("text/plain", b"x")})
    with pytest.raises(LeaseLost):
        jobs.fail(db, view.id, "A", T0, "again")
    assert _view(db, view.id) == failed
    assert _count(db, ArtifactRow) == 0


def test_the_same_idempotency_key_returns_the_same_job(db: Engine) -> None:
    first, new = jobs.enqueue(db, "L1", "round", {"a": 1}, T0, idempotency_key="k-1")
    again, again_new = jobs.enqueue(db, "L1", "round", {"a": 2}, T0, idempotency_key="k-1")
    assert new and not again_new and again == first
    other, other_new = jobs.enqueue(db, "L2", "round", {}, T0, idempotency_key="k-1")
    assert other_new and other.id != first.id  # a key belongs to its location
    plain = {jobs.enqueue(db, "L1", "round", {}, T0)[0].id for _ in range(2)}
    assert len(plain) == 2  # without a key every request is a new job
    assert _count(db, JobRow) == 4


def test_one_idempotency_key_sent_at_once_from_many_threads_makes_one_job(db: Engine) -> None:
    def send(_: int) -> tuple[str, bool]:
        view, new = jobs.enqueue(db, "L1", "round", {}, T0, idempotency_key="twice")
        return view.id, new

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(8)))
    assert len({job_id for job_id, _ in answers}) == 1
    assert sorted(new for _, new in answers) == [False] * 7 + [True]
    assert _count(db, JobRow) == 1


def test_another_locations_job_and_files_are_invisible(db: Engine) -> None:
    view, _ = jobs.enqueue(db, "L1", "round", {}, T0)
    _claim(db, "A", T0)
    jobs.complete(db, view.id, "A", T0, {}, {"result.json": ("application/json", b"{}")})
    assert jobs.get(db, "L1", view.id) is not None
    assert jobs.get(db, "L2", view.id) is None
    assert jobs.artifact(db, "L2", view.id, "result.json") is None
    assert jobs.get(db, "L1", "no-such-job") is None


def test_a_lease_that_ran_out_is_taken_up_again_and_the_old_holder_writes_nothing(
    db: Engine,
) -> None:
    view, _ = jobs.enqueue(db, "L1", "round", {}, T0)
    first = _claim(db, "A", T0)
    assert jobs.claim(db, "B", T0 + LEASE, LEASE) is None  # the lease ends at T0 + 30 s: not yet
    second = _claim(db, "B", T0 + LEASE + timedelta(seconds=1))
    assert (second.id, second.attempts, second.worker) == (first.id, 2, "B")

    assert not jobs.renew(db, first.id, "A", T0 + timedelta(seconds=32), LEASE)
    assert not jobs.report_progress(db, first.id, "A", 0.5)
    with pytest.raises(LeaseLost):
        jobs.complete(
            db,
            first.id,
            "A",
            T0 + timedelta(seconds=33),
            {"by": "A"},
            {"result.json": ("application/json", b"A")},
            _record_result(first.id, "A"),
        )
    assert _count(db, ArtifactRow) == 0 and _count(db, RESULTS) == 0
    assert _view(db, view.id).status == JobStatus.RUNNING

    done = jobs.complete(
        db,
        second.id,
        "B",
        T0 + timedelta(seconds=40),
        {"by": "B"},
        {"result.json": ("application/json", b"B")},
        _record_result(second.id, "B"),
    )
    assert (done.status, done.attempts, done.summary) == (JobStatus.DONE, 2, {"by": "B"})
    assert jobs.artifact(db, "L1", view.id, "result.json") == ("application/json", b"B")
    with db.connect() as connection:
        assert connection.execute(select(RESULTS.c.worker)).scalars().all() == ["B"]


def test_a_renewed_lease_keeps_the_job(db: Engine) -> None:
    jobs.enqueue(db, "L1", "round", {}, T0)
    job = _claim(db, "A", T0)
    assert jobs.renew(db, job.id, "A", T0 + timedelta(seconds=20), LEASE)  # now until T0 + 50 s
    assert jobs.claim(db, "B", T0 + timedelta(seconds=45), LEASE) is None
    assert _claim(db, "B", T0 + timedelta(seconds=51)).attempts == 2


def test_after_its_last_attempt_a_job_whose_lease_ran_out_fails(db: Engine) -> None:
    view, _ = jobs.enqueue(db, "L1", "round", {}, T0, max_attempts=2)
    announced: list[JobView] = []

    def announce(_connection: Connection, job: JobView) -> None:
        announced.append(job)

    _claim(db, "A", T0)
    assert _claim(db, "B", T0 + timedelta(minutes=1), announce=announce).attempts == 2
    assert jobs.claim(db, "C", T0 + timedelta(minutes=2), LEASE, announce=announce) is None
    failed = _view(db, view.id)
    assert (failed.status, failed.attempts) == (JobStatus.FAILED, 2)
    assert failed.error is not None and "lease ran out" in failed.error
    assert failed.finished == T0 + timedelta(minutes=2)
    assert announced == [failed]


def test_a_write_that_fails_leaves_the_job_running_without_files(db: Engine) -> None:
    view, _ = jobs.enqueue(db, "L1", "round", {}, T0)
    _claim(db, "A", T0)

    def write(connection: Connection) -> None:
        connection.execute(insert(RESULTS).values(job_id=view.id, worker="A"))
        connection.execute(insert(RESULTS).values(job_id=view.id, worker="A"))  # same key

    with pytest.raises(IntegrityError):
        jobs.complete(db, view.id, "A", T0, {}, {"result.json": ("application/json", b"{}")}, write)
    assert _view(db, view.id).status == JobStatus.RUNNING
    assert _count(db, ArtifactRow) == 0 and _count(db, RESULTS) == 0


def test_bad_arguments_are_refused_with_a_clear_message(db: Engine) -> None:
    with pytest.raises(ValueError, match="no such location: 'L9'"):
        jobs.enqueue(db, "L9", "round", {}, T0)
    with pytest.raises(ValueError, match="job kind is 1 to 16 characters"):
        jobs.enqueue(db, "L1", "r" * 17, {}, T0)
    with pytest.raises(ValueError, match="idempotency key is 1 to 200 characters"):
        jobs.enqueue(db, "L1", "round", {}, T0, idempotency_key="")
    with pytest.raises(ValueError, match="at least one attempt"):
        jobs.enqueue(db, "L1", "round", {}, T0, max_attempts=0)
    with pytest.raises(ValueError, match="lease must be positive"):
        jobs.claim(db, "A", T0, timedelta(0))
    with pytest.raises(ValueError, match="worker name is 1 to 200 characters"):
        jobs.claim(db, "", T0, LEASE)
    view, _ = jobs.enqueue(db, "L1", "round", {}, T0)
    _claim(db, "A", T0)
    with pytest.raises(ValueError, match="fraction from 0 to 1"):
        jobs.report_progress(db, view.id, "A", 1.5)
    with pytest.raises(ValueError, match="artifact name is 1 to 100 characters"):
        jobs.complete(db, view.id, "A", T0, {}, {"x" * 101: ("text/plain", b"")})
    assert _count(db, JobRow) == 1


def test_an_sqlite_engine_not_made_for_the_queue_is_refused(tmp_path: Any) -> None:
    plain = sa.create_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    with pytest.raises(ValueError, match=r"matcher\.db\.engine\.create_engine"):
        jobs.claim(plain, "A", T0, LEASE)


# -- the worker loop, in this process ----------------------------------------------------------


def _ok(engine: Engine, job: Job, progress: Progress) -> Outcome:
    progress(0.5)
    return Outcome(
        {"kind": job.kind},
        {"result.json": ("application/json", job.id.encode())},
        _record_result(job.id, job.worker),
    )


@contextmanager
def _worker(
    engine: Engine, handlers: dict[str, Any], name: str = "W", lease: timedelta = LEASE
) -> Iterator[threading.Event]:
    """A worker running in a thread until the block is left (then it stops and is joined)."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker,
        args=(engine, handlers, name, stop),
        kwargs={"poll_seconds": 0.02, "lease": lease},
    )
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(WAIT_S)
        assert not thread.is_alive()


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _finished(engine: Engine, *ids: str) -> bool:
    return all(_view(engine, i).status in (JobStatus.DONE, JobStatus.FAILED) for i in ids)


def test_a_failing_handler_fails_its_job_and_the_worker_goes_on(
    db: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(engine: Engine, job: Job, progress: Progress) -> Outcome:
        raise ValueError("family Jansen, Dorpsstraat 1, has no volunteer")

    caplog.set_level(logging.DEBUG)
    start = utc_now() - timedelta(minutes=1)
    ids = [
        jobs.enqueue(db, "L1", kind, {}, start + timedelta(seconds=i))[0].id
        for i, kind in enumerate(("boom", "mystery", "round"))
    ]
    with _worker(db, {"boom": boom, "round": _ok}):
        _wait_for(lambda: _finished(db, *ids))
    boomed, mystery, fine = (_view(db, i) for i in ids)
    assert boomed.status == JobStatus.FAILED
    assert boomed.error == "ValueError: family Jansen, Dorpsstraat 1, has no volunteer"
    assert mystery.status == JobStatus.FAILED
    assert mystery.error == "no handler for jobs of kind 'mystery' (known: boom, round)"
    assert (fine.status, fine.summary) == (JobStatus.DONE, {"kind": "round"})
    assert jobs.artifact(db, "L1", fine.id, "result.json") == ("application/json", fine.id.encode())
    assert ids[0] in caplog.text and "ValueError" in caplog.text
    assert "Jansen" not in caplog.text and "Dorpsstraat" not in caplog.text


def test_the_heartbeat_keeps_a_long_job_from_being_taken(db: Engine) -> None:
    lease = timedelta(seconds=1.5)  # renewed every 0.5 s
    taken: list[Job | None] = []

    def slow(engine: Engine, job: Job, progress: Progress) -> Outcome:
        for _ in range(4):  # 3.2 s: twice the lease
            time.sleep(0.8)
            taken.append(jobs.claim(engine, "thief", utc_now(), lease))
        return _ok(engine, job, progress)

    view, _ = jobs.enqueue(db, "L1", "slow", {}, utc_now())
    with _worker(db, {"slow": slow}, lease=lease):
        _wait_for(lambda: _finished(db, view.id))
    done = _view(db, view.id)
    assert (done.status, done.attempts, taken) == (JobStatus.DONE, 1, [None] * 4)


def test_a_job_taken_by_another_worker_meanwhile_stores_nothing(db: Engine) -> None:
    def robbed(engine: Engine, job: Job, progress: Progress) -> Outcome:
        _claim(engine, "thief", utc_now() + timedelta(hours=1))  # the lease ran out meanwhile
        return _ok(engine, job, progress)

    view, _ = jobs.enqueue(db, "L1", "robbed", {}, utc_now())
    with _worker(db, {"robbed": robbed}):
        _wait_for(lambda: _view(db, view.id).attempts == 2)
    # leaving the block waited for the worker's complete, which was refused
    stolen = _view(db, view.id)
    assert (stolen.status, stolen.attempts) == (JobStatus.RUNNING, 2)
    assert _count(db, ArtifactRow) == 0 and _count(db, RESULTS) == 0


def test_a_result_that_cannot_be_stored_fails_the_job(db: Engine) -> None:
    def clash(engine: Engine, job: Job, progress: Progress) -> Outcome:
        def write(connection: Connection) -> None:
            connection.execute(text("INSERT INTO no_such_table VALUES (:v)"), {"v": "Jansen"})

        return Outcome({}, {"result.json": ("application/json", b"{}")}, write)

    view, _ = jobs.enqueue(db, "L1", "clash", {}, utc_now())
    with _worker(db, {"clash": clash}):
        _wait_for(lambda: _finished(db, view.id))
    failed = _view(db, view.id)
    assert failed.status == JobStatus.FAILED
    assert failed.error is not None and failed.error.startswith("its result could not be stored")
    assert "no_such_table" in failed.error and "Jansen" not in failed.error  # no values
    assert _count(db, ArtifactRow) == 0


def test_stopping_lets_the_current_job_finish_and_takes_no_other(db: Engine) -> None:
    started, release = threading.Event(), threading.Event()

    def waits(engine: Engine, job: Job, progress: Progress) -> Outcome:
        started.set()
        assert release.wait(WAIT_S)
        return _ok(engine, job, progress)

    first, _ = jobs.enqueue(db, "L1", "waits", {}, utc_now())
    with _worker(db, {"waits": waits}) as stop:
        assert started.wait(WAIT_S)
        second, _ = jobs.enqueue(db, "L1", "waits", {}, utc_now())
        stop.set()
        release.set()
    assert _view(db, first.id).status == JobStatus.DONE
    assert _view(db, second.id).status == JobStatus.QUEUED


# -- worker processes --------------------------------------------------------------------------

_WORKER_PROCESS = """
import sys, time
from datetime import timedelta
import sqlalchemy as sa
from matcher.service.worker import Outcome, serve_worker

url, name, lease, pause = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
runs = sa.table("test_job_runs", sa.column("job_id"), sa.column("worker"))
results = sa.table("test_job_results", sa.column("job_id"), sa.column("worker"))

def handler(engine, job, progress):
    with engine.begin() as connection:
        connection.execute(sa.insert(runs).values(job_id=job.id, worker=name))
    time.sleep(pause)
    progress(0.5)
    def write(connection):
        connection.execute(sa.insert(results).values(job_id=job.id, worker=name))
    return Outcome({"worker": name}, {"out.txt": ("text/plain", job.id.encode())}, write)

print("ready", flush=True)
serve_worker(url, {"test": handler}, name, poll_seconds=0.02, lease=timedelta(seconds=lease))
"""


def _url(engine: Engine) -> str:
    """The engine's database as a URL another process can open (with its PostgreSQL schema)."""
    url = engine.url
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            schema = str(connection.scalar(text("SELECT current_schema()")))
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def _start_worker(
    engine: Engine, name: str, lease_s: float, pause_s: float
) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-c",
        _WORKER_PROCESS,
        _url(engine),
        name,
        str(lease_s),
        str(pause_s),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline() == "ready\n"
    return process


def _stop(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(WAIT_S)
    finally:
        process.kill()
    return process.returncode


def test_two_worker_processes_run_each_job_exactly_once(db: Engine) -> None:
    workers = [_start_worker(db, name, 30.0, 0.05) for name in ("P1", "P2")]
    try:
        ids = [jobs.enqueue(db, "L1", "test", {"n": n}, utc_now())[0].id for n in range(40)]
        _wait_for(lambda: _count(db, JobRow, JobRow.status == JobStatus.DONE) == 40)
    finally:
        codes = [_stop(process) for process in workers]
    assert codes == [0, 0]  # SIGTERM: a clean stop
    with db.connect() as connection:
        runs = connection.execute(select(RUNS.c.job_id, RUNS.c.worker)).all()
        results = connection.execute(select(RESULTS.c.job_id)).scalars().all()
    assert sorted(job_id for job_id, _ in runs) == sorted(ids)  # each ran exactly once
    assert sorted(results) == sorted(ids)
    assert {worker for _, worker in runs} == {"P1", "P2"}  # both took part
    assert all(_view(db, i).attempts == 1 for i in ids)
    assert all(jobs.artifact(db, "L1", i, "out.txt") == ("text/plain", i.encode()) for i in ids)


def test_a_worker_killed_mid_job_leaves_nothing_and_another_finishes_it(db: Engine) -> None:
    doomed = _start_worker(db, "doomed", 1.0, 600.0)
    try:
        view, _ = jobs.enqueue(db, "L1", "test", {}, utc_now())
        _wait_for(lambda: _count(db, RUNS) == 1)  # the handler is running
        first_lease = _view(db, view.id)
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(WAIT_S)
    finally:
        doomed.kill()
    assert first_lease.status == JobStatus.RUNNING
    assert _count(db, ArtifactRow) == 0 and _count(db, RESULTS) == 0

    with _worker(db, {"test": _ok}, name="survivor"):
        _wait_for(lambda: _finished(db, view.id))  # after the 1 s lease ran out
    done = _view(db, view.id)
    assert (done.status, done.attempts) == (JobStatus.DONE, 2)
    assert jobs.artifact(db, "L1", view.id, "result.json") == ("application/json", view.id.encode())
    with db.connect() as connection:
        assert connection.execute(select(RESULTS.c.worker)).scalars().all() == ["survivor"]


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # signals: one database is enough
def test_sigterm_lets_the_running_job_finish_and_a_second_one_ends_the_process(
    db: Engine,
) -> None:
    finishing = _start_worker(db, "finishing", 30.0, 1.0)
    try:
        first, _ = jobs.enqueue(db, "L1", "test", {}, utc_now())
        _wait_for(lambda: _count(db, RUNS) == 1)
        second, _ = jobs.enqueue(db, "L1", "test", {}, utc_now())
        finishing.send_signal(signal.SIGTERM)
        assert finishing.wait(WAIT_S) == 0
    finally:
        finishing.kill()
    assert _view(db, first.id).status == JobStatus.DONE
    assert _view(db, second.id).status == JobStatus.QUEUED  # taken by no one after the signal

    stubborn = _start_worker(db, "stubborn", 30.0, 600.0)
    try:
        _wait_for(lambda: _count(db, RUNS) == 2)
        stubborn.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert stubborn.poll() is None  # still finishing its job
        stubborn.send_signal(signal.SIGTERM)
        assert stubborn.wait(WAIT_S) == -signal.SIGTERM
    finally:
        stubborn.kill()
    assert _view(db, second.id).status == JobStatus.RUNNING  # its lease will run out
