"""``matcher serve``, ``matcher worker`` and ``matcher admin``: the HTTP service, its job
workers, and the keys and locations an operator creates before any case system can call."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from matcher.cli.app import main
from matcher.db.engine import create_engine
from matcher.db.migrate import upgrade
from matcher.db.store import DatabaseRoundStore
from matcher.service.keys import Scope, create_key, revoke_key
from matcher.service.settings import ServiceSettings

DATABASE_OPTION = click.option(
    "--database-url",
    envvar="MATCHER_DATABASE_URL",
    default=None,
    help="sqlite:///path or postgresql+psycopg://… (default: SQLite under MATCHER_DATA_DIR, "
    "./matcher-data).",
)


DEMO_LOCATION = "demo"
DEMO_EMAIL = "coordinator@demo.example"
POLL_S = 0.05
"""How often an idle worker looks for a queued job (a round should start at once)."""


def _settings(database_url: str | None) -> ServiceSettings:
    settings = ServiceSettings()
    return settings.model_copy(update={"database_url": database_url}) if database_url else settings


@main.command()
@DATABASE_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(0, 64),
    help="Job worker processes to start beside the server (0: run `matcher worker` apart).",
)
@click.option(
    "--demo",
    "demo_round",
    is_flag=False,
    flag_value="scenarios/location",
    default=None,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Try the web app: a new database in a temporary folder (gone when the server stops) "
    "with this round (alone: the shipped scenarios/location) in location 'demo', and a "
    "coordinator account whose address and password are printed.",
)
def serve(
    database_url: str | None, host: str, port: int, workers: int, demo_round: Path | None
) -> None:
    """Run the HTTP service (API under /v1, docs at /docs, the web app at /web).

    \b
    Example:
      matcher admin service-key          # once: prints a key that creates locations
      matcher serve --port 8000
      matcher serve --demo               # the web app with a demo location and account
    """
    import tempfile

    from matcher.service.observe import use_json_logs

    use_json_logs()
    settings = _settings(database_url)
    if demo_round is None:
        _serve(settings, host, port, workers)
        return
    # The server passes on SIGTERM once it has stopped: end by SystemExit then, so that the
    # temporary folder is removed.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    with tempfile.TemporaryDirectory(prefix="matcher-demo-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'matcher.db'}"
        email, password = _demo(url, demo_round)
        click.echo(f"demo: http://{host}:{port}/web/  sign in as {email} with password {password}")
        _serve(settings.model_copy(update={"database_url": url}), host, port, workers)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _demo(url: str, round_folder: Path) -> tuple[str, str]:
    """A location ``demo`` holding the round in ``round_folder`` and its coordinator's account
    (no password change asked: the database is thrown away); the address and password."""
    from matcher.io.rounds import load_round
    from matcher.service.records import replace_round
    from matcher.web.accounts import Role, create_user, new_password

    engine = create_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    store = DatabaseRoundStore(engine, DEMO_LOCATION, now.date())
    store.create_location("Home-Start demo")
    replace_round(store, load_round(round_folder), None, "demo", now)
    password = new_password()
    create_user(engine, DEMO_EMAIL, Role.COORDINATOR, (DEMO_LOCATION,), password, now)
    engine.dispose()
    return DEMO_EMAIL, password


def _serve(settings: ServiceSettings, host: str, port: int, workers: int) -> None:
    """The server on ``host``:``port`` with ``workers`` job workers beside it, until stopped."""
    import uvicorn

    from matcher.service.app import create_app

    app = create_app(settings)
    url = settings.url()
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "matcher",
                "worker",
                "--database-url",
                url,
                "--name",
                f"{host}:{port}/{n}",
                "--parent-pid",
                str(os.getpid()),
            ],
            # Apart from the terminal's process group: Ctrl-C reaches this process only, whose
            # one SIGTERM below lets a worker finish the job in hand.
            start_new_session=True,
        )
        for n in range(workers)
    ]
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=30)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=60)


@main.command()
@DATABASE_OPTION
@click.option("--name", default=None, help="This worker's name (default: host and process id).")
@click.option(
    "--parent-pid",
    type=int,
    default=None,
    hidden=True,
    help="Stop (after the job at hand) when this process, which started this one, ends.",
)
def worker(database_url: str | None, name: str | None, parent_pid: int | None) -> None:
    """Run rounds and simulations queued by the service, until SIGTERM (which lets the job at
    hand finish). Start as many as the machines allow, on one PostgreSQL database.

    \b
    Example:
      MATCHER_DATABASE_URL=postgresql+psycopg://matcher@db/matcher matcher worker --name w1
    """
    import socket

    from matcher.service.handlers import HANDLERS
    from matcher.service.observe import use_json_logs
    from matcher.service.worker import serve_worker

    use_json_logs()
    if parent_pid is not None:
        _stop_with_parent(parent_pid)
    settings = _settings(database_url)
    url = settings.url()
    upgrade(create_engine(url))
    serve_worker(
        url,
        HANDLERS,
        name or f"{socket.gethostname()}:{os.getpid()}",
        POLL_S,
        private_callbacks=settings.callback_private_networks,
    )


def _stop_with_parent(parent: int) -> None:
    """Send this process SIGTERM (a graceful stop) once ``parent`` is no longer its parent:
    ``matcher serve`` may end by a signal before it can stop its workers itself."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


@main.group()
def admin() -> None:
    """Create the service's locations and keys (run on the server, against its database).

    \b
    Example:
      matcher admin service-key
    """


@admin.command("migrate")
@DATABASE_OPTION
def migrate(database_url: str | None) -> None:
    """Bring the database's schema up to date (the service also does this when it starts).

    \b
    Example:
      matcher admin migrate --database-url postgresql+psycopg://matcher@db/matcher
    """
    upgrade(create_engine(_settings(database_url).url()))
    click.echo("the database schema is up to date")


@admin.command("service-key")
@DATABASE_OPTION
@click.option("--name", default="service", show_default=True, help="What the key is for.")
def service_key(database_url: str | None, name: str) -> None:
    """Print a new service key: it creates locations and their first keys, nothing else.

    \b
    Example:
      matcher admin service-key --name provisioning
    """
    engine = create_engine(_settings(database_url).url())
    upgrade(engine)
    info, token = create_key(engine, None, name, Scope.SERVICE, datetime.now(UTC))
    click.echo(token)
    click.echo(f"(key id {info.id}: shown this once, keep it safe)", err=True)


@admin.command("location")
@DATABASE_OPTION
@click.argument("location_id")
@click.option("--name", required=True, help="The location's name.")
def location(database_url: str | None, location_id: str, name: str) -> None:
    """Create a location.

    \b
    Example:
      matcher admin location deventer --name "Home-Start Deventer"
    """
    engine = create_engine(_settings(database_url).url())
    upgrade(engine)
    DatabaseRoundStore(engine, location_id, datetime.now(UTC).date()).create_location(name)
    click.echo(f"location {location_id!r} created")


@admin.command("key")
@DATABASE_OPTION
@click.argument("location_id")
@click.option(
    "--scope",
    type=click.Choice([Scope.READ, Scope.WRITE, Scope.ADMIN]),
    default=Scope.WRITE.value,
    show_default=True,
)
@click.option("--name", required=True, help="What the key is for, e.g. the case system.")
def key(database_url: str | None, location_id: str, scope: str, name: str) -> None:
    """Print a new API key of a location.

    \b
    Example:
      matcher admin key deventer --scope write --name "case system"
    """
    engine = create_engine(_settings(database_url).url())
    upgrade(engine)
    DatabaseRoundStore(engine, location_id, datetime.now(UTC).date()).version()  # exists?
    info, token = create_key(engine, location_id, name, Scope(scope), datetime.now(UTC))
    click.echo(token)
    click.echo(f"(key id {info.id}: shown this once, keep it safe)", err=True)


@admin.command("revoke")
@DATABASE_OPTION
@click.argument("location_id")
@click.argument("key_id")
def revoke(database_url: str | None, location_id: str, key_id: str) -> None:
    """Revoke a key of a location at once.

    \b
    Example:
      matcher admin revoke deventer 5c4e93a13a256470
    """
    engine = create_engine(_settings(database_url).url())
    if not revoke_key(engine, location_id, key_id, datetime.now(UTC)):
        raise click.BadParameter(f"location {location_id!r} has no active key {key_id!r}")
    click.echo(f"key {key_id} revoked")
