"""The shipped scenarios and a national round as a coordinator runs them: the whole
``matcher solve`` command, Python start and every output file included, against the targets
(one location <= 1 s, region <= 3 s, national 3,000 x 4,000 <= 2 s). Each shipped scenario must
also reach its recorded optimum: a change that makes the engine faster must not change it."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.timing import median_seconds
from matcher import Round
from matcher.io.rounds import load_round

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = {
    "location": ROOT / "scenarios" / "location",
    "town": ROOT / "scenarios" / "town.json",
    "region": ROOT / "scenarios" / "region.json",
}
TARGET_S = {"location": 1.0, "region": 3.0, "national": 2.0}
OBJECTIVES = {"location": 67187121, "town": 1216281213, "region": 53507735248}
"""The proven optimum of each shipped scenario (flow backend), at its own date (2026-11-24)."""


def python_start_seconds(repeat: int) -> float:
    """Starting Python and importing numpy: the floor under any CLI run, measured alongside."""
    command = [sys.executable, "-c", "import numpy"]
    return median_seconds(lambda: subprocess.run(command, check=True), repeat)


def cli_rows(repeat: int, national: Round | None = None) -> list[dict[str, object]]:
    """Median wall time of ``matcher solve`` on each shipped scenario (and ``national``, when
    given), with the objective it reached."""
    start = python_start_seconds(repeat)
    rows = []
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        rounds = dict(SCENARIOS)
        if national is not None:
            rounds["national"] = folder / "national.json"
            rounds["national"].write_text(national.model_dump_json(), encoding="utf-8")
        for name, path in rounds.items():
            out = folder / name
            command = [sys.executable, "-m", "matcher", "solve", str(path), "--out", str(out)]
            seconds = median_seconds(
                lambda command=command: subprocess.run(command, check=True, capture_output=True),
                repeat,
            )
            objective = json.loads((out / "result.json").read_text())["report"]["objective"]
            round_ = national if name == "national" and national is not None else load_round(path)
            target = TARGET_S.get(name)
            expected = OBJECTIVES.get(name)
            rows.append(
                {
                    "scenario": name,
                    "volunteers": len(round_.volunteers),
                    "families": len(round_.families) - len(round_.active_matches),
                    "cli_s": round(seconds, 3),
                    "target_s": target if target is not None else "-",
                    "met": "yes" if target is None or seconds <= target else "NO",
                    "objective": objective,
                    "same_objective": "-"
                    if expected is None
                    else ("yes" if objective == expected else "NO"),
                    "python_start_s": round(start, 3),
                    "cli_over_start": round(seconds / start, 1),
                }
            )
    return rows
