"""Signed-in browsers: a random token in an HttpOnly cookie, of which only the SHA-256 is kept
in ``web_sessions`` with the session's form token (CSRF) and its expiry."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select

from matcher.db.jobs import write_transaction
from matcher.db.service_tables import UserRow, WebSessionRow
from matcher.web.accounts import User, user_of

COOKIE = "matcher_session"
LIFETIME = timedelta(hours=8)
"""A working day: after it the coordinator signs in again."""


@dataclass(frozen=True)
class Session:
    """A signed-in browser: who, and the token every form of this session carries."""

    user: User
    csrf_token: str
    token_hash: str

    def csrf_ok(self, sent: str | None) -> bool:
        """Whether a form's token is this session's (compared in constant time)."""
        return sent is not None and hmac.compare_digest(sent, self.csrf_token)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(engine: Engine, user: User, now: datetime) -> str:
    """A new session of ``user``; the token for the cookie (kept nowhere else)."""
    token = secrets.token_urlsafe(32)
    with write_transaction(engine) as connection:
        connection.execute(delete(WebSessionRow).where(WebSessionRow.expires <= now))
        connection.execute(
            insert(WebSessionRow).values(
                id=_hash(token),
                user_id=user.id,
                csrf_token=secrets.token_urlsafe(32),
                created=now,
                expires=now + LIFETIME,
            )
        )
    return token


def find_session(engine: Engine, token: str | None, now: datetime) -> Session | None:
    """The live session of a cookie's token (None when unknown, expired or its account is
    disabled)."""
    if not token:
        return None
    with engine.connect() as connection:
        found = connection.execute(
            select(
                WebSessionRow.csrf_token,
                WebSessionRow.expires,
                UserRow.id,
                UserRow.email,
                UserRow.role,
                UserRow.locations,
                UserRow.disabled,
                UserRow.must_change_password,
            )
            .join(UserRow, UserRow.id == WebSessionRow.user_id)
            .where(WebSessionRow.id == _hash(token))
        ).first()
    if found is None or found.expires <= now or found.disabled is not None:
        return None
    return Session(user_of(found), found.csrf_token, _hash(token))


def close_session(engine: Engine, session: Session) -> None:
    """Sign out: the session's row is deleted, its cookie no longer works."""
    with write_transaction(engine) as connection:
        connection.execute(delete(WebSessionRow).where(WebSessionRow.id == session.token_hash))
