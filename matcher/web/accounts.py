"""People who sign in to the web app: their accounts (argon2 password hashes), what each role
may see and change, and the lock-out after repeated failures.

A failed sign-in says the same whatever the cause (no such account, a wrong password, a locked
or disabled account), so that the page never tells whether an address has an account.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, insert, select, update

from matcher.db.jobs import write_transaction
from matcher.db.service_tables import UserRow
from matcher.db.tables import LocationRow

MAX_FAILURES = 5
LOCK_TIME = timedelta(minutes=15)
MIN_PASSWORD = 12
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))
"""Verified against when there is no such account, so a failure takes as long either way."""


class Role(StrEnum):
    """What a person does: a coordinator works in one location (reads and writes), a regional
    manager reads the locations of a region, an admin reads and writes every location."""

    COORDINATOR = "coordinator"
    REGIONAL_MANAGER = "regional_manager"
    ADMIN = "admin"


@dataclass(frozen=True)
class User:
    """A signed-in person."""

    id: str
    email: str
    role: Role
    locations: tuple[str, ...]

    @property
    def actor(self) -> str:
        """The name in the audit log."""
        return f"user:{self.id}"

    def may_read(self, location_id: str) -> bool:
        return self.role is Role.ADMIN or location_id in self.locations

    def may_write(self, location_id: str) -> bool:
        if self.role is Role.ADMIN:
            return True
        return self.role is Role.COORDINATOR and location_id in self.locations


class AccountError(ValueError):
    """An account that cannot be made as asked (the message says why)."""


def create_user(
    engine: Engine,
    email: str,
    role: Role,
    locations: tuple[str, ...],
    password: str,
    now: datetime,
) -> User:
    """A new account; ``AccountError`` for a bad address, a short password, an unknown
    location, a coordinator without exactly one location, or an address already in use."""
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise AccountError(f"{email!r} is not an e-mail address")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    if role is Role.COORDINATOR and len(locations) != 1:
        raise AccountError("a coordinator works in exactly one location (--location)")
    if role is Role.REGIONAL_MANAGER and not locations:
        raise AccountError("a regional manager needs at least one location (--location)")
    with write_transaction(engine) as connection:
        known = set(connection.scalars(select(LocationRow.id).where(LocationRow.id.in_(locations))))
        missing = [location for location in locations if location not in known]
        if missing:
            raise AccountError(f"no such location: {', '.join(missing)}")
        if connection.scalar(select(UserRow.id).where(UserRow.email == email)) is not None:
            raise AccountError(f"{email} has an account already")
        user = User(secrets.token_hex(16), email, role, tuple(dict.fromkeys(locations)))
        connection.execute(
            insert(UserRow).values(
                id=user.id,
                email=email,
                role=role.value,
                locations=" ".join(user.locations),
                password_hash=_HASHER.hash(password),
                failed_attempts=0,
                created=now,
            )
        )
    return user


def new_password() -> str:
    """A random password to hand over once (20 URL-safe characters)."""
    return secrets.token_urlsafe(15)


def authenticate(engine: Engine, email: str, password: str, now: datetime) -> User | None:
    """The account when ``password`` is its password and it is neither locked nor disabled;
    else None. The fifth failure in a row locks the account for ``LOCK_TIME``."""
    with write_transaction(engine) as connection:
        row = connection.execute(
            select(UserRow).where(UserRow.email == email.strip().lower())
        ).first()
        if row is None:
            _verify(_DUMMY_HASH, password)
            return None
        if row.disabled is not None or (row.locked_until is not None and row.locked_until > now):
            _verify(_DUMMY_HASH, password)
            return None
        if not _verify(row.password_hash, password):
            failures = row.failed_attempts + 1
            locked = failures >= MAX_FAILURES
            connection.execute(
                update(UserRow)
                .where(UserRow.id == row.id)
                .values(
                    failed_attempts=0 if locked else failures,
                    locked_until=now + LOCK_TIME if locked else row.locked_until,
                )
            )
            return None
        connection.execute(
            update(UserRow).where(UserRow.id == row.id).values(failed_attempts=0, locked_until=None)
        )
        return user_of(row)


def user_of(row: Any) -> User:
    """The account of a row with a ``users`` row's id, email, role and locations."""
    return User(row.id, row.email, Role(row.role), tuple(row.locations.split()))


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False
