"""The web app for tests: a browser-like client (cookies kept, each form's token read from the
page it came from) and accounts of each role over a location."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from service_api import NOW, Api

from matcher.web.accounts import Role, create_user

ROOT = Path(__file__).parent.parent
PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Browser:
    """One browser: its own cookies, and the form token of the last page that had one."""

    def __init__(self, api: Api) -> None:
        self.client = TestClient(api.client.app, follow_redirects=True)
        self.csrf = ""

    def get(self, path: str, **options: Any) -> httpx.Response:
        response = self.client.get(path, **options)
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, **options: Any) -> httpx.Response:
        response = self.client.post(path, data={"csrf": self.csrf, **(data or {})}, **options)
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def sign_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        self.get("/web/aanmelden")
        return self.post("/web/aanmelden", {"email": email, "password": password})


def account(api: Api, email: str, role: Role, *locations: str) -> str:
    """An account on ``locations``; its e-mail address."""
    create_user(api.engine, email, role, locations, PASSWORD, NOW)
    return email


def scenario_zip() -> bytes:
    """The shipped location scenario as a zip of its CSV files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((ROOT / "scenarios" / "location").glob("*.csv")):
            archive.write(path, path.name)
    return buffer.getvalue()
