"""Monte Carlo replications of the baseline and every lever, on local processes or on a Dask
cluster.

Replication ``i`` of every variant uses seed ``simulation.seed + i`` (common random numbers), and
results come back in task order, so any backend and any number of workers give identical
results.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from matcher.simulate.replication import Replication, simulate_once
from matcher.simulate.what_if import Lever, Simulation

BASELINE = Lever(name="baseline")

Task = tuple[Simulation, Lever, int]
Progress = Callable[[int], None]


@dataclass(frozen=True)
class SimulationResult:
    """Replications per variant (the baseline first, then each lever)."""

    simulation: Simulation
    replications: dict[str, list[Replication]]


def run_simulation(
    simulation: Simulation,
    replications: int | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    scheduler: str | None = None,
) -> SimulationResult:
    """Run every variant ``replications`` times (default: the scenario's own number), on
    ``workers`` local processes, or on the Dask cluster at ``scheduler`` when given."""
    count = replications or simulation.replications
    variants = [BASELINE, *simulation.levers]
    tasks = [(simulation, lever, simulation.seed + i) for lever in variants for i in range(count)]
    tick = progress or (lambda _: None)
    if scheduler is not None:
        results = _on_dask(tasks, scheduler, tick)
    else:
        results = _on_processes(tasks, workers, tick)
    return SimulationResult(
        simulation=simulation,
        replications={
            lever.name: results[i * count : (i + 1) * count] for i, lever in enumerate(variants)
        },
    )


def run_task(task: Task) -> Replication:
    """One replication of one variant (a top-level function, so that workers can import it)."""
    simulation, lever, seed = task
    return simulate_once(simulation, lever, seed)


def _on_processes(tasks: list[Task], workers: int, tick: Progress) -> list[Replication]:
    results = []
    if workers <= 1:
        for task in tasks:
            results.append(run_task(task))
            tick(1)
        return results
    chunk = max(1, len(tasks) // (4 * workers))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for replication in pool.map(run_task, tasks, chunksize=chunk):
            results.append(replication)
            tick(1)
    return results


def _on_dask(tasks: list[Task], scheduler: str, tick: Progress) -> list[Replication]:
    """The same tasks on a Dask cluster (needs the ``dask`` extra); results in task order."""
    from distributed import Client, as_completed

    with Client(scheduler) as client:
        futures = client.map(run_task, tasks, pure=False)
        for _ in as_completed(futures):
            tick(1)
        results: list[Replication] = client.gather(futures)
    return results
