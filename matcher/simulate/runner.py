"""Monte Carlo replications of the baseline and every lever, on local processes.

Replication ``i`` of every variant uses seed ``simulation.seed + i`` (common random numbers), and
results come back in task order, so any number of workers gives identical results.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from matcher.simulate.scenario import Lever, Simulation
from matcher.simulate.weeks import Replication, simulate_once

BASELINE = Lever(name="baseline")


@dataclass(frozen=True)
class SimulationResult:
    """Replications per variant (the baseline first, then each lever)."""

    simulation: Simulation
    replications: dict[str, list[Replication]]


def _task(args: tuple[Simulation, Lever, int]) -> Replication:
    simulation, lever, seed = args
    return simulate_once(simulation, lever, seed)


def run_simulation(
    simulation: Simulation,
    replications: int | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Run every variant ``replications`` times (default: the scenario's own number)."""
    count = replications or simulation.replications
    variants = [BASELINE, *simulation.levers]
    tasks = [(simulation, lever, simulation.seed + i) for lever in variants for i in range(count)]
    results: list[Replication] = []
    if workers <= 1:
        for task in tasks:
            results.append(_task(task))
            if progress:
                progress(1)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for replication in pool.map(
                _task, tasks, chunksize=max(1, len(tasks) // (4 * workers))
            ):
                results.append(replication)
                if progress:
                    progress(1)
    return SimulationResult(
        simulation=simulation,
        replications={
            lever.name: results[i * count : (i + 1) * count] for i, lever in enumerate(variants)
        },
    )
