"""How each of a round's lists maps to its table: the row's columns, the record read back, and
the identity used to find what changed between two versions of a round."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import Table

from matcher.db.tables import (
    AbsenceRow,
    ActiveMatchRow,
    Base,
    CoordinatorRow,
    DeclinedPairRow,
    ExclusionRow,
    FamilyRow,
    SchoolHolidayRow,
    VolunteerRow,
)
from matcher.domain.people import Family, Volunteer
from matcher.domain.round import Absence, ActiveMatch, Coordinator, Pair, Period


@dataclass(frozen=True)
class Collection:
    """One of a round's lists (``field``) and the table holding it, one row per item."""

    field: str
    table: type[Base]
    model: type[BaseModel]
    columns: Callable[[Any], dict[str, Any]]
    """The row's columns (besides location and position) for an item."""
    key: Callable[[Any], object]
    """What identifies an item across versions: its id, or the whole item when it has none."""
    has_data: bool
    """The item is the JSON column ``data``; otherwise it is the row's columns themselves."""

    @property
    def table_name(self) -> str:
        return str(self.table.__tablename__)

    @property
    def sql(self) -> Table:
        """The table itself (SQLAlchemy Core)."""
        return cast(Table, self.table.__table__)

    def record(self, row: Any) -> Any:
        """The item's fields as stored, for the model to validate."""
        if self.has_data:
            return row.data
        return {name: getattr(row, name) for name in self.model.model_fields}

    def label(self, row: Any) -> str:
        """The row named for a reader: by the case system's id where it has one."""
        id_ = getattr(row, "id", None) if self.has_data else None
        if id_ is None and self.field == "active_matches":
            return f"of family {row.family_id!r}"
        return f"id {id_!r}" if id_ is not None else f"at position {row.position}"


def _volunteer(item: Volunteer) -> dict[str, Any]:
    return {
        "id": item.id,
        "capacity": item.capacity,
        "ready": item.training_complete and item.vog_complete,
        "data": item.model_dump(mode="json"),
    }


def _family(item: Family) -> dict[str, Any]:
    return {
        "id": item.id,
        "registered": item.registered,
        "rematch": item.rematch,
        "coordinator": item.coordinator,
        "data": item.model_dump(mode="json"),
    }


def _coordinator(item: Coordinator) -> dict[str, Any]:
    return {"id": item.id, "data": item.model_dump(mode="json")}


def _fields(item: BaseModel) -> dict[str, Any]:
    return item.model_dump()


def _id(item: Any) -> object:
    return item.id


def _itself(item: Any) -> object:
    return item


def _family_id(item: ActiveMatch) -> object:
    return item.family_id


COLLECTIONS = (
    Collection("volunteers", VolunteerRow, Volunteer, _volunteer, _id, has_data=True),
    Collection("families", FamilyRow, Family, _family, _id, has_data=True),
    Collection("coordinators", CoordinatorRow, Coordinator, _coordinator, _id, has_data=True),
    Collection("active_matches", ActiveMatchRow, ActiveMatch, _fields, _family_id, has_data=False),
    Collection("declined_pairs", DeclinedPairRow, Pair, _fields, _itself, has_data=False),
    Collection("exclusions", ExclusionRow, Pair, _fields, _itself, has_data=False),
    Collection("absences", AbsenceRow, Absence, _fields, _itself, has_data=False),
    Collection("school_holidays", SchoolHolidayRow, Period, _fields, _itself, has_data=False),
)
"""Every list of a round, in the order of ``Round``'s fields."""

SETTINGS = ("weights", "policy", "solver")
"""The round's settings kept as JSON in ``round_settings`` (beside its ``reference_date``)."""
