"""The service's own tables, beside each location's round: who may call (API keys and calendar
tokens), what runs (jobs, their results and files), what was proposed and decided (proposals),
what was done by whom (the audit log), replayed requests (idempotency keys) and callbacks owed.

Every row names its location, and every query of the service filters on it: one location's
key never reaches another location's rows.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from matcher.db.tables import ID_LENGTH, Base, UtcDateTime

TOKEN_ID_LENGTH = 32
"""Public ids of keys, tokens and jobs: 32 URL-safe characters."""


def _location(primary_key: bool = False) -> Mapped[str]:
    return mapped_column(
        String(ID_LENGTH),
        ForeignKey("locations.id", ondelete="CASCADE"),
        primary_key=primary_key,
        index=not primary_key,
    )


class ApiKeyRow(Base):
    """A key a case system calls with: ``mk_<id>_<secret>``; only the secret's argon2 hash is
    kept. A key without a location is a service key (creates locations, nothing else)."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(TOKEN_ID_LENGTH), primary_key=True)
    location_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("locations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[str] = mapped_column(String(64), doc="space separated: read write admin")
    secret_hash: Mapped[str] = mapped_column(String(200))
    created: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CalendarTokenRow(Base):
    """A revocable secret in a calendar feed's URL, for one coordinator or volunteer; only its
    SHA-256 is kept (the token is 32 random bytes: a slow hash adds nothing)."""

    __tablename__ = "calendar_tokens"

    id: Mapped[str] = mapped_column(String(TOKEN_ID_LENGTH), primary_key=True)
    location_id: Mapped[str] = _location()
    subject: Mapped[str] = mapped_column(String(16), doc="coordinator or volunteer")
    subject_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked: Mapped[datetime | None] = mapped_column(UtcDateTime)


class JobRow(Base):
    """A round or simulation to run off the request path. Workers claim queued jobs (``FOR
    UPDATE SKIP LOCKED`` on PostgreSQL) and hold them by a lease they renew; a job whose lease ran
    out (its worker died) is queued again, up to ``max_attempts``."""

    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("location_id", "idempotency_key"),
        Index(None, "status", "created"),
    )

    id: Mapped[str] = mapped_column(String(TOKEN_ID_LENGTH), primary_key=True)
    location_id: Mapped[str] = _location()
    kind: Mapped[str] = mapped_column(String(16), doc="round or simulation")
    status: Mapped[str] = mapped_column(String(16), doc="queued running done failed")
    payload: Mapped[dict[str, Any]]
    summary: Mapped[dict[str, Any] | None] = mapped_column(doc="a short account when done")
    error: Mapped[str | None] = mapped_column(Text)
    progress: Mapped[float] = mapped_column(default=0.0)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    worker: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created: Mapped[datetime] = mapped_column(UtcDateTime)
    started: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ArtifactRow(Base):
    """A file a job made (result.json, report.html, results.xlsx, charts), written in the same
    transaction that marks the job done: a job's files are all there or none are."""

    __tablename__ = "artifacts"

    job_id: Mapped[str] = mapped_column(
        String(TOKEN_ID_LENGTH), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class ProposalStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    """No longer possible (its family or volunteer left the round) when a later round ran."""


class ProposalRow(Base):
    """A round's proposal and what became of it: pending until a coordinator accepts or declines
    it. A pending proposal reserves its pair: later rounds keep it as it is."""

    __tablename__ = "proposals"
    __table_args__ = (Index(None, "location_id", "status"),)

    job_id: Mapped[str] = mapped_column(
        String(TOKEN_ID_LENGTH), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    family_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    location_id: Mapped[str] = _location()
    volunteer_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    slot: Mapped[str] = mapped_column(String(32))
    quality: Mapped[float]
    status: Mapped[str] = mapped_column(String(16), doc="pending accepted declined withdrawn")
    decided: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuditRow(Base):
    """One line of the append-only audit log: when, who (key or user), what, on which record.
    Erasing a family replaces its id here by a keyed hash; nothing else is ever changed."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    location_id: Mapped[str] = _location()
    time: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(40), doc="the kind of record")
    subject_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    detail: Mapped[dict[str, Any] | None]


class IdempotentRequestRow(Base):
    """The response to a POST sent with an ``Idempotency-Key``: the same key and request again
    gets the same response, a different request with the key is refused."""

    __tablename__ = "idempotent_requests"

    location_id: Mapped[str] = _location(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    body: Mapped[bytes] = mapped_column(LargeBinary)
    media_type: Mapped[str] = mapped_column(String(100))
    created: Mapped[datetime] = mapped_column(UtcDateTime)


class CallbackRow(Base):
    """A signed POST owed to a location's callback URL, retried with back-off until delivered
    or given up."""

    __tablename__ = "callbacks"
    __table_args__ = (Index(None, "status", "next_attempt"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    location_id: Mapped[str] = _location()
    url: Mapped[str] = mapped_column(String(2000))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), doc="pending delivered failed")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt: Mapped[datetime] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))


class UserRow(Base):
    """A person who signs in to the web app: a coordinator of one location, a regional manager
    of several (``locations``: space separated ids), or an admin. Only an argon2 hash of the
    password is kept; repeated failures lock the account for a while. An account an admin made
    must choose its own password at its first sign-in (``must_change_password``)."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(TOKEN_ID_LENGTH), primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True, doc="the sign-in name")
    role: Mapped[str] = mapped_column(String(16), doc="coordinator regional_manager admin")
    locations: Mapped[str] = mapped_column(Text, doc="space separated location ids")
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created: Mapped[datetime] = mapped_column(UtcDateTime)
    disabled: Mapped[datetime | None] = mapped_column(UtcDateTime)
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )


class WebSessionRow(Base):
    """A signed-in browser: the cookie holds a random token, only its SHA-256 is kept here, with
    the form token (CSRF) of that session. Signing out deletes the row."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, doc="SHA-256 of the token")
    user_id: Mapped[str] = mapped_column(
        String(TOKEN_ID_LENGTH), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created: Mapped[datetime] = mapped_column(UtcDateTime)
    expires: Mapped[datetime] = mapped_column(UtcDateTime)
