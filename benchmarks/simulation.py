"""What-if simulation speed: replications x 52 weeks, against the one-location target
(100 replications in <= 60 s on 2 cores), and how it grows with replications and area.

    python -m benchmarks.simulation --replications 10 --workers 2   # engine vs greedy
    python -m benchmarks.simulation --rescoring 3   # national: pair cache against full scoring
    python -m benchmarks.simulation --national 3    # national: lean rounds against the engine's
    python -m benchmarks.simulation --dask 100 --area region   # on a local Dask cluster
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from datetime import date

from matcher.domain.round import Backend
from matcher.geo.postcodes import postcode_areas
from matcher.scoring.candidates import score_candidates
from matcher.simulate.measures import Estimate, estimate, time_to_match
from matcher.simulate.replication import Case, Replication, simulate_once
from matcher.simulate.rounds import engine_round, lean_round
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


def national_rows(replications: int) -> list[dict[str, object]]:
    """Seconds per national replication (52 weeks, one process), every round through the
    engine's whole ``solve_prepared`` (its explanations included, as before) and through the
    lean round the simulation now uses, alternating on the same seeds; medians and their ratio,
    in CPU seconds of the process (steady on a shared machine) and in wall seconds. Raises if
    the two ever differ in an outcome."""
    variants = {"whole engine (before)": engine_round, "lean rounds (after)": lean_round}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    wall: dict[str, list[float]] = {name: [] for name in variants}
    for seed in range(replications):
        outcomes = []
        for variant, solver in variants.items():
            started, used = time.perf_counter(), time.process_time()
            replication = simulate_once(NATIONAL, None, seed, solver=solver)
            cpu[variant].append(time.process_time() - used)
            wall[variant].append(time.perf_counter() - started)
            outcomes.append(_outcome(replication))
        if outcomes[0] != outcomes[1]:
            raise AssertionError(f"seed {seed}: lean rounds changed the simulation")
    before = statistics.median(cpu["whole engine (before)"])
    return [
        {
            "variant": variant,
            "replications": replications,
            "median CPU s per replication": round(statistics.median(cpu[variant]), 2),
            "median wall s per replication": round(statistics.median(wall[variant]), 2),
            "CPU s per run": " ".join(f"{s:.1f}" for s in cpu[variant]),
            "CPU ratio to before": round(statistics.median(cpu[variant]) / before, 3),
        }
        for variant in variants
    ]


def _outcome(replication: Replication) -> tuple[object, ...]:
    """Everything a replication gives the report: weekly counts, every family's path, the
    last round's unmatched reasons."""
    cases = [
        (c.family.id, c.arrived, c.first_match, c.closed, c.closed_as) for c in replication.cases
    ]
    return replication.weeks, cases, replication.unmatched


AREAS = {"location": LOCATION, "town": TOWN, "region": REGION, "national": NATIONAL}


def dask_rows(area: str, replications: int, workers: int) -> list[dict[str, object]]:
    """``replications`` of an area's baseline on a local Dask cluster of ``workers`` processes.
    Measured: the wall time; the cluster's start; the wall time of as many empty tasks (the
    scheduling alone); the CPU seconds per replication in one process (median of a few) and in
    the workers (their CPU time over the run, Dask's own work included); and the share of a core
    the workers got (below 1 on a shared machine). Projected: the wall time on N workers with a
    core each, the empty tasks' time plus ceil(replications / N) x the workers' CPU seconds per
    replication."""
    from distributed import Client, LocalCluster

    simulation = AREAS[area]
    single = []
    for seed in range(min(3, replications)):
        used = time.process_time()
        simulate_once(simulation, None, seed)
        single.append(time.process_time() - used)
    started = time.perf_counter()
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        cluster_start = time.perf_counter() - started
        started = time.perf_counter()
        client.gather(client.map(abs, range(replications), pure=False))
        scheduling = time.perf_counter() - started
        before = client.run(time.process_time)
        started = time.perf_counter()
        run_simulation(simulation, replications, scheduler=cluster.scheduler_address)
        wall = time.perf_counter() - started
        after = client.run(time.process_time)
    worker_cpu = sum(after[w] - before[w] for w in after) / replications
    rows: list[dict[str, object]] = [
        {
            "area": area,
            "replications": replications,
            "workers": workers,
            "measured wall s": round(wall, 1),
            "cluster start s": round(cluster_start, 1),
            "empty tasks wall s": round(scheduling, 2),
            "CPU s per replication (one process)": round(statistics.median(single), 2),
            "CPU s per replication (workers)": round(worker_cpu, 2),
            "share of a core per worker": round(worker_cpu * replications / (wall * workers), 2),
        }
    ]
    for n in (1, 2, 4, 8, 16, 32, 64, 100):
        projected = scheduling + math.ceil(replications / n) * worker_cpu
        rows.append({"workers": n, "projected wall s": round(projected, 1)})
    return rows


def engine_vs_greedy(replications: int, workers: int) -> str:
    """The engine's optimum against first come, first served (the ``greedy`` backend) on the
    location, town and region what-ifs: time to match and withdrawals, overall and by home
    language, with 95 % intervals; then the paired differences, engine minus greedy on the
    same seeds (Markdown)."""
    by_hand = Lever(name="first come, first served", backend=Backend.GREEDY)
    header = ["area", "home language", "variant", "families per replication"]
    header += ["median time to match (weeks)", "matched within 8 weeks", "withdrew"]
    paired_header = ["area", "home language", "families per replication"]
    paired_header += ["matched within 8 weeks: engine - greedy", "withdrew: engine - greedy"]
    rows, paired = [], []
    for name, simulation in (("location", LOCATION), ("town", TOWN), ("region", REGION)):
        what_if = simulation.model_copy(update={"levers": (by_hand,)})
        result = run_simulation(what_if, replications, workers)
        horizon, seed = what_if.horizon_weeks, what_if.seed
        for variant, reps in result.replications.items():
            label = "engine" if variant == "baseline" else variant
            groups = {
                **time_to_match(reps, horizon, seed),
                **time_to_match(reps, horizon, seed, _language),
            }
            for group, found in sorted(groups.items(), key=lambda item: -item[1].families):
                figures = [found.median, found.within[8], found.withdrew]
                rows.append([name, group, label, f"{found.families:.1f}", *map(str, figures)])
        engine, greedy = result.replications["baseline"], result.replications[by_hand.name]
        for group, (families, within, withdrew) in _paired(engine, greedy, horizon, seed).items():
            paired.append([name, group, f"{families:.1f}", str(within), str(withdrew)])
    areas = ["location", "town", "region"]
    rows.sort(key=lambda r: (areas.index(r[0]), r[1] != "all", -float(r[3]), r[1], r[2]))
    paired.sort(key=lambda r: (areas.index(r[0]), r[1] != "all", -float(r[2]), r[1]))
    return _markdown(header, rows) + "\n" + _markdown(paired_header, paired)


def _markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _paired(
    engine: list[Replication], greedy: list[Replication], horizon: int, seed: int
) -> dict[str, tuple[float, Estimate, Estimate]]:
    """Per group (all, and each home language): families per replication, and the mean
    difference engine minus greedy, seed by seed, of the share matched within 8 weeks and of
    the share who withdrew, with 95 % bootstrap intervals (seeds where either variant saw no
    family of the group are left out)."""
    within: dict[str, list[float]] = {}
    withdrew: dict[str, list[float]] = {}
    families: dict[str, list[float]] = {}
    for ours, theirs in zip(engine, greedy, strict=True):
        a = {**time_to_match([ours], horizon), **time_to_match([ours], horizon, key=_language)}
        b = {**time_to_match([theirs], horizon), **time_to_match([theirs], horizon, key=_language)}
        for group in a.keys() & b.keys():
            within.setdefault(group, []).append(a[group].within[8].mean - b[group].within[8].mean)
            withdrew.setdefault(group, []).append(a[group].withdrew.mean - b[group].withdrew.mean)
        for group, found in a.items():
            families.setdefault(group, []).append(found.families)
    return {
        group: (
            sum(families[group]) / len(engine),
            _change(estimate(within[group], seed)),
            _change(estimate(withdrew[group], seed)),
        )
        for group in within
    }


def _change(value: Estimate) -> Estimate:
    return Estimate(value.mean, value.low, value.high, "share change")


def _language(case: Case) -> str:
    return case.language


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="The engine against greedy in the what-ifs.")
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--rescoring", type=int, default=0, help="national replications: pair cache vs full"
    )
    parser.add_argument(
        "--national", type=int, default=0, help="national replications: lean vs whole engine"
    )
    parser.add_argument("--dask", type=int, default=0, help="replications on a Dask cluster")
    parser.add_argument("--area", choices=sorted(AREAS), default="national")
    arguments = parser.parse_args()
    if arguments.rescoring:
        for row in rescoring_rows(arguments.rescoring):
            sys.stdout.write(f"{row}\n")
    elif arguments.national:
        for row in national_rows(arguments.national):
            sys.stdout.write(f"{row}\n")
    elif arguments.dask:
        for row in dask_rows(arguments.area, arguments.dask, arguments.workers):
            sys.stdout.write(f"{row}\n")
    else:
        sys.stdout.write(engine_vs_greedy(arguments.replications, arguments.workers))
