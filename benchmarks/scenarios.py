"""The shipped scenarios as a coordinator runs them: the whole ``matcher solve`` command,
Python start included, against the targets (one location <= 1 s, region <= 3 s)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.timing import median_seconds
from matcher.io.rounds import load_round

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = {
    "location": ROOT / "scenarios" / "location",
    "town": ROOT / "scenarios" / "town.json",
    "region": ROOT / "scenarios" / "region.json",
}
TARGET_S = {"location": 1.0, "region": 3.0}


def python_start_seconds(repeat: int) -> float:
    """Starting Python and importing numpy: the floor under any CLI run, measured alongside."""
    command = [sys.executable, "-c", "import numpy"]
    return median_seconds(lambda: subprocess.run(command, check=True), repeat)


def cli_rows(repeat: int) -> list[dict[str, object]]:
    """Median wall time of ``matcher solve`` on each shipped scenario."""
    start = python_start_seconds(repeat)
    rows = []
    with tempfile.TemporaryDirectory() as out:
        for name, path in SCENARIOS.items():
            command = [sys.executable, "-m", "matcher", "solve", str(path), "--out", out]
            seconds = median_seconds(
                lambda command=command: subprocess.run(command, check=True, capture_output=True),
                repeat,
            )
            round_ = load_round(path)
            target = TARGET_S.get(name)
            rows.append(
                {
                    "scenario": name,
                    "volunteers": len(round_.volunteers),
                    "families": len(round_.families) - len(round_.active_matches),
                    "cli_s": round(seconds, 3),
                    "target_s": target if target is not None else "-",
                    "met": "yes" if target is None or seconds <= target else "NO",
                    "python_start_s": round(start, 3),
                    "cli_over_start": round(seconds / start, 1),
                }
            )
    return rows
