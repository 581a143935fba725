"""National-scale rounds and the scaling curve: time and peak memory from one location to the
whole country, each size measured in a fresh process."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

from matcher import Round, prepare, solve_prepared
from matcher.geo.postcodes import postcode_areas
from matcher.scenario.generate import Area, generate_round

DAY = date(2026, 11, 24)
SIZES = [(25, 30), (80, 120), (300, 400), (600, 800), (1200, 1600), (2000, 2700), (3000, 4000)]


def national_round(volunteers: int, families: int, seed: int = 11) -> Round:
    """A round spread over every Dutch province, with capacities 1-2 and travel limits of
    5-20 km (the national target's shape)."""
    provinces = tuple(sorted({area.province for area in postcode_areas().values()}))
    round_ = generate_round(Area(provinces=provinces), volunteers, families, seed, DAY)
    rng = np.random.default_rng(seed)
    limits = rng.uniform(5, 20, size=len(round_.volunteers)).round(1)
    people = tuple(
        v.model_copy(update={"capacity": min(v.capacity, 2), "max_travel_km": float(km)})
        for v, km in zip(round_.volunteers, limits, strict=True)
    )
    return round_.model_copy(update={"volunteers": people})


def measure_here(volunteers: int, families: int) -> dict[str, object]:
    """Score, build and solve one national round in this process; time and peak memory."""
    round_ = national_round(volunteers, families)
    started = time.perf_counter()
    result = solve_prepared(prepare(round_))
    seconds = time.perf_counter() - started
    return {
        "volunteers": volunteers,
        "families": families,
        "candidate_pairs": result.report.candidate_pairs,
        "status": str(result.report.status),
        "gap": result.report.gap,
        "matched": result.report.families_matched,
        "seconds": round(seconds, 3),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def measure(volunteers: int, families: int) -> dict[str, object]:
    """``measure_here`` in a fresh Python process, so that peak memory is this size's own."""
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.national", str(volunteers), str(families)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    ).stdout
    row: dict[str, object] = json.loads(output)
    return row


def scaling_rows(sizes: list[tuple[int, int]], repeat: int) -> list[dict[str, object]]:
    """The median run of each size (by time)."""
    rows = []
    for volunteers, families in sizes:
        runs = sorted(
            (measure(volunteers, families) for _ in range(repeat)),
            key=lambda r: float(str(r["seconds"])),
        )
        rows.append(runs[len(runs) // 2])
    return rows


def plot(rows: list[dict[str, object]], path: Path) -> str:
    """Time and memory against candidate pairs, as an SVG (needs matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "plot skipped: matplotlib is not installed (pip install -e '.[bench]')"
    pairs = [float(str(r["candidate_pairs"])) for r in rows]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.loglog(pairs, [float(str(r["seconds"])) for r in rows], "o-")
    left.set(
        xlabel="candidate pairs",
        ylabel="seconds (score + build + solve)",
        title="Time to a proven optimum",
    )
    right.semilogx(pairs, [float(str(r["peak_mb"])) for r in rows], "o-")
    right.set(xlabel="candidate pairs", ylabel="peak memory (MB)", title="Peak memory")
    for axis, row in zip([left] * len(rows), rows, strict=True):
        axis.annotate(
            f"{row['volunteers']}x{row['families']}",
            (float(str(row["candidate_pairs"])), float(str(row["seconds"]))),
            fontsize=7,
        )
    figure.tight_layout()
    figure.savefig(path, metadata={"Date": None})
    plt.close(figure)
    return f"plot: {path.name}"


if __name__ == "__main__":
    print(json.dumps(measure_here(int(sys.argv[1]), int(sys.argv[2]))))
