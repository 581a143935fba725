"""``matcher serve --demo``, as a newcomer starts it from the README: the shipped location
scenario in location ``demo``, a coordinator account printed on start that signs in at once,
and nothing left behind when the server stops."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).parent.parent
STARTED = re.compile(r"demo: (http://\S+/web/)  sign in as (\S+) with password (\S+)")


def test_the_demo_starts_with_the_scenario_and_an_account_that_signs_in(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {key: value for key, value in os.environ.items() if not key.startswith("MATCHER_")} | {
        "TMPDIR": str(tmp_path)
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "matcher", "serve", "--demo", "--port", str(port), "--workers", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        started = STARTED.match(server.stdout.readline())
        assert started, "the demo printed no address and account"
        web, email, password = started.groups()
        assert web == f"http://127.0.0.1:{port}/web/" and len(password) == 20
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith("matcher-demo-")]
        with httpx.Client(base_url=web.removesuffix("/web/"), follow_redirects=True) as browser:
            form = _when_up(browser)
            token = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert token
            waiting = browser.post(
                "/web/aanmelden",
                data={"email": email, "password": password, "csrf": token.group(1)},
            )
            assert str(waiting.url).endswith("/web/locaties/demo/gezinnen")
            assert "<h1>Wachtlijst</h1>" in waiting.text
            assert "35 regels</p>" in waiting.text  # the scenario's 35 families
            volunteers = browser.get("/web/locaties/demo/vrijwilligers")
            assert "25 regels</p>" in volunteers.text
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("matcher-demo-")]


def _when_up(browser: httpx.Client) -> httpx.Response:
    deadline = time.monotonic() + 60
    while True:
        try:
            return browser.get("/web/aanmelden")
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
