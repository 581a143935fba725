"""Accounts of the web app: signing in and out, the session cookie and its row, expiry, the
lock-out after five failures, form tokens, read-only roles, ``matcher admin user``, choosing a
new password (at the first sign-in and at any time) and the migration that added it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from cli_runs import refused, run
from click.testing import CliRunner
from fastapi.testclient import TestClient
from service_api import NOW, Api
from sqlalchemy import Engine, column, insert, inspect, select, table
from web_client import PASSWORD, Browser, account

from matcher.cli import main
from matcher.db.engine import create_engine
from matcher.db.migrate import current, downgrade, upgrade
from matcher.db.service_tables import UserRow, WebSessionRow
from matcher.db.store import DatabaseRoundStore
from matcher.db.tables import UtcDateTime
from matcher.service.app import create_app
from matcher.service.settings import ServiceSettings
from matcher.web.accounts import AccountError, Role, authenticate, create_user
from matcher.web.sessions import COOKIE

pytest_plugins = ["service_api"]

REFUSED = (
    "Inloggen is niet gelukt. Controleer je e-mailadres en wachtwoord. "
    "Na 5 mislukte pogingen is inloggen 15 minuten geblokkeerd."
)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(engine: Engine, clock: Clock) -> Iterator[TestClient]:
    """The app on a clock the test moves, with location A and an account of its coordinator."""
    app = create_app(ServiceSettings(), engine=engine, clock=clock, migrate=False)
    DatabaseRoundStore(engine, "A", NOW.date()).create_location("Location A")
    create_user(engine, "anna@example.nl", Role.COORDINATOR, ("A",), PASSWORD, NOW)
    with TestClient(app) as test_client:
        yield test_client


def _sign_in(client: TestClient, email: str, password: str = PASSWORD) -> httpx.Response:
    page = client.get("/web/aanmelden")
    token = page.text.split('name="csrf" value="')[1].split('"')[0]
    return client.post(
        "/web/aanmelden",
        data={"email": email, "password": password, "csrf": token},
        follow_redirects=False,
    )


def test_signing_in_sets_a_strict_cookie_and_keeps_only_its_hash(
    client: TestClient, engine: Engine
) -> None:
    response = _sign_in(client, "anna@example.nl")
    assert response.status_code == 303
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(COOKIE))
    token = cookie.split(";")[0].split("=", 1)[1]
    flags = [part.strip().lower() for part in cookie.split(";")[1:]]
    assert "httponly" in flags and "samesite=lax" in flags and "path=/web" in flags
    assert "secure" not in flags  # plain http: a Secure cookie would never come back
    with engine.connect() as connection:
        stored = connection.scalars(select(WebSessionRow.id)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    assert "Wachtlijst" in client.get("/web/locaties/A/gezinnen").text


def test_over_https_the_cookie_is_secure(engine: Engine, clock: Clock) -> None:
    app = create_app(ServiceSettings(), engine=engine, clock=clock, migrate=False)
    DatabaseRoundStore(engine, "A", NOW.date()).create_location("Location A")
    create_user(engine, "anna@example.nl", Role.COORDINATOR, ("A",), PASSWORD, NOW)
    with TestClient(app, base_url="https://testserver") as https:
        response = _sign_in(https, "anna@example.nl")
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(COOKIE))
    assert "secure" in [part.strip().lower() for part in cookie.split(";")]


def test_signing_out_ends_the_session(client: TestClient, engine: Engine) -> None:
    _sign_in(client, "anna@example.nl")
    page = client.get("/web/locaties/A/gezinnen")
    token = page.text.split('name="csrf" value="')[1].split('"')[0]
    old_cookie = client.cookies.get(COOKIE)
    out = client.post("/web/afmelden", data={"csrf": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/web/aanmelden"
    with engine.connect() as connection:
        assert connection.scalars(select(WebSessionRow.id)).all() == []
    client.cookies.set(COOKIE, old_cookie or "", path="/web")
    again = client.get("/web/locaties/A/gezinnen", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/web/aanmelden"


def test_a_session_expires_after_a_working_day(client: TestClient, clock: Clock) -> None:
    _sign_in(client, "anna@example.nl")
    clock.now = NOW + timedelta(hours=7, minutes=59)
    assert client.get("/web/locaties/A/gezinnen", follow_redirects=False).status_code == 200
    clock.now = NOW + timedelta(hours=8)
    expired = client.get("/web/locaties/A/gezinnen", follow_redirects=False)
    assert expired.status_code == 303 and expired.headers["location"] == "/web/aanmelden"


def test_a_failed_sign_in_does_not_tell_whether_the_account_exists(client: TestClient) -> None:
    wrong = _sign_in(client, "anna@example.nl", "not the password")
    unknown = _sign_in(client, "nobody@example.nl", "not the password")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert REFUSED in response.text
        assert COOKIE not in response.headers.get("set-cookie", "")


def test_five_failures_lock_the_account_for_fifteen_minutes(
    client: TestClient, clock: Clock, engine: Engine
) -> None:
    for _ in range(5):
        assert _sign_in(client, "anna@example.nl", "wrong").status_code == 401
    locked = _sign_in(client, "anna@example.nl")  # the right password, but locked
    assert locked.status_code == 401 and REFUSED in locked.text
    with engine.connect() as connection:
        until = connection.scalar(select(UserRow.locked_until))
    assert until == NOW + timedelta(minutes=15)
    clock.now = NOW + timedelta(minutes=14, seconds=59)
    assert _sign_in(client, "anna@example.nl").status_code == 401
    clock.now = NOW + timedelta(minutes=15)
    assert _sign_in(client, "anna@example.nl").status_code == 303


def test_four_failures_then_success_start_the_count_again(client: TestClient) -> None:
    for _ in range(4):
        _sign_in(client, "anna@example.nl", "wrong")
    assert _sign_in(client, "anna@example.nl").status_code == 303
    client.cookies.clear()
    for _ in range(4):
        _sign_in(client, "anna@example.nl", "wrong")
    assert _sign_in(client, "anna@example.nl").status_code == 303


def test_a_form_without_its_token_is_refused_and_changes_nothing(api: Api) -> None:
    api.location("A")
    browser = Browser(api)
    browser.sign_in(account(api, "anna@example.nl", Role.COORDINATOR, "A"))
    family = {
        "id": "F1",
        "postcode": "7411AB",
        "registered": "2026-11-01",
        "children": "2",
        "speaks_dutch": "on",
    }
    for token in ("", "forged"):
        browser.csrf = token
        refused = browser.post("/web/locaties/A/gezinnen", family)
        assert refused.status_code == 403
        assert "Het formulier is verlopen" in refused.text
    assert DatabaseRoundStore(api.engine, "A", NOW.date()).load().families == ()
    browser.get("/web/locaties/A/gezinnen")
    made = browser.post("/web/locaties/A/gezinnen", family)
    assert made.status_code == 200, re.findall(r"error\">([^<]*)", made.text)
    assert [f.id for f in DatabaseRoundStore(api.engine, "A", NOW.date()).load().families] == ["F1"]


def test_the_sign_in_form_needs_its_own_token(client: TestClient) -> None:
    client.get("/web/aanmelden")
    forged = client.post(
        "/web/aanmelden",
        data={"email": "anna@example.nl", "password": PASSWORD, "csrf": "forged"},
        follow_redirects=False,
    )
    assert forged.status_code == 403 and COOKIE not in forged.headers.get("set-cookie", "")


def test_a_regional_manager_reads_but_cannot_change(api: Api) -> None:
    api.location("A")
    browser = Browser(api)
    browser.sign_in(account(api, "rita@example.nl", Role.REGIONAL_MANAGER, "A"))
    page = browser.get("/web/locaties/A/gezinnen")
    assert page.status_code == 200 and "Toevoegen" not in page.text
    refused = browser.post("/web/locaties/A/gezinnen", {"id": "F1"})
    assert refused.status_code == 403 and "alleen bekijken" in refused.text
    assert browser.post("/web/locaties/A/rondes").status_code == 403


def test_accounts_refuse_what_cannot_work(engine: Engine) -> None:
    DatabaseRoundStore(engine, "A", NOW.date()).create_location("Location A")
    with pytest.raises(AccountError, match="12 characters"):
        create_user(engine, "a@example.nl", Role.COORDINATOR, ("A",), "short", NOW)
    with pytest.raises(AccountError, match="no such location: B"):
        create_user(engine, "a@example.nl", Role.COORDINATOR, ("B",), PASSWORD, NOW)
    with pytest.raises(AccountError, match="exactly one location"):
        create_user(engine, "a@example.nl", Role.COORDINATOR, (), PASSWORD, NOW)
    create_user(engine, "a@example.nl", Role.COORDINATOR, ("A",), PASSWORD, NOW)
    with pytest.raises(AccountError, match="has an account already"):
        create_user(engine, "A@example.nl", Role.ADMIN, (), PASSWORD, NOW)


def test_the_admin_command_creates_an_account(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'matcher.db'}"
    assert (
        run("admin", "location", "deventer", "--name", "Deventer", "--database-url", url).exit_code
        == 0
    )
    made = run("admin", "user", "anna@example.nl", "--location", "deventer", "--database-url", url)
    assert made.exit_code == 0, made.output
    password = made.stdout.strip()
    assert len(password) == 20
    engine = create_engine(url)
    assert authenticate(engine, "anna@example.nl", password, NOW) is not None
    again = run("admin", "user", "anna@example.nl", "--location", "deventer", "--database-url", url)
    refused(again, "has an account already")
    unknown = run("admin", "user", "bo@example.nl", "--location", "zwolle", "--database-url", url)
    refused(unknown, "no such location: zwolle")
    piped = CliRunner().invoke(
        main,
        [
            "admin",
            "user",
            "piet@example.nl",
            "--role",
            "regional_manager",
            "--location",
            "deventer",
            "--password-stdin",
            "--database-url",
            url,
        ],
        input=PASSWORD + "\n",
    )
    assert piped.exit_code == 0, piped.output
    assert PASSWORD not in piped.output
    found = authenticate(engine, "piet@example.nl", PASSWORD, NOW)
    assert found is not None and found.role is Role.REGIONAL_MANAGER
    engine.dispose()


def test_each_role_sees_its_locations(api: Api) -> None:
    for name in ("A", "B", "C"):
        api.location(name)
    manager = Browser(api)
    manager.sign_in(account(api, "rita@example.nl", Role.REGIONAL_MANAGER, "A", "B"))
    home = manager.get("/web/").text
    assert "Location A" in home and "Location B" in home and "Location C" not in home
    assert manager.get("/web/locaties/B/vrijwilligers").status_code == 200
    assert manager.get("/web/locaties/C/vrijwilligers").status_code == 404
    admin = Browser(api)
    admin.sign_in(account(api, "root@example.nl", Role.ADMIN))
    assert all(f"Location {name}" in admin.get("/web/").text for name in "ABC")
    assert "Toevoegen" in admin.get("/web/locaties/C/gezinnen").text


# -- choosing a new password -------------------------------------------------------------------

NEW_PASSWORD = "a password of my very own"


def _form_token(page: httpx.Response) -> str:
    return page.text.split('name="csrf" value="')[1].split('"')[0]


def _field_error(page: httpx.Response, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page.text)
    return found.group(1) if found else ""


def test_an_account_the_admin_made_chooses_its_password_before_anything_else(
    client: TestClient, engine: Engine
) -> None:
    create_user(
        engine, "bo@example.nl", Role.COORDINATOR, ("A",), PASSWORD, NOW, must_change_password=True
    )
    signed_in = _sign_in(client, "bo@example.nl")
    assert signed_in.status_code == 303
    for path in ("/web/", "/web/locaties/A/gezinnen", "/web/locaties/A/import"):
        sent = client.get(path, follow_redirects=False)
        assert sent.status_code == 303 and sent.headers["location"] == "/web/wachtwoord", path
    page = client.get("/web/wachtwoord")
    assert "<h1>Kies een nieuw wachtwoord</h1>" in page.text
    token = _form_token(page)
    refused = client.post(
        "/web/locaties/A/gezinnen", data={"csrf": token, "id": "F1"}, follow_redirects=False
    )
    assert refused.status_code == 303 and refused.headers["location"] == "/web/wachtwoord"

    def change(current: str, new: str, repeated: str) -> httpx.Response:
        data = {"csrf": token, "current": current, "new": new, "repeated": repeated}
        return client.post("/web/wachtwoord", data=data, follow_redirects=False)

    short = change(PASSWORD, "too short", "too short")
    assert short.status_code == 422
    assert _field_error(short, "new") == "Een wachtwoord heeft minstens 12 tekens nodig."
    same = change(PASSWORD, PASSWORD, PASSWORD)
    assert _field_error(same, "new") == "Kies een ander wachtwoord dan je huidige."
    mismatch = change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert _field_error(mismatch, "repeated") == "De twee nieuwe wachtwoorden zijn niet gelijk."
    assert _field_error(mismatch, "new") == ""
    wrong = change("not my password", NEW_PASSWORD, NEW_PASSWORD)
    assert _field_error(wrong, "current") == "Dit is niet je huidige wachtwoord."
    assert 'aria-invalid="true" aria-describedby="current-error"' in wrong.text
    assert authenticate(engine, "bo@example.nl", PASSWORD, NOW) is not None  # nothing changed

    changed = change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    assert changed.status_code == 303 and changed.headers["location"] == "/web/"
    assert client.get("/web/locaties/A/gezinnen", follow_redirects=False).status_code == 200
    assert authenticate(engine, "bo@example.nl", PASSWORD, NOW) is None
    found = authenticate(engine, "bo@example.nl", NEW_PASSWORD, NOW)
    assert found is not None and not found.must_change_password


def test_a_must_change_account_can_still_sign_out(client: TestClient, engine: Engine) -> None:
    create_user(
        engine, "bo@example.nl", Role.COORDINATOR, ("A",), PASSWORD, NOW, must_change_password=True
    )
    _sign_in(client, "bo@example.nl")
    token = _form_token(client.get("/web/wachtwoord"))
    out = client.post("/web/afmelden", data={"csrf": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/web/aanmelden"


def test_changing_the_password_at_any_time_signs_out_the_other_browsers(
    client: TestClient, engine: Engine
) -> None:
    other = TestClient(client.app)
    _sign_in(other, "anna@example.nl")
    _sign_in(client, "anna@example.nl")
    page = client.get("/web/wachtwoord")
    assert "<h1>Wachtwoord wijzigen</h1>" in page.text
    assert 'href="/web/wachtwoord"' in client.get("/web/locaties/A/gezinnen").text
    changed = client.post(
        "/web/wachtwoord",
        data={
            "csrf": _form_token(page),
            "current": PASSWORD,
            "new": NEW_PASSWORD,
            "repeated": NEW_PASSWORD,
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert client.get("/web/locaties/A/gezinnen", follow_redirects=False).status_code == 200
    gone = other.get("/web/locaties/A/gezinnen", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"] == "/web/aanmelden"
    with engine.connect() as connection:
        assert len(connection.scalars(select(WebSessionRow.id)).all()) == 1


def test_the_password_form_needs_its_token(client: TestClient, engine: Engine) -> None:
    _sign_in(client, "anna@example.nl")
    forged = client.post(
        "/web/wachtwoord",
        data={"csrf": "forged", "current": PASSWORD, "new": NEW_PASSWORD, "repeated": NEW_PASSWORD},
    )
    assert forged.status_code == 403
    assert authenticate(engine, "anna@example.nl", PASSWORD, NOW) is not None


def test_the_admin_command_makes_an_account_that_must_choose_its_password(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'matcher.db'}"
    run("admin", "location", "deventer", "--name", "Deventer", "--database-url", url)
    made = run("admin", "user", "anna@example.nl", "--location", "deventer", "--database-url", url)
    engine = create_engine(url)
    found = authenticate(engine, "anna@example.nl", made.stdout.strip(), NOW)
    assert found is not None and found.must_change_password
    engine.dispose()


def test_the_migration_from_0003_keeps_the_accounts_signing_in_as_before(
    empty_engine: Engine,
) -> None:
    upgrade(empty_engine, "0003")
    DatabaseRoundStore(empty_engine, "A", NOW.date()).create_location("Location A")
    users_0003 = table(
        "users",
        *(column(name) for name in ("id", "email", "role", "locations")),
        column("password_hash"),
        column("failed_attempts"),
        column("created", UtcDateTime()),
    )
    with empty_engine.begin() as connection:
        connection.execute(
            insert(users_0003).values(
                id="u1",
                email="anna@example.nl",
                role="coordinator",
                locations="A",
                password_hash=PasswordHasher().hash(PASSWORD),
                failed_attempts=0,
                created=NOW,
            )
        )
    upgrade(empty_engine)
    assert current(empty_engine) == "0004"
    found = authenticate(empty_engine, "anna@example.nl", PASSWORD, NOW)
    assert found is not None and not found.must_change_password
    downgrade(empty_engine, "0003")
    columns = {column["name"] for column in inspect(empty_engine).get_columns("users")}
    assert "must_change_password" not in columns and "email" in columns
    with empty_engine.connect() as connection:
        assert connection.scalar(select(users_0003.c.email)) == "anna@example.nl"
