"""Use case: a what-if simulation of a scenario, with the recruitment advice on request."""

from __future__ import annotations

from dataclasses import dataclass

from matcher.simulate.advice import Advice, recruitment_advice
from matcher.simulate.runner import Progress, SimulationResult, run_simulation
from matcher.simulate.what_if import Simulation


@dataclass(frozen=True)
class WhatIf:
    """The simulated baseline and levers, and the advice when it was asked for."""

    result: SimulationResult
    advice: list[Advice] | None


def what_if(
    simulation: Simulation,
    replications: int | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    scheduler: str | None = None,
    advice_runs: int | None = None,
) -> WhatIf:
    """Run ``replications`` (default: the scenario's) of the baseline and of every lever, on
    local processes or the Dask cluster at ``scheduler``; with ``advice_runs``, also find which
    one extra volunteer profile shortens waiting most."""
    result = run_simulation(simulation, replications, workers, progress, scheduler)
    advice = recruitment_advice(simulation, result, advice_runs, workers) if advice_runs else None
    return WhatIf(result, advice)
