"""``matcher admin user``: an account for the web app (coordinators, regional managers,
admins), created on the server against the service's database."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from matcher.cli.service import DATABASE_OPTION, _settings, admin
from matcher.db.engine import create_engine
from matcher.db.migrate import upgrade
from matcher.web.accounts import AccountError, Role, create_user, new_password


@admin.command("user")
@DATABASE_OPTION
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    default=Role.COORDINATOR.value,
    show_default=True,
    help="coordinator: one location, reads and writes; regional_manager: reads its "
    "locations; admin: every location.",
)
@click.option(
    "--location",
    "locations",
    multiple=True,
    help="The location (repeat for a regional manager's locations).",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of printing a new one.",
)
def user(
    database_url: str | None,
    email: str,
    role: str,
    locations: tuple[str, ...],
    password_stdin: bool,
) -> None:
    """Create a web app account. Without --password-stdin a random password is printed
    (shown this once: hand it over safely). Either way the person chooses a password of their
    own at the first sign-in.

    \b
    Example:
      matcher admin user anna@homestart-deventer.nl --role coordinator --location deventer
      matcher admin user piet@example.nl --location deventer --password-stdin < secret.txt
    """
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else new_password()
    engine = create_engine(_settings(database_url).url())
    upgrade(engine)
    try:
        account = create_user(
            engine,
            email,
            Role(role),
            tuple(locations),
            password,
            datetime.now(UTC),
            must_change_password=True,
        )
    except AccountError as error:
        raise click.BadParameter(str(error)) from None
    if not password_stdin:
        click.echo(password)
        click.echo(f"(password of {account.email}: shown this once, keep it safe)", err=True)
    else:
        click.echo(f"account {account.email} created")
