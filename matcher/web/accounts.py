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
from sqlalchemy import Engine, delete, insert, select, update

from matcher.db.jobs import write_transaction
from matcher.db.service_tables import UserRow, WebSessionRow
from matcher.db.tables import LocationRow
from matcher.web.i18n import N_

MAX_FAILURES = 5
LOCK_TIME = timedelta(minutes=15)
MIN_PASSWORD = 12
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOO_SHORT = N_("A password needs at least %(count)d characters.")
NOT_NEW = N_("Choose a password other than your current one.")
NOT_REPEATED = N_("The two new passwords are not the same.")
WRONG_PASSWORD = N_("This is not your current password.")
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
    must_change_password: bool = False

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


@dataclass(frozen=True)
class PasswordChange:
    """A password change as typed: the current password, the new one and the new one again."""

    current: str
    new: str
    repeated: str

    def problems(self) -> dict[str, str]:
        """What is wrong with the new password, by form field (the current one not checked)."""
        problems: dict[str, str] = {}
        if len(self.new) < MIN_PASSWORD:
            problems["new"] = TOO_SHORT
        elif self.new == self.current:
            problems["new"] = NOT_NEW
        if self.repeated != self.new:
            problems["repeated"] = NOT_REPEATED
        return problems


class AccountError(ValueError):
    """An account that cannot be made as asked (the message says why)."""


def create_user(
    engine: Engine,
    email: str,
    role: Role,
    locations: tuple[str, ...],
    password: str,
    now: datetime,
    must_change_password: bool = False,
) -> User:
    """A new account; ``AccountError`` for a bad address, a short password, an unknown
    location, a coordinator without exactly one location, or an address already in use.
    ``must_change_password``: the person chooses a password of their own at the first sign-in
    (for a password someone else chose)."""
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
        user = User(
            secrets.token_hex(16),
            email,
            role,
            tuple(dict.fromkeys(locations)),
            must_change_password,
        )
        connection.execute(
            insert(UserRow).values(
                id=user.id,
                email=email,
                role=role.value,
                locations=" ".join(user.locations),
                password_hash=_HASHER.hash(password),
                failed_attempts=0,
                created=now,
                must_change_password=must_change_password,
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
    """The account of a row with a ``users`` row's id, email, role, locations and
    ``must_change_password``."""
    return User(
        row.id,
        row.email,
        Role(row.role),
        tuple(row.locations.split()),
        bool(row.must_change_password),
    )


def change_password(
    engine: Engine,
    user_id: str,
    passwords: PasswordChange,
    keep_session: str,
) -> dict[str, str]:
    """Give an account a password of its own. Returns the problems by form field (message ids
    with a ``%(count)d`` where a length is meant); none when the password was changed, its
    ``must_change_password`` cleared and every other session of the account ended (a browser
    that knew the old password is signed out). ``keep_session``: the id of the session that
    changed it."""
    problems = passwords.problems()
    with write_transaction(engine) as connection:
        hashed = connection.scalar(select(UserRow.password_hash).where(UserRow.id == user_id))
        if hashed is None or not _verify(hashed, passwords.current):
            problems["current"] = WRONG_PASSWORD
        if problems:
            return problems
        connection.execute(
            update(UserRow)
            .where(UserRow.id == user_id)
            .values(
                password_hash=_HASHER.hash(passwords.new),
                must_change_password=False,
                failed_attempts=0,
                locked_until=None,
            )
        )
        connection.execute(
            delete(WebSessionRow).where(
                WebSessionRow.user_id == user_id, WebSessionRow.id != keep_session
            )
        )
    return {}


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False
