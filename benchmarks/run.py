"""Run the benchmarks and write the results table.

    python -m benchmarks.run --quick   # CI: known optima on small instances, asserted (~1 min)
    python -m benchmarks.run           # everything, with the national round (~15 min)

Writes ``benchmarks/results/{quick,full}.md`` and one CSV per table, headed by the machine,
versions and commit. Speed is given as medians and as ratios to a peer measured in the same run.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from benchmarks import national, orlib, peers, scenarios
from matcher.io.rounds import load_round

RESULTS = Path(__file__).parent / "results"
LAP_QUICK = ["assign100", "assign200", "assign300"]
LAP_ALL = [f"assign{n}" for n in range(100, 900, 100)]
GAP_ALL = [f"gap{i}" for i in range(1, 13)] + ["gapa", "gapb", "gapc", "gapd"]


def machine() -> str:
    """Where and with what the figures were measured."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=Path(__file__).parent,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"ortools {version('ortools')}, numpy {version('numpy')}, scipy {version('scipy')}, "
        f"commit {commit or 'unknown'}"
    )


def table(rows: list[dict[str, object]]) -> str:
    """Rows as a Markdown table."""
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(row[h]) for h in header) + " |" for row in rows]
    return "\n".join(lines)


def write(mode: str, sections: dict[str, list[dict[str, object]]], notes: list[str]) -> str:
    """Write the Markdown report and a CSV per section; return the Markdown."""
    RESULTS.mkdir(exist_ok=True)
    parts = [f"Machine: {machine()}.", *notes]
    for title, rows in sections.items():
        parts += [f"### {title}", table(rows)]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        slug = title.split(":")[0].lower().replace(" ", "_")
        (RESULTS / f"{mode}_{slug}.csv").write_text(f"# {machine()}\n{buffer.getvalue()}")
    text = "\n\n".join(parts) + "\n"
    (RESULTS / f"{mode}.md").write_text(text, encoding="utf-8")
    return text


def quick() -> str:
    """Known optima on the small instances, asserted: fails loudly if one is missed."""
    lap = orlib.lap_rows(LAP_QUICK, repeat=3)
    gap = orlib.gap_rows([f"gap{i}" for i in range(1, 13)], time_limit_s=30, workers=1)
    missed = [r["instance"] for r in lap + gap if not r["reached"]]
    if missed:
        sys.exit(f"known optimum not reached: {', '.join(map(str, missed))}")
    return write("quick", {"LAP: OR-Library, engine vs scipy": lap, "GAP: gap1-12": gap}, [])


def full(repeat: int, time_limit_s: float) -> str:
    """Every benchmark: scenarios, scaling, national, OR-Library, peers."""
    scaling = national.scaling_rows(national.SIZES, repeat=3)
    plot_note = national.plot(scaling, RESULTS / "scaling.svg")
    rounds = {name: load_round(path) for name, path in scenarios.SCENARIOS.items()}
    rounds["national"] = national.national_round(3000, 4000)
    timefold, timefold_note = peers.timefold()
    extra = {"Timefold": timefold} if timefold is not None else {}
    return write(
        "full",
        {
            "CLI on the shipped scenarios: medians": scenarios.cli_rows(repeat),
            "Scaling: score + build + solve, fresh process each": scaling,
            "Peers: same rounds, same checker": peers.peer_rows(rounds, time_limit_s, extra),
            "LAP: OR-Library, engine vs scipy": orlib.lap_rows(LAP_ALL, repeat),
            "GAP: OR-Library gap1-12 (max) and gapa-d (min)": orlib.gap_rows(
                GAP_ALL, time_limit_s=time_limit_s, workers=2
            ),
        },
        [plot_note, timefold_note],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmarks of the matching engine.")
    parser.add_argument("--quick", action="store_true", help="CI mode: small known optima only")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (median)")
    parser.add_argument(
        "--time-limit", type=float, default=60.0, help="seconds per CP-SAT solve (peers and GAP)"
    )
    args = parser.parse_args()
    text = quick() if args.quick else full(args.repeat, args.time_limit)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
