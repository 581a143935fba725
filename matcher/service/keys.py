"""API keys: ``mk_<id>_<secret>``, shown once at creation; only an argon2 hash of the secret is
stored. A key belongs to one location and has scopes (read ⊂ write ⊂ admin); a service key
belongs to none and may only create locations and their first keys.

Argon2 is slow on purpose, so a key verified once is remembered by the SHA-256 of the whole key
in this process; the key's row is still read on every request, so a revoked key stops at once.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, insert, select, update

from matcher.db.service_tables import ApiKeyRow

PREFIX = "mk"
_HASHER = PasswordHasher()


class Scope(StrEnum):
    """What a key may do; each scope includes the ones before it."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"
    SERVICE = "service"


_RANK = {Scope.READ: 1, Scope.WRITE: 2, Scope.ADMIN: 3}


@dataclass(frozen=True)
class Caller:
    """Who is calling: the key's id (the actor in the audit log), its location and scope."""

    key_id: str
    location_id: str | None
    scope: Scope

    @property
    def actor(self) -> str:
        return f"key:{self.key_id}"

    def may(self, needed: Scope) -> bool:
        """Whether this key's scope covers ``needed`` (a service key covers only service)."""
        if self.scope is Scope.SERVICE or needed is Scope.SERVICE:
            return self.scope is needed
        return _RANK[self.scope] >= _RANK[needed]


@dataclass(frozen=True)
class KeyInfo:
    """A key as listed: never its secret."""

    id: str
    location_id: str | None
    name: str
    scope: Scope
    created: datetime
    revoked: datetime | None


def create_key(
    engine: Engine, location_id: str | None, name: str, scope: Scope, now: datetime
) -> tuple[KeyInfo, str]:
    """A new key and the token to give its holder (the only time it is seen)."""
    if (location_id is None) != (scope is Scope.SERVICE):
        raise ValueError("a service key has no location; every other key has one")
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    with engine.begin() as connection:
        connection.execute(
            insert(ApiKeyRow).values(
                id=key_id,
                location_id=location_id,
                name=name,
                scopes=scope.value,
                secret_hash=_HASHER.hash(secret),
                created=now,
            )
        )
    info = KeyInfo(key_id, location_id, name, scope, now, None)
    return info, f"{PREFIX}_{key_id}_{secret}"


def list_keys(engine: Engine, location_id: str) -> list[KeyInfo]:
    """The location's keys, oldest first, revoked ones included."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(ApiKeyRow)
            .where(ApiKeyRow.location_id == location_id)
            .order_by(ApiKeyRow.created)
        ).all()
    return [_info(row) for row in rows]


def revoke_key(engine: Engine, location_id: str, key_id: str, now: datetime) -> bool:
    """Revoke one of the location's keys; False when it has no such (unrevoked) key."""
    with engine.begin() as connection:
        done = connection.execute(
            update(ApiKeyRow)
            .where(
                ApiKeyRow.id == key_id,
                ApiKeyRow.location_id == location_id,
                ApiKeyRow.revoked.is_(None),
            )
            .values(revoked=now)
        )
    return done.rowcount == 1


class KeyRing:
    """Checks presented keys against the database, remembering the ones argon2 accepted."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._verified: set[tuple[str, bytes]] = set()
        self._lock = threading.Lock()

    def caller(self, token: str) -> Caller | None:
        """The caller a token stands for, or None (malformed, unknown, revoked or wrong)."""
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
            return None
        key_id, secret = parts[1], parts[2]
        with self.engine.connect() as connection:
            row = connection.execute(select(ApiKeyRow).where(ApiKeyRow.id == key_id)).first()
        if row is None or row.revoked is not None:
            return None
        seen = (row.secret_hash, hashlib.sha256(token.encode()).digest())
        with self._lock:
            known = seen in self._verified
        if not known:
            try:
                _HASHER.verify(row.secret_hash, secret)
            except (VerificationError, InvalidHashError):
                return None
            with self._lock:
                self._verified.add(seen)
        return Caller(key_id, row.location_id, Scope(row.scopes))


def _info(row: Any) -> KeyInfo:
    return KeyInfo(row.id, row.location_id, row.name, Scope(row.scopes), row.created, row.revoked)
