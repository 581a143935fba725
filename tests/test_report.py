"""The HTML report: self-contained, ids only, and it renders in a real headless browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from matcher import prepare, solve_prepared
from matcher.io.rounds import load_round
from matcher.report.html import round_report

ROOT = Path(__file__).parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    prepared = prepare(load_round(ROOT / "scenarios" / "location"))
    result = solve_prepared(prepared)
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(round_report(prepared, result), encoding="utf-8")
    return path


def test_the_report_is_self_contained_and_complete(page: Path) -> None:
    text = page.read_text()
    assert re.search(r'(src|href)="https?://', text) is None
    assert "<script" not in text and "<link" not in text
    assert text.count("<svg") == 3  # map, distances, half-days
    for heading in ("Proposals", "Score breakdown", "Families without a proposal", "Shortlists"):
        assert f"<h2>{heading}</h2>" in text
    assert "F0001" in text and "optimal" in text


def test_the_same_round_gives_the_same_page(page: Path) -> None:
    prepared = prepare(load_round(ROOT / "scenarios" / "location"))
    assert round_report(prepared, solve_prepared(prepared)) == page.read_text()


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (under CI this test fails instead)",
)
def test_it_renders_in_headless_chromium_without_console_errors(page: Path, tmp_path: Path) -> None:
    assert CHROMIUM is not None, "CI must install Debian's chromium (.ci/run does)"
    shot = tmp_path / "report.png"
    run = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1200,1800",
            "--enable-logging=stderr",
            "--v=0",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "CONSOLE" not in run.stderr, run.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 20_000
