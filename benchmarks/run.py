"""Run the benchmarks and write the results table.

    python -m benchmarks.run --quick          # CI: known optima on small instances, asserted
    python -m benchmarks.run                  # every section (about 20 minutes on 2 cores)
    python -m benchmarks.run --only scaling   # one section again; the report keeps the others
    python -m benchmarks.run --only cli       # the CLI timings (shipped scenarios, national)
    python -m benchmarks.run --only recommend # one family's recommendations: latency
    python -m benchmarks.run --only time_limit   # CP-SAT's time limit kept (region)
    python -m benchmarks.run --only service   # the HTTP service: latency and a mixed load

Each section writes ``benchmarks/results/<section>.md`` and ``.csv`` headed by the machine,
versions and commit; ``full.md`` joins the sections. Speed is given as medians and as ratios
to a peer measured in the same run.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from benchmarks import (
    fuzz,
    national,
    orlib,
    peers,
    recommend,
    scenarios,
    service,
    simulation,
    time_limit,
)
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


def write_section(name: str, title: str, rows: list[dict[str, object]], notes: list[str]) -> None:
    """One section's Markdown (title, machine, notes, table) and CSV."""
    RESULTS.mkdir(exist_ok=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (RESULTS / f"{name}.csv").write_text(f"# {machine()}\n{buffer.getvalue()}", encoding="utf-8")
    parts = [f"### {title}", f"Machine: {machine()}.", *notes, table(rows)]
    (RESULTS / f"{name}.md").write_text("\n\n".join(parts) + "\n", encoding="utf-8")


def cli_section(args: argparse.Namespace) -> tuple[list[dict[str, object]], list[str]]:
    rows = scenarios.cli_rows(args.repeat, national.national_round(3000, 4000))
    changed = [str(r["scenario"]) for r in rows if r["same_objective"] == "NO"]
    if changed:
        sys.exit(f"objective changed on shipped scenarios: {', '.join(changed)}")
    return rows, [
        "national: 3,000 volunteers x 4,000 families over every province (see Scaling), every "
        "output file written (CSV, JSON, results.xlsx). same_objective: the proven optimum "
        "recorded for each shipped scenario is reached again."
    ]


def scaling_section(args: argparse.Namespace) -> tuple[list[dict[str, object]], list[str]]:
    rows = national.scaling_rows(repeat=3)
    return rows, [
        "Median of 3 fresh processes per size; one run of rounds above "
        f"{national.SINGLE_RUN_PAIRS:,} families x volunteers. Seconds cover scoring (the pairs "
        "within reach), the exact min-cost flow and the explanations; peak_mb is the process's "
        "peak resident memory, generating the round included.",
        national.plot(rows, RESULTS / "scaling.svg"),
    ]


def peers_section(args: argparse.Namespace) -> tuple[list[dict[str, object]], list[str]]:
    rounds = {name: load_round(path) for name, path in scenarios.SCENARIOS.items()}
    rounds["national"] = national.national_round(3000, 4000)
    timefold, note = peers.timefold()
    extra = {"Timefold": timefold} if timefold is not None else {}
    return peers.peer_rows(rounds, args.time_limit, extra), [
        f"Time limit {args.time_limit:g} s for CP-SAT and Timefold.",
        note,
    ]


def lap_section(args: argparse.Namespace) -> tuple[list[dict[str, object]], list[str]]:
    return orlib.lap_rows(LAP_ALL, args.repeat), []


def gap_section(args: argparse.Namespace) -> tuple[list[dict[str, object]], list[str]]:
    rows = orlib.gap_rows(GAP_ALL, time_limit_s=args.time_limit, workers=2)
    reached = sum(bool(r["reached"]) for r in rows)
    return rows, [
        f"Known value reached on {reached} of {len(rows)} instances "
        f"({args.time_limit:g} s per instance, 2 workers)."
    ]


def simulation_section(args: argparse.Namespace) -> tuple[list[dict[str, object]], list[str]]:
    return simulation.simulation_rows(), [
        "One week = arrivals, closures, churn, cohorts and (every 2 weeks) a matching round "
        "with the real engine; 52 weeks per replication."
    ]


def recommend_section(args: argparse.Namespace) -> tuple[list[dict[str, object]], list[str]]:
    return recommend.recommend_rows(args.repeat), [
        f"Once the round is prepared, in one process: {recommend.ASKED} families of the round "
        f"(all when fewer) asked about {args.repeat} times each (median and 95th percentile of "
        f"all calls), and {recommend.POSTED} of them posted again as new records. The same "
        "pairs through the full-round scoring path: score_candidates on a round of that family "
        "alone (no near misses, no reasons), and on the whole round; solve_prepared is what a "
        "shortlist from a solve costs. Wall and CPU time per call; ratio_to_recommend: median "
        "CPU time over recommend's on that round (CPU time holds when others load the machine)."
    ]


def service_section(args: argparse.Namespace) -> tuple[list[dict[str, object]], list[str]]:
    rows = service.service_rows(seconds=15.0, round_repeat=max(args.repeat, 20))
    return rows, [
        "matcher serve (uvicorn and one job worker, SQLite) on loopback; the load generator "
        "(httpx clients in threads) shares the 2 cores. Recommendations: the region's waiting "
        "families in turn, 15 s per setting after a warm-up. Location round: POST, poll every "
        "5 ms, GET the result; in_process: solve_prepared on the same round in this process. "
        "Mixed: 60 s at 50 clients of reads (50 %), upserts with If-Match (20 %), "
        "recommendations (15 %), rounds (10 %) and accepts (5 %); 409 and 412 are the expected "
        "answers to concurrent writers, anything else counts as an error."
    ]


def time_limit_section(args: argparse.Namespace) -> tuple[list[dict[str, object]], list[str]]:
    rows = time_limit.time_limit_rows([0.5, 1.0, 2.0], args.repeat)
    return rows, [
        f"The whole solve (scoring, model, search, explanations) with CP-SAT, {args.repeat} "
        f"solves per limit in one process; allowed: the limit x 1.1 + "
        f"{time_limit.ALLOWANCE_S:g} s."
    ]


def fuzz_section(args: argparse.Namespace) -> tuple[list[dict[str, object]], list[str]]:
    rows, summary = fuzz.fuzz(10_000, seed=1)
    return rows, fuzz.section_notes(summary)


Section = Callable[[argparse.Namespace], tuple[list[dict[str, object]], list[str]]]
SECTIONS: dict[str, tuple[str, Section]] = {
    "cli": ("The shipped scenarios through the whole CLI (medians)", cli_section),
    "scaling": (
        "Scaling: score + build + solve to a proven optimum, fresh process each",
        scaling_section,
    ),
    "peers": ("Peers on the same rounds, every answer checked by matcher.evaluate", peers_section),
    "lap": ("OR-Library linear assignment: engine's flow core vs scipy", lap_section),
    "gap": (
        "OR-Library generalised assignment: gap1-12 (max), gapa-d (min), CP-SAT core",
        gap_section,
    ),
    "simulation": ("What-if simulation: replications x 52 weeks", simulation_section),
    "recommend": (
        "Recommendations for one family: latency once the round is prepared",
        recommend_section,
    ),
    "service": ("The HTTP service under load", service_section),
    "time_limit": ("CP-SAT's time limit on the region: requested vs actual", time_limit_section),
    "fuzz": (
        "Fuzz: mutated inputs through the whole CLI (exit codes, tracebacks, hangs)",
        fuzz_section,
    ),
}


def quick() -> str:
    """Known optima on the small instances, asserted: fails loudly if one is missed."""
    lap = orlib.lap_rows(LAP_QUICK, repeat=3)
    gap = orlib.gap_rows([f"gap{i}" for i in range(1, 13)], time_limit_s=30, workers=1)
    missed = [r["instance"] for r in lap + gap if not r["reached"]]
    if missed:
        sys.exit(f"known optimum not reached: {', '.join(map(str, missed))}")
    write_section("quick_lap", "Quick: linear assignment", lap, [])
    write_section("quick_gap", "Quick: gap1-12", gap, [])
    return f"quick: {len(lap)} LAP and {len(gap)} GAP known optima reached\n"


def full(args: argparse.Namespace, names: list[str]) -> str:
    """Run the named sections, then join every section's report into ``full.md``."""
    for name in names:
        title, run = SECTIONS[name]
        rows, notes = run(args)
        write_section(name, title, rows, notes)
    parts = [(RESULTS / f"{n}.md").read_text() for n in SECTIONS if (RESULTS / f"{n}.md").exists()]
    text = "\n".join(parts)
    (RESULTS / "full.md").write_text(text, encoding="utf-8")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmarks of the matching engine.")
    parser.add_argument("--quick", action="store_true", help="CI mode: small known optima only")
    parser.add_argument(
        "--only", choices=list(SECTIONS), action="append", help="run only this section (repeatable)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (median)")
    parser.add_argument(
        "--time-limit", type=float, default=60.0, help="seconds per CP-SAT solve (peers and GAP)"
    )
    args = parser.parse_args()
    text = quick() if args.quick else full(args, args.only or list(SECTIONS))
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
