"""Create the database engine from a URL, set up so that a store transaction can lock a location.

PostgreSQL locks the location's row (``SELECT … FOR UPDATE``) with a ``lock_timeout``. SQLite
has no row locks: a store transaction starts with ``BEGIN IMMEDIATE`` (the database's one write
lock) and waits for it at most ``busy_timeout``. pysqlite would otherwise begin transactions on
its own, lazily and deferred, so here SQLAlchemy's ``begin`` emits the ``BEGIN`` itself (the
recipe of SQLAlchemy's SQLite documentation); a connection opened with the execution option
``BEGIN_MODE`` set to ``"IMMEDIATE"`` asks for the write lock at once.

An SQLite file is kept in write-ahead-log mode, so readers (pages, recommendations) never wait
for a writer nor a writer for them; ``synchronous`` stays ``FULL``, so a committed transaction
survives a power cut too. ``secure_delete`` overwrites deleted rows, so an erased family leaves
no bytes behind in the file.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy
from sqlalchemy import Connection, Engine, event

BEGIN_MODE = "matcher_begin"
"""Execution option: ``"IMMEDIATE"`` makes an SQLite transaction take the write lock at once."""

BUSY_TIMEOUT_MS = "matcher_busy_timeout_ms"
"""Execution option: how long an SQLite ``BEGIN`` waits for another writer, in milliseconds."""


def create_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url`` (``sqlite:///path`` or ``postgresql+psycopg://…``), configured for
    the round store; ``options`` go to SQLAlchemy's ``create_engine``."""
    engine = sqlalchemy.create_engine(url, **options)
    configure(engine)
    return engine


def configure(engine: Engine) -> None:
    """Make ``engine`` fit for the round store (idempotent; nothing to do but on SQLite). Call it
    before the engine's first connection."""
    if engine.dialect.name != "sqlite" or event.contains(engine, "begin", _begin):
        return
    event.listen(engine, "connect", _connect)
    event.listen(engine, "begin", _begin)


def is_configured(engine: Engine) -> bool:
    """Whether ``engine`` lets the store control transactions (always, but on SQLite after
    ``configure``)."""
    return engine.dialect.name != "sqlite" or event.contains(engine, "begin", _begin)


def _connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # pysqlite: no implicit BEGIN; SQLAlchemy's is used
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA secure_delete = ON")
    finally:
        cursor.close()


def _begin(connection: Connection) -> None:
    options = connection.get_execution_options()
    timeout = options.get(BUSY_TIMEOUT_MS)
    if timeout is not None:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(timeout)}")
    mode = "IMMEDIATE" if options.get(BEGIN_MODE) == "IMMEDIATE" else "DEFERRED"
    connection.exec_driver_sql(f"BEGIN {mode}")
