"""Accounts of the web app: signing in and out, the session cookie and its row, expiry, the
lock-out after five failures, form tokens, read-only roles, and ``matcher admin user``."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cli_runs import refused, run
from click.testing import CliRunner
from fastapi.testclient import TestClient
from service_api import NOW, Api
from sqlalchemy import Engine, select
from web_client import PASSWORD, Browser, account

from matcher.cli import main
from matcher.db.engine import create_engine
from matcher.db.service_tables import UserRow, WebSessionRow
from matcher.db.store import DatabaseRoundStore
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
