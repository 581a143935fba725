"""What-if simulation speed: replications x 52 weeks, against the one-location target
(100 replications in <= 60 s on 2 cores), and how it grows with replications and area.

    python -m benchmarks.simulation --replications 10 --workers 2   # engine vs greedy
    python -m benchmarks.simulation --rescoring 3   # national: pair cache against full scoring
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date

from matcher.domain.round import Backend
from matcher.geo.postcodes import postcode_areas
from matcher.scoring.candidates import score_candidates
from matcher.simulate.measures import time_to_match
from matcher.simulate.replication import Case, simulate_once
from matcher.simulate.runner import run_simulation
from matcher.simulate.what_if import Lever, Simulation
from matcher.synthetic.generate import Area

START = date(2027, 1, 4)
LOCATION = Simulation(area=Area(places=("Zwolle",)), start_date=START)
TOWN = Simulation(
    area=Area(places=("Amersfoort",)), start_date=START, volunteers=80, arrivals_per_year=100
)
REGION = Simulation(
    area=Area(provinces=("Utrecht",)),
    start_date=START,
    volunteers=300,
    arrivals_per_year=400,
    waiting_families=20,
)
NATIONAL = Simulation(
    area=Area(provinces=tuple(sorted({a.province for a in postcode_areas().values()}))),
    start_date=START,
    volunteers=2900,
    arrivals_per_year=4000,
    waiting_families=300,
)
"""Every province: about 2,900 volunteers and 4,000 new families a year."""
RUNS: list[tuple[str, Simulation, int, int]] = [
    ("location", LOCATION, 25, 2),
    ("location", LOCATION, 50, 2),
    ("location", LOCATION, 100, 1),
    ("location", LOCATION, 100, 2),
    ("town", TOWN, 100, 2),
    ("region", REGION, 20, 2),
]
TARGET_S = 60.0


def simulation_rows() -> list[dict[str, object]]:
    """Wall time per run, per replication, and against the target where it applies."""
    rows = []
    for name, simulation, replications, workers in RUNS:
        started = time.perf_counter()
        result = run_simulation(simulation, replications, workers)
        seconds = time.perf_counter() - started
        final = result.replications["baseline"][0].weeks[-1]
        target = name == "location" and replications == 100 and workers == 2
        rows.append(
            {
                "area": name,
                "volunteers at start": simulation.volunteers,
                "arrivals per year": simulation.arrivals_per_year,
                "replications": replications,
                "workers": workers,
                "seconds": round(seconds, 2),
                "seconds per replication": round(seconds / replications, 3),
                "target_s": TARGET_S if target else "-",
                "met": ("yes" if seconds <= TARGET_S else "NO") if target else "-",
                "families seen (one run)": final.arrived,
            }
        )
    return rows


def rescoring_rows(replications: int) -> list[dict[str, object]]:
    """Seconds per national replication (52 weeks, one process) with the pair cache and with
    every round scored in full, alternating on the same seeds; medians and their ratio."""
    seconds: dict[str, list[float]] = {"full scoring": [], "pair cache": []}
    for seed in range(replications):
        for variant, score in (("full scoring", score_candidates), ("pair cache", None)):
            started = time.perf_counter()
            simulate_once(NATIONAL, None, seed, score=score)
            seconds[variant].append(time.perf_counter() - started)
    full = statistics.median(seconds["full scoring"])
    return [
        {
            "variant": variant,
            "replications": replications,
            "median s per replication": round(statistics.median(runs), 2),
            "runs (s)": " ".join(f"{s:.1f}" for s in runs),
            "ratio to full scoring": round(statistics.median(runs) / full, 3),
        }
        for variant, runs in seconds.items()
    ]


def engine_vs_greedy(replications: int, workers: int) -> str:
    """The engine's optimum against first come, first served (the ``greedy`` backend) on the
    location, town and region what-ifs: time to match and withdrawals, overall and by home
    language, with 95 % intervals (Markdown)."""
    by_hand = Lever(name="first come, first served", backend=Backend.GREEDY)
    header = ["area", "home language", "variant", "families per replication"]
    header += ["median time to match (weeks)", "matched within 8 weeks", "withdrew"]
    rows = []
    for name, simulation in (("location", LOCATION), ("town", TOWN), ("region", REGION)):
        what_if = simulation.model_copy(update={"levers": (by_hand,)})
        result = run_simulation(what_if, replications, workers)
        for variant, reps in result.replications.items():
            label = "engine" if variant == "baseline" else variant
            groups = {
                **time_to_match(reps, what_if.horizon_weeks, what_if.seed),
                **time_to_match(reps, what_if.horizon_weeks, what_if.seed, _language),
            }
            for group, found in sorted(groups.items(), key=lambda item: -item[1].families):
                figures = [found.median, found.within[8], found.withdrew]
                rows.append([name, group, label, f"{found.families:.1f}", *map(str, figures)])
    areas = ["location", "town", "region"]
    rows.sort(key=lambda r: (areas.index(r[0]), r[1] != "all", -float(r[3]), r[1], r[2]))
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _language(case: Case) -> str:
    return case.language


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="The engine against greedy in the what-ifs.")
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--rescoring", type=int, default=0, help="national replications: pair cache vs full"
    )
    arguments = parser.parse_args()
    if arguments.rescoring:
        for row in rescoring_rows(arguments.rescoring):
            sys.stdout.write(f"{row}\n")
    else:
        sys.stdout.write(engine_vs_greedy(arguments.replications, arguments.workers))
