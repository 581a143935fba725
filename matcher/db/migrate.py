"""Bring a database's schema up to date with Alembic, configured in code: the migrations ship
inside the package (``matcher/db/migrations``), so there is no ``alembic.ini`` to find."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def config() -> Config:
    """Alembic's configuration for the round store's migrations."""
    settings = Config()
    settings.set_main_option("script_location", str(MIGRATIONS))
    return settings


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database of ``engine`` up to ``revision`` (default: the newest)."""
    settings = config()
    with engine.begin() as connection:
        settings.attributes["connection"] = connection
        command.upgrade(settings, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database of ``engine`` down to ``revision`` (``"base"``: an empty schema)."""
    settings = config()
    with engine.begin() as connection:
        settings.attributes["connection"] = connection
        command.downgrade(settings, revision)


def current(engine: Engine) -> str | None:
    """The database's revision (None: never migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head() -> str | None:
    """The newest revision the package ships."""
    return ScriptDirectory.from_config(config()).get_current_head()
