"""Benchmarks for the matching engine: speed on the shipped scenarios and the greedy comparison.

Usage: ``python benchmarks/run.py [--repeat N]``. Writes ``benchmarks/results/latest.md`` and
``latest.csv`` (with machine, versions and commit) and prints the Markdown.

Speed is reported as medians over ``--repeat`` runs, and as ratios against a peer measured in the
same run on the same machine: the whole CLI run against a bare ``python -c "import numpy"``
start, and the in-process solve against scipy's ``linear_sum_assignment`` on the round's own
weight matrix (an exact solver for the capacity-1, slot-free relaxation).
"""

from __future__ import annotations

import argparse
import csv
import io
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from matcher import evaluate, prepare, solve_prepared
from matcher.check.evaluate import assignment_of
from matcher.io.rounds import load_round
from matcher.scoring.candidates import score_candidates
from matcher.solve.greedy import greedy_assignment

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = {
    "location": ROOT / "scenarios" / "location",
    "town": ROOT / "scenarios" / "town.json",
    "region": ROOT / "scenarios" / "region.json",
}
TARGET_CLI_S = {"location": 1.0, "region": 3.0}


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``run`` over ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cli_seconds(scenario: Path, repeat: int) -> float:
    """Median wall time of a whole ``matcher solve`` run, Python start included."""
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "matcher", "solve", str(scenario), "--out", out]
        return median_seconds(
            lambda: subprocess.run(command, check=True, capture_output=True), repeat
        )


def python_start_seconds(repeat: int) -> float:
    """Median wall time of starting Python and importing numpy: the floor of any CLI run."""
    command = [sys.executable, "-c", "import numpy"]
    return median_seconds(lambda: subprocess.run(command, check=True), repeat)


def benchmark(name: str, path: Path, repeat: int, start_s: float) -> dict[str, object]:
    """All figures for one scenario."""
    round_ = load_round(path)
    prepared = prepare(round_)
    result = solve_prepared(prepared)
    candidates = score_candidates(prepared)
    weights = np.zeros((len(prepared.families), len(prepared.volunteers)), dtype=np.int64)
    weights[candidates.family, candidates.volunteer] = candidates.weight
    solve_s = median_seconds(lambda: solve_prepared(prepare(round_)), repeat)
    lsa_s = median_seconds(lambda: linear_sum_assignment(weights, maximize=True), repeat)
    cli_s = cli_seconds(path, repeat)
    optimum = evaluate(round_, assignment_of(result.proposals))
    greedy = evaluate(round_, greedy_assignment(candidates))
    assert optimum.objective == result.report.objective and not optimum.violations
    assert not greedy.violations
    waiting = result.report.families_waiting
    return {
        "scenario": name,
        "volunteers": len(round_.volunteers),
        "families_waiting": waiting,
        "candidate_pairs": result.report.candidate_pairs,
        "status": str(result.report.status),
        "gap": result.report.gap,
        "cli_s": round(cli_s, 3),
        "cli_target_s": TARGET_CLI_S.get(name, ""),
        "cli_over_python_start": round(cli_s / start_s, 2),
        "solve_s": float(f"{solve_s:.3g}"),
        "lsa_s": float(f"{lsa_s:.3g}"),
        "solve_over_lsa": round(solve_s / lsa_s, 1),
        "matched_optimal": optimum.families_matched,
        "matched_greedy": greedy.families_matched,
        "quality_optimal": round(optimum.quality_points / 1000, 2),
        "quality_greedy": round(greedy.quality_points / 1000, 2),
        "priority_optimal": optimum.priority_points,
        "priority_greedy": greedy.priority_points,
    }


def machine() -> str:
    """Where and with what the figures were measured."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return (
        f"{platform.machine()}, {platform.processor() or 'cpu'}, "
        f"Python {platform.python_version()}, ortools {version('ortools')}, "
        f"numpy {version('numpy')}, scipy {version('scipy')}, commit {commit or 'unknown'}"
    )


def markdown(rows: list[dict[str, object]], start_s: float) -> str:
    """The results as Markdown tables."""
    lines = [
        f"Machine: {machine()}. Python + numpy start: {start_s:.3f} s (median).",
        "",
        "| scenario | volunteers | waiting | pairs | status | gap | CLI s (target) "
        "| CLI / start | solve s | LSA s | solve / LSA |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        target = f" (≤ {r['cli_target_s']})" if r["cli_target_s"] else ""
        lines.append(
            f"| {r['scenario']} | {r['volunteers']} | {r['families_waiting']} "
            f"| {r['candidate_pairs']} | {r['status']} | {r['gap']} | {r['cli_s']}{target} "
            f"| {r['cli_over_python_start']} | {r['solve_s']} | {r['lsa_s']} "
            f"| {r['solve_over_lsa']} |"
        )
    lines += [
        "",
        "Optimal vs first-come-first-served greedy (families matched; total quality; "
        "priority points):",
        "",
        "| scenario | matched optimal | matched greedy | quality optimal | quality greedy "
        "| priority optimal | priority greedy |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['scenario']} | {r['matched_optimal']} | {r['matched_greedy']} "
        f"| {r['quality_optimal']} | {r['quality_greedy']} | {r['priority_optimal']} "
        f"| {r['priority_greedy']} |"
        for r in rows
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run every benchmark and write the results table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median)")
    args = parser.parse_args()
    start_s = python_start_seconds(args.repeat)
    rows = [benchmark(name, path, args.repeat, start_s) for name, path in SCENARIOS.items()]
    text = markdown(rows, start_s)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.md").write_text(text, encoding="utf-8")
    (results / "latest.csv").write_text(f"# {machine()}\n" + buffer.getvalue(), encoding="utf-8")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
