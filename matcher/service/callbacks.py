"""Signed callbacks: a POST to a location's callback URL when one of its jobs is finished.

What a receiver gets: a ``POST`` with a JSON body ``{"event": {...}, "location": "<id>",
"time": "<ISO 8601>"}`` and three headers:

- ``Matcher-Timestamp``: when it was sent, in whole seconds since 1970-01-01 UTC;
- ``Matcher-Signature``: ``sha256=<hex>``, the HMAC-SHA256 keyed with the location's callback
  secret (UTF-8) over the timestamp, a full stop and the body exactly as received:
  ``f"{timestamp}.".encode() + body``;
- ``Matcher-Delivery``: the callback's number, the same on every retry (to drop repeats).

A receiver checks the signature against the raw body before parsing it, compares in constant
time, and refuses a timestamp far from its own clock (a replay); ``verify`` does all three::

    from matcher.service.callbacks import verify
    ok = verify(secret, request.headers["Matcher-Timestamp"], raw_body,
                request.headers["Matcher-Signature"], datetime.now(UTC))

Any 2xx answer is a delivery. Anything else, or no answer within ``TIMEOUT_S``, is tried again
after ``backoff(attempts)`` (5 s doubling each time, at most an hour) until ``MAX_ATTEMPTS``;
then the callback is given up. A callback may come more than once; never out of nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, insert, select, update

from matcher.db.jobs import write_transaction
from matcher.db.service_tables import CallbackRow
from matcher.db.tables import LocationRow

logger = logging.getLogger(__name__)

TIMESTAMP_HEADER = "Matcher-Timestamp"
SIGNATURE_HEADER = "Matcher-Signature"
DELIVERY_HEADER = "Matcher-Delivery"

TIMEOUT_S = 5.0
"""How long a receiver has to answer one POST."""
FIRST_RETRY = timedelta(seconds=5)
LONGEST_RETRY = timedelta(hours=1)
MAX_ATTEMPTS = 12
"""Attempts before a callback is given up: about 2.4 hours of retries."""
TOLERANCE = timedelta(minutes=5)
"""How far a signed timestamp may be from the receiver's clock."""
BATCH = 10
"""Callbacks sent by one ``deliver_due``."""
SENDING = timedelta(seconds=4 * BATCH * TIMEOUT_S)
"""A callback taken for sending is not due again for this long: twice what a whole batch may take
(a connect and a read timeout per callback), so only a sender that died leaves one to retry."""

_ERROR_LENGTH = 500


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``f"{timestamp}.".encode() + body`` keyed with ``secret``."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    secret: str,
    timestamp: str | int,
    body: bytes,
    signature: str,
    now: datetime,
    tolerance: timedelta = TOLERANCE,
) -> bool:
    """Whether ``signature`` (the ``Matcher-Signature`` header) signs ``body`` sent at
    ``timestamp`` (the ``Matcher-Timestamp`` header) with ``secret``, at most ``tolerance``
    from ``now``."""
    try:
        seconds = int(timestamp)
    except ValueError:
        return False
    if abs(now.timestamp() - seconds) > tolerance.total_seconds():
        return False
    expected = f"sha256={sign(secret, seconds, body)}"
    return hmac.compare_digest(expected.encode(), signature.strip().encode())


def backoff(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed attempts: 5 s, 10 s, 20 s, … at most an hour."""
    if attempts < 1:
        raise ValueError(f"back-off follows a failed attempt (got attempts={attempts})")
    return min(FIRST_RETRY * (1 << min(attempts - 1, 20)), LONGEST_RETRY)


def owe(connection: Connection, location_id: str, event: Mapping[str, Any], now: datetime) -> bool:
    """Owe the location a callback announcing ``event`` if it has a callback URL (True then).
    Call it inside the transaction that makes the event happen."""
    url = connection.scalar(select(LocationRow.callback_url).where(LocationRow.id == location_id))
    if not url:
        return False
    body = {"event": dict(event), "location": location_id, "time": now.astimezone(UTC).isoformat()}
    connection.execute(
        insert(CallbackRow).values(
            location_id=location_id,
            url=url,
            body=json.dumps(body, separators=(",", ":")).encode(),
            status="pending",
            attempts=0,
            next_attempt=now,
        )
    )
    return True


def deliver_due(engine: Engine, client: httpx.Client, now: datetime) -> int:
    """POST the callbacks due at ``now`` (up to ``BATCH``); the number delivered. Each is taken
    first (``SKIP LOCKED`` on PostgreSQL), so two workers never send one at the same time."""
    taken_until = now + SENDING
    delivered = 0
    for callback_id, url, body, attempts, secret in _take_due(engine, now, taken_until):
        if not secret:
            _record(engine, callback_id, taken_until, "failed", attempts, now, "no callback secret")
            logger.warning("callback %d not sent: its location has no callback secret", callback_id)
            continue
        error = _post(client, callback_id, url, body, secret, now)
        if error is None:
            _record(engine, callback_id, taken_until, "delivered", attempts + 1, now, None)
            delivered += 1
            continue
        tried = attempts + 1
        status = "failed" if tried >= MAX_ATTEMPTS else "pending"
        _record(engine, callback_id, taken_until, status, tried, now + backoff(tried), error)
        reason = error.partition(":")[0]  # the status or the exception's name: no address
        logger.info("callback %d attempt %d not delivered: %s", callback_id, tried, reason)
    return delivered


def _post(
    client: httpx.Client, callback_id: int, url: str, body: bytes, secret: str, now: datetime
) -> str | None:
    """Send one callback; None when delivered, else why not (without the body)."""
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: f"sha256={sign(secret, timestamp, body)}",
        DELIVERY_HEADER: str(callback_id),
    }
    try:
        response = client.post(url, content=body, headers=headers, timeout=TIMEOUT_S)
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        return f"{type(error).__name__}: {error}"[:_ERROR_LENGTH]
    if response.is_success:
        return None
    return f"HTTP {response.status_code}"


def _take_due(
    engine: Engine, now: datetime, taken_until: datetime
) -> list[tuple[int, str, bytes, int, str | None]]:
    """The due callbacks, made not due until ``taken_until`` (their sender's claim)."""
    with write_transaction(engine) as connection:
        rows = connection.execute(
            select(
                CallbackRow.id,
                CallbackRow.url,
                CallbackRow.body,
                CallbackRow.attempts,
                LocationRow.callback_secret,
            )
            .join(LocationRow, LocationRow.id == CallbackRow.location_id)
            .where(CallbackRow.status == "pending", CallbackRow.next_attempt <= now)
            .order_by(CallbackRow.next_attempt, CallbackRow.id)
            .limit(BATCH)
            .with_for_update(of=CallbackRow, skip_locked=True)
        ).all()
        if rows:
            connection.execute(
                update(CallbackRow)
                .where(CallbackRow.id.in_([row.id for row in rows]))
                .values(next_attempt=taken_until)
            )
    return [(r.id, r.url, bytes(r.body), r.attempts, r.callback_secret) for r in rows]


def _record(
    engine: Engine,
    callback_id: int,
    taken_until: datetime,
    status: str,
    attempts: int,
    next_attempt: datetime,
    error: str | None,
) -> None:
    """Store an attempt's outcome, unless the callback was taken again meanwhile."""
    with write_transaction(engine) as connection:
        connection.execute(
            update(CallbackRow)
            .where(CallbackRow.id == callback_id, CallbackRow.next_attempt == taken_until)
            .values(status=status, attempts=attempts, next_attempt=next_attempt, last_error=error)
        )
