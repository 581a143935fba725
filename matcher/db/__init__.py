"""The database round store: each location's round in SQL tables (SQLite or PostgreSQL), changed
in transactions that lock the location and append to the decision log in the same commit."""

from matcher.db import service_tables  # noqa: F401 (registers the service's tables)
from matcher.db.engine import create_engine
from matcher.db.migrate import upgrade
from matcher.db.store import DatabaseRoundStore, DatabaseTransaction, import_round

__all__ = ["DatabaseRoundStore", "DatabaseTransaction", "create_engine", "import_round", "upgrade"]
