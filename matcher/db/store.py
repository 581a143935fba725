"""The round store over a database: each location's round in rows, and its decision log.

A transaction is one database transaction that first locks the location: its row is selected
``FOR UPDATE`` on PostgreSQL (waiting at most ``lock_timeout``), and on SQLite the transaction
begins ``IMMEDIATE`` (the database's write lock, waiting at most ``busy_timeout``). The round is
read under that lock, so every check a use case makes still holds when ``commit`` writes the rows
that changed, appends the decision and raises the location's version — all in that same
transaction, or not at all. Two coordinators deciding at once are served one after the other.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import Connection, Engine, Executable, Result, delete, insert, select, update
from sqlalchemy.exc import DBAPIError, OperationalError

from matcher.db.audit import AuditEntry, append
from matcher.db.engine import BEGIN_MODE, BUSY_TIMEOUT_MS, is_configured
from matcher.db.records import COLLECTIONS, SETTINGS, Collection
from matcher.db.service_tables import ProposalRow, ProposalStatus
from matcher.db.tables import DecisionRow, LocationRow, SettingsRow
from matcher.domain.people import Id
from matcher.domain.prepared import PreparedRound, prepare
from matcher.domain.round import Round
from matcher.errors import RoundError
from matcher.io.problems import InputError, InputProblem, field_path, validation_problems
from matcher.io.rounds import load_round
from matcher.lifecycle.decisions import Action, DecisionRecord
from matcher.usecases.store import StoreBusy

logger = logging.getLogger(__name__)

LOCK_TIMEOUT_S = 60.0
_LOCATION_ID: TypeAdapter[str] = TypeAdapter(Id)
_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout runs out
_SETTLED = {Action.ACCEPT: ProposalStatus.ACCEPTED, Action.DECLINE: ProposalStatus.DECLINED}


class _Recent:
    """The last few rounds read from one database, by (location, version): a version names one
    content (every change raises it, under the location's lock), and a ``Round`` is
    immutable."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._rounds: OrderedDict[tuple[str, int | None], Round] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int | None]) -> Round | None:
        with self._lock:
            found = self._rounds.get(key)
            if found is not None:
                self._rounds.move_to_end(key)
            return found

    def put(self, key: tuple[str, int | None], round_: Round) -> None:
        with self._lock:
            self._rounds[key] = round_
            while len(self._rounds) > self.size:
                self._rounds.popitem(last=False)


_RECENT: weakref.WeakKeyDictionary[Engine, _Recent] = weakref.WeakKeyDictionary()
_RECENT_LOCK = threading.Lock()
ROUNDS_KEPT = 8
"""Rounds kept per database (one or two per busy location)."""


def _recent(engine: Engine) -> _Recent:
    """The rounds last read through ``engine`` (an engine is one database)."""
    with _RECENT_LOCK:
        found = _RECENT.get(engine)
        if found is None:
            found = _RECENT[engine] = _Recent(ROUNDS_KEPT)
        return found


@dataclass(frozen=True)
class _Stored:
    """A location's round as read: each list's rows (position and row, in order), its settings
    row (None for a location without a round yet) and its version."""

    version: int
    settings: Any
    rows: dict[str, list[tuple[int, Any]]]


class DatabaseRoundStore:
    """The round of one location (``location_id``) in a database. ``today`` dates the empty round
    of a location that has none yet."""

    def __init__(
        self,
        engine: Engine,
        location_id: str,
        today: date,
        lock_timeout_s: float = LOCK_TIMEOUT_S,
    ) -> None:
        try:
            _LOCATION_ID.validate_python(location_id)
        except ValidationError:
            raise ValueError(
                f"a location id is 1 to 64 letters, digits and ._:- (got {location_id!r})"
            ) from None
        if not is_configured(engine):
            raise ValueError(
                "an SQLite engine for the round store is made by matcher.db.engine.create_engine "
                "(or passed to matcher.db.engine.configure before its first connection)"
            )
        self.engine = engine
        self.location_id = location_id
        self.today = today
        self.lock_timeout_s = lock_timeout_s

    def read(self) -> PreparedRound:
        """The round, validated and prepared; ``InputError`` names the table and record."""
        return self._prepare(self.load())

    def load(self) -> Round:
        """The round as stored, each record validated (its cross-references are not checked).
        The rounds last read are kept by version: reading an unchanged round again costs one
        query, not a validation of every record."""
        with self._reading() as connection:
            version = connection.scalar(_version_of(self.location_id))
            recent = _recent(self.engine)
            found = recent.get((self.location_id, version))
            if found is None:
                found = self._round(_read(connection, self.location_id, version or 0))
                recent.put((self.location_id, version), found)
            return found

    def _remember(self, version: int, round_: Round) -> None:
        """Keep ``round_`` as the location's round at ``version`` (just written)."""
        _recent(self.engine).put((self.location_id, version), round_)

    def _round_of(self, stored: _Stored) -> Round:
        """The stored rows as a round, validated unless that version was read before."""
        recent = _recent(self.engine)
        found = recent.get((self.location_id, stored.version))
        if found is None:
            found = self._round(stored)
            recent.put((self.location_id, stored.version), found)
        return found

    def version(self) -> int:
        """The location's version: raised by every change, so two reads of the same version
        saw the same round (an ETag for the HTTP service)."""
        with self._reading() as connection:
            found = connection.scalar(_version_of(self.location_id))
        assert found is not None  # _reading checked that the location exists
        return int(found)

    def decisions(self) -> list[DecisionRecord]:
        """The decision log, oldest first."""
        with self._reading() as connection:
            rows = connection.execute(
                select(DecisionRow)
                .where(DecisionRow.location_id == self.location_id)
                .order_by(DecisionRow.id)
            ).all()
        return [
            DecisionRecord(
                time=row.time,
                coordinator=row.coordinator,
                action=row.action,
                family_id=row.family_id,
                volunteer_id=row.volunteer_id,
                slot=row.slot,
                reason=row.reason,
                effective_date=row.effective,
            )
            for row in rows
        ]

    @contextmanager
    def transaction(self) -> Iterator[DatabaseTransaction]:
        """Lock the location and read its round (``StoreBusy`` if the lock is not had in time,
        ``InputError`` if the location does not exist or its round is bad)."""
        with self._locked() as (connection, version):
            if version is None:
                raise self._no_location()
            stored = _read(connection, self.location_id, version)
            round_ = self._round_of(stored)
            self._prepare(round_)
            yield DatabaseTransaction(
                connection, self.location_id, stored, round_, self._prepare, self._remember
            )

    @contextmanager
    def editing(self) -> Iterator[DatabaseTransaction]:
        """Lock the location and read its round as stored (it may be empty), to change its
        records with ``DatabaseTransaction.save``."""
        with self._locked() as (connection, version):
            if version is None:
                raise self._no_location()
            stored = _read(connection, self.location_id, version)
            yield DatabaseTransaction(
                connection,
                self.location_id,
                stored,
                self._round_of(stored),
                self._prepare,
                self._remember,
            )

    def create_location(self, name: str) -> None:
        """Add the location, without a round yet (it reads as an empty round dated today);
        ``InputError`` if it exists."""
        with self._locked() as (connection, version):
            if version is not None:
                raise InputError(
                    [InputProblem(f"location {self.location_id!r}", None, None, "exists already")]
                )
            connection.execute(
                insert(LocationRow).values(id=self.location_id, name=name, version=0)
            )
            connection.commit()

    def save_round(self, round_: Round, name: str | None = None) -> None:
        """Make ``round_`` the location's round (creating the location, named ``name`` or its
        id, when new): for importing a whole round. Only rows that differ are written; no
        decision is logged. ``InputError`` when the round is not valid."""
        self._prepare(round_)
        with self._locked() as (connection, version):
            if version is None:
                connection.execute(
                    insert(LocationRow).values(
                        id=self.location_id, name=name or self.location_id, version=0
                    )
                )
                version = 0
            elif name is not None:
                connection.execute(
                    update(LocationRow).where(LocationRow.id == self.location_id).values(name=name)
                )
            stored = _read(connection, self.location_id, version)
            try:
                before: Round | None = self._round(stored)
            except InputError:
                before = None  # bad rows: all are replaced
            _write(connection, self.location_id, stored, before, round_)
            connection.commit()

    # -- reading ---------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """A read-only transaction on one snapshot of the database."""
        options: dict[str, Any] = {BUSY_TIMEOUT_MS: round(self.lock_timeout_s * 1000)}
        if self.engine.dialect.name == "postgresql":
            options["isolation_level"] = "REPEATABLE READ"
        connection = self.engine.connect().execution_options(**options)
        with connection, connection.begin():
            if connection.scalar(_version_of(self.location_id)) is None:
                raise self._no_location()
            yield connection

    def _round(self, stored: _Stored) -> Round:
        """The stored rows as a round; ``InputError`` naming each bad record."""
        problems: list[InputProblem] = []
        data: dict[str, Any] = {"reference_date": self.today}
        for collection in COLLECTIONS:
            items = []
            for _, row in stored.rows[collection.field]:
                try:
                    items.append(collection.model.model_validate(collection.record(row)))
                except ValidationError as error:
                    where = self._where(collection, row)
                    problems += validation_problems(error, partial(_problem, where))
            data[collection.field] = items
        if stored.settings is not None:
            data["reference_date"] = stored.settings.reference_date
            data |= {name: getattr(stored.settings, name) for name in SETTINGS}
        if problems:
            raise InputError(problems)
        try:
            return Round.model_validate(data)
        except ValidationError as error:
            where = f"location {self.location_id!r}, round_settings"
            raise InputError(validation_problems(error, partial(_problem, where))) from None

    def _prepare(self, round_: Round) -> PreparedRound:
        try:
            return prepare(round_)
        except RoundError as error:
            raise InputError(
                [self._round_problem(round_, p.location, p.message) for p in error.problems]
            ) from None

    def _round_problem(
        self, round_: Round, location: tuple[str | int, ...], message: str
    ) -> InputProblem:
        """A problem ``prepare`` found, named by table, record and field."""
        where = f"location {self.location_id!r}"
        by_field = {c.field: c for c in COLLECTIONS}
        if len(location) >= 2 and str(location[0]) in by_field and isinstance(location[1], int):
            collection = by_field[str(location[0])]
            item = getattr(round_, collection.field)[location[1]]
            id_ = getattr(item, "id", None)
            label = f"id {id_!r}" if id_ is not None else f"item {location[1] + 1}"
            return InputProblem(
                f"{where}, {collection.table_name} {label}", None, field_path(location[2:]), message
            )
        if not location:
            return InputProblem(where, None, None, message)
        table = by_field[c].table_name if (c := str(location[0])) in by_field else "round_settings"
        rest = location[1:] if c in by_field else location
        return InputProblem(f"{where}, {table}", None, field_path(rest), message)

    def _where(self, collection: Collection, row: Any) -> str:
        return f"location {self.location_id!r}, {collection.table_name} {collection.label(row)}"

    def _no_location(self) -> InputError:
        return InputError(
            [InputProblem(f"location {self.location_id!r}", None, None, "no such location")]
        )

    # -- locking ---------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[tuple[Connection, int | None]]:
        """A transaction holding the location's lock, and its version (None: no such location).
        Leaving it without ``commit`` rolls it back."""
        timeout_ms = max(1, round(self.lock_timeout_s * 1000))
        sqlite = self.engine.dialect.name == "sqlite"
        options = {BEGIN_MODE: "IMMEDIATE", BUSY_TIMEOUT_MS: timeout_ms} if sqlite else {}
        with self.engine.connect().execution_options(**options) as connection:
            try:
                transaction = connection.begin()
                if not sqlite:
                    connection.exec_driver_sql(f"SET LOCAL lock_timeout = {timeout_ms}")
                version = connection.scalar(_version_of(self.location_id).with_for_update())
            except OperationalError as error:
                if _is_lock_timeout(error, sqlite):
                    raise self._busy() from None
                raise
            with transaction:
                yield connection, version

    def _busy(self) -> StoreBusy:
        return StoreBusy(
            f"location {self.location_id!r} is being changed by another user who did not finish "
            f"within {self.lock_timeout_s:g} s; nothing was changed, try again"
        )


class DatabaseTransaction:
    """The round read under the location's lock; ``commit`` writes the change and its decision."""

    def __init__(
        self,
        connection: Connection,
        location_id: str,
        stored: _Stored,
        round_: Round,
        check: Callable[[Round], PreparedRound],
        remember: Callable[[int, Round], None],
    ) -> None:
        self._connection = connection
        self._location_id = location_id
        self._stored = stored
        self._round = round_
        self._check = check
        self._remember = remember
        self._done = False

    @property
    def version(self) -> int:
        """The location's version as read (the next commit raises it by one)."""
        return self._stored.version

    def save(self, updated: Round, entry: AuditEntry) -> None:
        """Write a change of the round's records (not a decision) with its audit line, and
        commit. ``InputError`` naming the record when ``updated`` is not a valid round (an
        empty round is allowed: a location starts empty)."""
        if updated.volunteers or updated.families:
            self._check(updated)
        self._finish(updated, entry)

    def execute(self, statement: Executable) -> Result[Any]:
        """Run a statement on the service's own tables inside this transaction (before commit)."""
        return self._connection.execute(statement)

    @property
    def round(self) -> Round:
        return self._round

    def commit(self, updated: Round, entry: DecisionRecord) -> None:
        """Write the rows that changed and the decision, raise the version, and commit: the
        lock is released. A transaction commits once. An accept or decline settles the pending
        proposal of its pair."""
        if self._done:
            raise RuntimeError("this transaction has already been committed")
        connection = self._connection
        connection.execute(
            insert(DecisionRow).values(
                location_id=self._location_id,
                time=entry.time,
                coordinator=entry.coordinator,
                action=entry.action.value,
                family_id=entry.family_id,
                volunteer_id=entry.volunteer_id,
                slot=entry.slot,
                reason=None if entry.reason is None else entry.reason.value,
                effective=entry.effective_date,
            )
        )
        settled = _SETTLED.get(entry.action)
        if settled is not None:
            connection.execute(
                update(ProposalRow)
                .where(
                    ProposalRow.location_id == self._location_id,
                    ProposalRow.family_id == entry.family_id,
                    ProposalRow.volunteer_id == entry.volunteer_id,
                    ProposalRow.status == ProposalStatus.PENDING,
                )
                .values(status=settled, decided=entry.time)
            )
        detail = {"volunteer_id": entry.volunteer_id, "slot": entry.slot}
        if entry.reason is not None:
            detail["reason"] = entry.reason.value
        audit = AuditEntry(
            time=entry.time,
            actor=entry.coordinator,
            action=entry.action.value,
            subject="family",
            subject_id=entry.family_id,
            detail=detail,
        )
        self._finish(updated, audit)

    def _finish(self, updated: Round, audit: AuditEntry) -> None:
        if self._done:
            raise RuntimeError("this transaction has already been committed")
        _write(self._connection, self._location_id, self._stored, self._round, updated)
        append(self._connection, self._location_id, audit)
        self._connection.commit()
        self._remember(self._stored.version + 1, updated)
        logger.debug(
            "location %s: %s stored (version %d)",
            self._location_id,
            audit.action,
            self._stored.version + 1,
        )
        self._done = True
        self._round = updated


def import_round(
    engine: Engine, location_id: str, source: str | Path, today: date, name: str | None = None
) -> Round:
    """Read a round from a JSON file, CSV folder or workbook (``InputError`` naming file, row
    and field) and make it the location's round; the round imported is returned."""
    round_ = load_round(source, today=today)
    DatabaseRoundStore(engine, location_id, today).save_round(round_, name=name)
    return round_


def _version_of(location_id: str) -> Any:
    return select(LocationRow.version).where(LocationRow.id == location_id)


def _read(connection: Connection, location_id: str, version: int = 0) -> _Stored:
    rows: dict[str, list[tuple[int, Any]]] = {}
    for collection in COLLECTIONS:
        table = collection.sql
        found = connection.execute(
            select(table).where(table.c.location_id == location_id).order_by(table.c.position)
        ).all()
        rows[collection.field] = [(row.position, row) for row in found]
    settings = connection.execute(
        select(SettingsRow).where(SettingsRow.location_id == location_id)
    ).first()
    return _Stored(version, settings, rows)


def _write(
    connection: Connection, location_id: str, stored: _Stored, before: Round | None, after: Round
) -> None:
    """Make the stored round ``after``: write what differs from ``before`` (the round as read;
    None: everything), and raise the version."""
    for collection in COLLECTIONS:
        _write_collection(
            connection,
            location_id,
            collection,
            [position for position, _ in stored.rows[collection.field]],
            None if before is None else getattr(before, collection.field),
            getattr(after, collection.field),
        )
    settings = {"reference_date": after.reference_date} | {
        name: getattr(after, name).model_dump(mode="json") for name in SETTINGS
    }
    if stored.settings is None:
        connection.execute(insert(SettingsRow).values(location_id=location_id, **settings))
    elif before is None or any(
        getattr(before, name) != getattr(after, name) for name in ("reference_date", *SETTINGS)
    ):
        connection.execute(
            update(SettingsRow).where(SettingsRow.location_id == location_id).values(**settings)
        )
    raised = connection.execute(
        update(LocationRow)
        .where(LocationRow.id == location_id, LocationRow.version == stored.version)
        .values(version=LocationRow.version + 1)
    )
    if raised.rowcount != 1:  # cannot happen while the lock is held; refuse rather than guess
        raise RuntimeError(f"location {location_id!r} changed while it was locked")


def _write_collection(
    connection: Connection,
    location_id: str,
    collection: Collection,
    positions: list[int],
    before: Sequence[BaseModel] | None,
    after: Sequence[BaseModel],
) -> None:
    """Write one list's change. The items of ``after`` that appear in ``before`` in the same
    order keep their rows (updated if they changed); the rest of ``before`` is deleted and the
    rest of ``after`` appended. An accept appends one row, an end deletes one."""
    if before is not None and tuple(before) == tuple(after):
        return
    kept: list[tuple[int, BaseModel, BaseModel]] = []  # position, before, after
    if before is not None:
        start = 0
        for item in after:
            key = collection.key(item)
            found = next(
                (k for k in range(start, len(before)) if collection.key(before[k]) == key), None
            )
            if found is None:
                break
            kept.append((positions[found], before[found], item))
            start = found + 1
    table = collection.sql
    here = table.c.location_id == location_id
    kept_positions = {position for position, _, _ in kept}
    gone = [position for position in positions if position not in kept_positions]
    if gone:
        connection.execute(delete(table).where(here, table.c.position.in_(gone)))
    for position, old, new in kept:
        if old != new:
            connection.execute(
                update(table)
                .where(here, table.c.position == position)
                .values(**collection.columns(new))
            )
    tail = after[len(kept) :]
    if tail:
        first = max(positions, default=-1) + 1
        connection.execute(
            insert(table),
            [
                {"location_id": location_id, "position": first + i, **collection.columns(item)}
                for i, item in enumerate(tail)
            ],
        )


def _is_lock_timeout(error: DBAPIError, sqlite: bool) -> bool:
    if sqlite:
        return getattr(error.orig, "sqlite_errorcode", None) == 5 or "locked" in str(error.orig)
    return getattr(error.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE


def _problem(where: str, location: tuple[str | int, ...], message: str) -> InputProblem:
    return InputProblem(where, None, field_path(location), message)
