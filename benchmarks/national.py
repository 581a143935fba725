"""National-scale rounds and the scaling curve: time and peak memory from one location to the
whole country, each size measured in a fresh process."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

from matcher import Round, prepare, solve_prepared
from matcher.domain.round import MAX_PEOPLE
from matcher.geo.postcodes import postcode_areas
from matcher.synthetic import generate
from matcher.synthetic.generate import Area, generate_round

DAY = date(2026, 11, 24)
PROVINCES = tuple(sorted({area.province for area in postcode_areas().values()}))
SCALING: list[tuple[str, Area, int, int]] = [
    ("location (Zwolle)", Area(places=("Zwolle",)), 25, 30),
    ("town (Amersfoort)", Area(places=("Amersfoort",)), 80, 120),
    ("city (Utrecht)", Area(places=("Utrecht",)), 300, 400),
    ("region (Utrecht province)", Area(provinces=("Utrecht",)), 600, 800),
    ("two provinces", Area(provinces=("Utrecht", "South Holland")), 1200, 1600),
    (
        "four provinces",
        Area(provinces=("Utrecht", "South Holland", "North Holland", "Guelders")),
        2000,
        2700,
    ),
    ("national", Area(provinces=PROVINCES), 3000, 4000),  # the national target
    ("national, twice as dense", Area(provinces=PROVINCES), 6000, 8000),
    ("national, four times as dense", Area(provinces=PROVINCES), 12000, 16000),
    ("national 20,000 x 30,000", Area(provinces=PROVINCES), 20000, 30000),  # the large target
]
"""Growing areas with a roughly constant density of people, from one location to the country,
then the whole country ever denser, up to the large-round target."""

TARGETS: dict[str, tuple[float, float]] = {"national 20,000 x 30,000": (20.0, 2000.0)}
"""Seconds and peak MB a round must stay within."""

SINGLE_RUN_PAIRS = 50_000_000
"""Rounds with more families x volunteers than this are measured once (keeps runs short)."""


NATIONAL = Area(provinces=PROVINCES)


def national_round(volunteers: int, families: int, area: Area = NATIONAL, seed: int = 11) -> Round:
    """A round spread over ``area`` (default: every Dutch province), with capacities 1-2 and
    travel limits of 5-20 km (the national target's shape)."""
    with _beyond_input_bound():
        round_ = generate_round(area, volunteers, families, seed, DAY)
    rng = np.random.default_rng(seed)
    limits = rng.uniform(5, 20, size=len(round_.volunteers)).round(1)
    people = tuple(
        v.model_copy(update={"capacity": min(v.capacity, 2), "max_travel_km": float(km)})
        for v, km in zip(round_.volunteers, limits, strict=True)
    )
    return _assembled(**{**dict(round_), "volunteers": people})


@contextmanager
def _beyond_input_bound() -> Iterator[None]:
    """Let ``generate_round`` assemble rounds larger than a round file may be."""
    with mock.patch.object(generate, "Round", _assembled):
        yield


def _assembled(**fields: Any) -> Round:
    """A round of people who are each validated already. A round file or request holds at most
    ``MAX_PEOPLE`` volunteers and as many families (the input bound); the 20,000 x 30,000
    target is beyond it, so such a round is put together without that check (``prepare``
    still checks every cross-reference)."""
    if max(len(fields["volunteers"]), len(fields["families"])) <= MAX_PEOPLE:
        return Round(**fields)
    return Round.model_construct(**fields)


def measure_here(size: int) -> dict[str, object]:
    """Score, build and solve one ``SCALING`` round in this process; time and peak memory."""
    label, area, volunteers, families = SCALING[size]
    round_ = national_round(volunteers, families, area)
    started, cpu_started = time.perf_counter(), time.process_time()
    result = solve_prepared(prepare(round_))
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "round": label,
        "volunteers": volunteers,
        "families": families,
        "all_pairs": volunteers * families,
        "candidate_pairs": result.report.candidate_pairs,
        "status": str(result.report.status),
        "gap": result.report.gap,
        "matched": result.report.families_matched,
        "seconds": round(seconds, 3),
        "cpu_s": round(cpu_seconds, 3),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def with_target(row: dict[str, object]) -> dict[str, object]:
    """The row with its target (seconds / peak MB) and whether it was met."""
    target = TARGETS.get(str(row["round"]))
    if target is None:
        return {**row, "target": "-", "met": "-"}
    seconds, mb = target
    met = float(str(row["seconds"])) <= seconds and float(str(row["peak_mb"])) <= mb
    return {**row, "target": f"{seconds:g} s, {mb:g} MB", "met": "yes" if met else "NO"}


def measure(size: int) -> dict[str, object]:
    """``measure_here`` in a fresh Python process, so that peak memory is this size's own."""
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.national", str(size)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    ).stdout
    row: dict[str, object] = json.loads(output)
    return row


def scaling_rows(repeat: int) -> list[dict[str, object]]:
    """The median run (by time) of each ``SCALING`` size (one run of the largest)."""
    rows = []
    for size, (_, _, volunteers, families) in enumerate(SCALING):
        runs = 1 if volunteers * families > SINGLE_RUN_PAIRS else repeat
        measured = sorted(
            (measure(size) for _ in range(runs)),
            key=lambda r: float(str(r["seconds"])),
        )
        rows.append(with_target(measured[len(measured) // 2]))
    return rows


def plot(rows: list[dict[str, object]], path: Path) -> str:
    """Time and peak memory against the pairs scored (every family x volunteer) and the
    candidate pairs left after the hard rules, as an SVG (needs matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "plot skipped: matplotlib is not installed (pip install -e '.[bench]')"

    def column(name: str) -> list[float]:
        return [float(str(row[name])) for row in rows]

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for name, label in (
        ("all_pairs", "pairs scored (families x volunteers)"),
        ("candidate_pairs", "candidate pairs (after hard rules)"),
    ):
        left.loglog(column(name), column("seconds"), "o-", label=label)
        right.semilogx(column(name), column("peak_mb"), "o-", label=label)
    for x, y, row in zip(column("all_pairs"), column("seconds"), rows, strict=True):
        left.annotate(
            str(row["round"]), (x, y), fontsize=7, xytext=(4, -10), textcoords="offset points"
        )
    left.set(
        xlabel="pairs", ylabel="seconds (score + build + solve)", title="Time to a proven optimum"
    )
    right.set(xlabel="pairs", ylabel="peak memory of the process (MB)", title="Peak memory")
    left.legend(fontsize=7)
    right.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, metadata={"Date": None})
    plt.close(figure)
    return f"Plot: `{path.name}` (time and memory against pairs)."


if __name__ == "__main__":
    print(json.dumps(measure_here(int(sys.argv[1]))))
