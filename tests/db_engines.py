"""Databases for the database store's tests: SQLite in a temporary file, and PostgreSQL in a
schema of its own per test (dropped afterwards), both migrated to the newest revision.

PostgreSQL is ``MATCHER_TEST_POSTGRES`` (default: the local server, user ``postgres``, database
``test``). Where no server answers, its half of the tests is skipped, saying so; with ``CI`` set
an unreachable server fails them instead, so a broken CI database is never a green build.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from matcher.db.engine import create_engine
from matcher.db.migrate import upgrade

POSTGRES_URL = os.environ.get(
    "MATCHER_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
DATABASES = ["sqlite", "postgresql"]


def _postgres_or_skip() -> Engine:
    admin = sqlalchemy.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with admin.connect():
            pass
    except OperationalError as error:
        admin.dispose()
        reason = f"no PostgreSQL answers at {POSTGRES_URL}: {str(error.orig).strip()}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set: the PostgreSQL tests must run)")
        pytest.skip(reason)
    return admin


def empty_database(kind: str, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database of ``kind`` (``sqlite`` or ``postgresql``)."""
    if kind == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'matcher.db'}")
        yield engine
        engine.dispose()
        return
    admin = _postgres_or_skip()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine = create_engine(
        POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}", "connect_timeout": 3}
    )
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture(params=DATABASES)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database, on each kind."""
    yield from empty_database(request.param, tmp_path)


@pytest.fixture(params=DATABASES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database migrated to the newest revision, on each kind."""
    for engine in empty_database(request.param, tmp_path):
        upgrade(engine)
        yield engine


def database_url(kind: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of ``kind``, for another process (a server, a worker); a
    PostgreSQL schema of its own, dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'matcher.db'}"
        return
    admin = _postgres_or_skip()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()
