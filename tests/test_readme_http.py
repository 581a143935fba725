"""The README's "Embedding over HTTP" example, run as it stands: a service started, a location
and key created, a round imported, solved by a worker and a proposal accepted, over curl."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def _example() -> str:
    text = (ROOT / "README.md").read_text()
    found = re.search(r"<!-- http-example -->\n```sh\n(.*?)```", text, re.S)
    assert found, "the README lost its HTTP example"
    return found.group(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.skipif(
    shutil.which("curl") is None and not os.environ.get("CI"), reason="curl is not installed"
)
def test_the_readme_http_example_runs(tmp_path: Path) -> None:
    matcher = Path(sys.executable).parent / "matcher"
    assert matcher.exists(), "the matcher command must be installed beside python (pip install)"
    script = tmp_path / "example.sh"
    # A failing step must not leave the server running.
    script.write_text("set -euo pipefail\ntrap 'kill ${SERVER:-} 2>/dev/null' EXIT\n" + _example())
    env = os.environ | {
        "PORT": str(_free_port()),
        "PATH": f"{matcher.parent}{os.pathsep}{os.environ['PATH']}",
    }
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")  # the example's paths, in a folder
    done = subprocess.run(  # of its own: its ./matcher-data goes there
        ["bash", str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert '"status":"accepted"' in done.stdout, done.stdout[-2000:]
    assert "'status': 'optimal'" in done.stdout
