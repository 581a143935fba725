"""The database schema: one row per location (the tenant), and per location its round's contents.

A person is stored as the columns that are queried (the case system's id, a status or two) plus
``data``: the validated pydantic model's JSON, so the domain models stay the one schema and a round
read back equals the round written. ``position`` keeps each list's order (a round's tuples are
ordered); positions only grow, so a row appended or removed leaves the others untouched. The
decision log is append-only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID_LENGTH = 64
"""The case system's ids (``matcher.domain.people.Id``) are at most 64 characters."""

Json = JSON().with_variant(JSONB(), "postgresql")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in time, stored in UTC and read back in UTC on every database (SQLite keeps no
    time zone). A time without a time zone is refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"a stored time needs a time zone (got {value.isoformat()})")
        moment = value.astimezone(UTC)
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: Json}  # noqa: RUF012 (SQLAlchemy's own hook)


def _location() -> Mapped[str]:
    return mapped_column(
        String(ID_LENGTH), ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    )


class LocationRow(Base):
    """A location (tenant) and the version of its round, raised by every change."""

    __tablename__ = "locations"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=0)
    callback_url: Mapped[str | None] = mapped_column(
        String(2000), doc="where a finished job is announced"
    )
    callback_secret: Mapped[str | None] = mapped_column(
        String(100), doc="the HMAC-SHA256 key that signs those announcements"
    )


class SettingsRow(Base):
    """The round's settings: its date and the weights, policy and solver settings (as JSON)."""

    __tablename__ = "round_settings"

    location_id: Mapped[str] = _location()
    reference_date: Mapped[date] = mapped_column(Date)
    weights: Mapped[dict[str, Any]]
    policy: Mapped[dict[str, Any]]
    solver: Mapped[dict[str, Any]]


class VolunteerRow(Base):
    __tablename__ = "volunteers"

    location_id: Mapped[str] = _location()
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    position: Mapped[int]
    capacity: Mapped[int]
    ready: Mapped[bool] = mapped_column(Boolean, doc="training and certificate of conduct done")
    data: Mapped[dict[str, Any]]


class FamilyRow(Base):
    __tablename__ = "families"

    location_id: Mapped[str] = _location()
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    position: Mapped[int]
    registered: Mapped[date] = mapped_column(Date)
    rematch: Mapped[bool]
    coordinator: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    data: Mapped[dict[str, Any]]


class CoordinatorRow(Base):
    __tablename__ = "coordinators"

    location_id: Mapped[str] = _location()
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    position: Mapped[int]
    data: Mapped[dict[str, Any]]


class ActiveMatchRow(Base):
    """A running match; a family has at most one."""

    __tablename__ = "active_matches"
    __table_args__ = (Index(None, "location_id", "volunteer_id"),)

    location_id: Mapped[str] = _location()
    family_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    position: Mapped[int]
    volunteer_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    slot: Mapped[str] = mapped_column(String(32))


class DeclinedPairRow(Base):
    """A pair declined at an introduction. Keyed by position: a round may list a pair twice."""

    __tablename__ = "declined_pairs"
    __table_args__ = (Index(None, "location_id", "family_id"),)

    location_id: Mapped[str] = _location()
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    family_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    volunteer_id: Mapped[str] = mapped_column(String(ID_LENGTH))


class ExclusionRow(Base):
    """A pair that must never be proposed (people who know each other)."""

    __tablename__ = "exclusions"
    __table_args__ = (Index(None, "location_id", "family_id"),)

    location_id: Mapped[str] = _location()
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    family_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    volunteer_id: Mapped[str] = mapped_column(String(ID_LENGTH))


class AbsenceRow(Base):
    __tablename__ = "absences"

    location_id: Mapped[str] = _location()
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    person_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)


class SchoolHolidayRow(Base):
    __tablename__ = "school_holidays"

    location_id: Mapped[str] = _location()
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(80))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)


class DecisionRow(Base):
    """One line of the append-only decision log (``DecisionRecord``): who, when, what, by id."""

    __tablename__ = "decisions"
    __table_args__ = (Index(None, "location_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    location_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("locations.id"))
    time: Mapped[datetime] = mapped_column(UtcDateTime)
    coordinator: Mapped[str] = mapped_column(String(200), doc="who decided (the actor)")
    action: Mapped[str] = mapped_column(String(16))
    family_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    volunteer_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    slot: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(32))
    effective: Mapped[date | None] = mapped_column(Date, doc="the date the coordinator gave")
