"""Alembic's environment for the round store: always run on a connection that ``matcher.db.migrate``
hands over (there is no ``alembic.ini``; the migrations ship inside the package)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from matcher.db import service_tables  # noqa: F401 (registers the service's tables)
from matcher.db.tables import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run the migrations through matcher.db.migrate, which passes a connection")

context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
