"""The kinds of job the service queues, and the handler a worker runs for each."""

from __future__ import annotations

from matcher.service.rounds import ROUND, run_round
from matcher.service.simulations import SIMULATION, run_simulation_job
from matcher.service.worker import Handler

HANDLERS: dict[str, Handler] = {ROUND: run_round, SIMULATION: run_simulation_job}
