"""Signed callbacks, on SQLite and on PostgreSQL: a finished job is announced to its location's
callback URL with a signature the receiver can check, retried with back-off until delivered or
given up, sent once even by two senders at once, and owed only where a URL is set."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, insert, select

from matcher.db import jobs
from matcher.db.jobs import JobStatus
from matcher.db.service_tables import CallbackRow
from matcher.db.tables import LocationRow
from matcher.service.callbacks import (
    DELIVERY_HEADER,
    MAX_ATTEMPTS,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    backoff,
    deliver_due,
    owe,
    sign,
    verify,
)
from matcher.service.outbound import PublicOnly, refusal
from matcher.service.worker import Outcome, run_worker, utc_now

pytest_plugins = ["db_engines"]

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SECRET = "whsec_test"
EVENT = {"type": "job.done", "job": {"id": "j1", "kind": "round"}}


class Receiver:
    """A callback receiver on localhost: records each POST and answers with the next of
    ``answers`` (200 once they run out)."""

    def __init__(self, answers: list[int] | None = None) -> None:
        self.answers = list(answers or [])
        self.posts: list[tuple[dict[str, str], bytes]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver._lock:
                    receiver.posts.append((dict(self.headers), body))
                    status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/matcher"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client() as http:
        yield http


def _location(engine: Engine, location_id: str, url: str | None, secret: str | None) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(LocationRow).values(
                id=location_id, name=location_id, callback_url=url, callback_secret=secret
            )
        )


def _owe(engine: Engine, location_id: str = "L1", event: dict[str, Any] = EVENT) -> bool:
    with engine.begin() as connection:
        return owe(connection, location_id, event, T0)


def _callbacks(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(select(CallbackRow).order_by(CallbackRow.id)).all())


def _status(engine: Engine, location_id: str, job_id: str) -> JobStatus | None:
    view = jobs.get(engine, location_id, job_id)
    return None if view is None else view.status


# -- signing -----------------------------------------------------------------------------------


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    body = b'{"event":{"type":"job.done"}}'
    # printf '1764061200.{"event":{"type":"job.done"}}' | openssl dgst -sha256 -hmac whsec_test
    expected = "b0e8a3aeac51c231677137b78eb99d50908728e15b7fab7762d744912669a6db"
    assert sign(SECRET, 1764061200, body) == expected
    now = datetime.fromtimestamp(1764061200, UTC)
    assert verify(SECRET, "1764061200", body, f"sha256={expected}", now)


def test_verify_refuses_a_changed_body_a_wrong_secret_and_an_old_or_bad_timestamp() -> None:
    body = b'{"a":1}'
    stamp = int(T0.timestamp())
    signature = f"sha256={sign(SECRET, stamp, body)}"
    assert verify(SECRET, stamp, body, signature, T0 + timedelta(minutes=5))
    assert not verify(SECRET, stamp, b'{"a":2}', signature, T0)
    assert not verify("another secret", stamp, body, signature, T0)
    assert not verify(SECRET, stamp, body, signature, T0 + timedelta(minutes=5, seconds=1))
    assert not verify(SECRET, stamp, body, signature, T0 - timedelta(minutes=6))
    assert not verify(SECRET, stamp + 1, body, signature, T0)  # the timestamp is signed too
    assert not verify(SECRET, "yesterday", body, signature, T0)
    assert not verify(SECRET, stamp, body, sign(SECRET, stamp, body), T0)  # no "sha256=" prefix


def test_back_off_doubles_from_five_seconds_up_to_an_hour() -> None:
    waits = [backoff(n).total_seconds() for n in range(1, 13)]
    assert waits == [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]
    assert backoff(1000) == timedelta(hours=1)
    with pytest.raises(ValueError, match="follows a failed attempt"):
        backoff(0)


# -- owing and delivering ----------------------------------------------------------------------


def test_a_callback_is_posted_signed_and_verifies(
    engine: Engine, receiver: Receiver, client: httpx.Client
) -> None:
    _location(engine, "L1", receiver.url, SECRET)
    assert _owe(engine)
    sent_at = T0 + timedelta(seconds=2)
    assert deliver_due(engine, client, sent_at) == 1
    [(headers, body)] = receiver.posts
    assert json.loads(body) == {"event": EVENT, "location": "L1", "time": T0.isoformat()}
    assert headers[TIMESTAMP_HEADER] == str(int(sent_at.timestamp()))
    assert verify(SECRET, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER], sent_at)
    assert headers["Content-Type"] == "application/json"
    [row] = _callbacks(engine)
    assert headers[DELIVERY_HEADER] == str(row.id)
    assert (row.status, row.attempts, row.last_error) == ("delivered", 1, None)
    assert deliver_due(engine, client, sent_at + timedelta(hours=1)) == 0  # sent once
    assert len(receiver.posts) == 1


def test_a_receiver_that_fails_twice_gets_it_the_third_time_after_the_back_off(
    engine: Engine, receiver: Receiver, client: httpx.Client
) -> None:
    receiver.answers = [500, 500]
    _location(engine, "L1", receiver.url, SECRET)
    _owe(engine)
    assert deliver_due(engine, client, T0) == 0  # attempt 1: 500, next after 5 s
    assert deliver_due(engine, client, T0 + timedelta(seconds=4)) == 0
    assert len(receiver.posts) == 1  # not due yet: nothing sent
    assert deliver_due(engine, client, T0 + timedelta(seconds=5)) == 0  # attempt 2: 500, 10 s
    [row] = _callbacks(engine)
    assert (row.status, row.attempts, row.last_error) == ("pending", 2, "HTTP 500")
    assert row.next_attempt == T0 + timedelta(seconds=15)
    assert deliver_due(engine, client, T0 + timedelta(seconds=14)) == 0
    assert len(receiver.posts) == 2
    assert deliver_due(engine, client, T0 + timedelta(seconds=15)) == 1  # attempt 3: 200
    assert len(receiver.posts) == 3
    assert len({body for _, body in receiver.posts}) == 1  # the same body each time
    [row] = _callbacks(engine)
    assert (row.status, row.attempts) == ("delivered", 3)


def test_a_callback_is_given_up_after_its_last_attempt(
    engine: Engine, receiver: Receiver, client: httpx.Client
) -> None:
    receiver.answers = [503] * (MAX_ATTEMPTS + 1)
    _location(engine, "L1", receiver.url, SECRET)
    _owe(engine)
    now = T0
    for _ in range(MAX_ATTEMPTS + 2):
        deliver_due(engine, client, now)
        now += timedelta(hours=1)
    [row] = _callbacks(engine)
    assert (row.status, row.attempts, row.last_error) == ("failed", MAX_ATTEMPTS, "HTTP 503")
    assert len(receiver.posts) == MAX_ATTEMPTS


def test_a_receiver_that_does_not_answer_is_tried_again(
    engine: Engine, client: httpx.Client
) -> None:
    closed = Receiver()
    closed.close()  # nothing listens on its port any more
    _location(engine, "L1", closed.url, SECRET)
    _owe(engine)
    assert deliver_due(engine, client, T0) == 0
    [row] = _callbacks(engine)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error.startswith("ConnectError")
    assert row.next_attempt == T0 + timedelta(seconds=5)


def test_a_location_without_a_callback_url_owes_nothing(
    engine: Engine, client: httpx.Client
) -> None:
    _location(engine, "L1", None, SECRET)
    assert not _owe(engine)
    assert _callbacks(engine) == []
    assert deliver_due(engine, client, T0) == 0


def test_a_location_without_a_secret_gets_no_unsigned_callback(
    engine: Engine, receiver: Receiver, client: httpx.Client
) -> None:
    _location(engine, "L1", receiver.url, None)
    assert _owe(engine)
    assert deliver_due(engine, client, T0) == 0
    assert receiver.posts == []
    [row] = _callbacks(engine)
    assert (row.status, row.last_error) == ("failed", "no callback secret")


def test_two_senders_at_once_send_each_callback_once(
    engine: Engine, receiver: Receiver, client: httpx.Client
) -> None:
    _location(engine, "L1", receiver.url, SECRET)
    for n in range(15):
        _owe(engine, event={"type": "job.done", "n": n})

    def send(_: int) -> int:
        return deliver_due(engine, client, T0)

    with ThreadPoolExecutor(2) as pool:
        delivered = sum(pool.map(send, range(4)))
    assert delivered == 15
    numbers = sorted(json.loads(body)["event"]["n"] for _, body in receiver.posts)
    assert numbers == list(range(15))
    assert {row.status for row in _callbacks(engine)} == {"delivered"}


# -- from the worker ---------------------------------------------------------------------------


def test_the_worker_announces_a_finished_job_to_the_location(
    engine: Engine, receiver: Receiver
) -> None:
    _location(engine, "L1", receiver.url, SECRET)
    _location(engine, "L2", None, None)

    def handler(*_: Any) -> Outcome:
        return Outcome({"matched": 1})

    done, _ = jobs.enqueue(engine, "L1", "round", {}, utc_now())
    quiet, _ = jobs.enqueue(engine, "L2", "round", {}, utc_now())
    stop = threading.Event()
    worker = threading.Thread(
        target=run_worker,
        args=(engine, {"round": handler}, "W", stop),
        kwargs={"poll_seconds": 0.02, "private_callbacks": True},
    )
    worker.start()
    deadline = time.monotonic() + 60
    while not (receiver.posts and _status(engine, "L2", quiet.id) == JobStatus.DONE):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    stop.set()
    worker.join(60)
    [(headers, body)] = receiver.posts
    sent_at = datetime.fromtimestamp(int(headers[TIMESTAMP_HEADER]), UTC)
    assert verify(SECRET, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER], sent_at)
    announced = json.loads(body)
    assert announced["event"] == {"type": "job.done", "job": {"id": done.id, "kind": "round"}}
    assert announced["location"] == "L1"
    assert [row.location_id for row in _callbacks(engine)] == ["L1"]


def test_a_worker_sends_nothing_to_a_private_address_unless_allowed(
    engine: Engine, receiver: Receiver
) -> None:
    _location(engine, "L1", receiver.url, SECRET)
    with engine.begin() as connection:
        owe(connection, "L1", {"type": "job.done"}, T0)
    with httpx.Client(transport=PublicOnly()) as client:
        assert deliver_due(engine, client, T0) == 0
    [row] = _callbacks(engine)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "not a public internet address" in row.last_error
    assert receiver.posts == []
    with httpx.Client(transport=PublicOnly(allow_private=True)) as client:
        assert deliver_due(engine, client, T0 + backoff(1)) == 1
    assert len(receiver.posts) == 1


@pytest.mark.parametrize(
    ("url", "allow_private", "refused"),
    [
        ("https://127.0.0.1/hook", False, "not a public internet address"),
        ("https://10.1.2.3/hook", False, "not a public internet address"),
        ("https://169.254.169.254/latest/meta-data", False, "not a public internet address"),
        ("https://[::1]/hook", False, "not a public internet address"),
        ("https://[fd00::1]/hook", False, "not a public internet address"),
        ("http://93.184.215.14/hook", False, "must use https"),
        ("https://no-such-host.invalid/hook", False, "does not resolve"),
        ("https://93.184.215.14/hook", False, None),
        ("http://127.0.0.1:8080/hook", True, None),
    ],
)
def test_which_callback_urls_are_refused(
    url: str, allow_private: bool, refused: str | None
) -> None:
    reason = refusal(url, allow_private)
    assert reason is None if refused is None else refused in (reason or "")
