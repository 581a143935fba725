"""What-if simulation speed: replications x 52 weeks, against the one-location target
(100 replications in <= 60 s on 2 cores), and how it grows with replications and area."""

from __future__ import annotations

import time
from datetime import date

from matcher.simulate.runner import run_simulation
from matcher.simulate.scenario import Simulation
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
