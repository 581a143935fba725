"""Published optima as fast checks (the full sets run in ``benchmarks``)."""

from __future__ import annotations

from benchmarks.generalised import solve_generalised
from benchmarks.orlib import DATA, read_gap, read_lap, solve_lap
from matcher.result import SolveStatus


def test_flow_core_reaches_the_assign100_optimum() -> None:
    assert solve_lap(read_lap(DATA / "assign" / "assign100.txt")) == 305


def test_cpsat_core_reaches_gap1_optima_both_senses() -> None:
    # OR-Library gap1 (c515-1..5): maximised 336 327 339 341 326, minimised 261 269 256 274 251
    problems = list(read_gap(DATA / "gap" / "orlib" / "gap1.txt"))
    for (value, load, capacity), best, least in zip(
        problems, [336, 327, 339, 341, 326], [261, 269, 256, 274, 251], strict=True
    ):
        high = solve_generalised(value, load, capacity, maximise=True, time_limit_s=30)
        low = solve_generalised(value, load, capacity, maximise=False, time_limit_s=30)
        assert (high.status, high.objective, high.bound) == (SolveStatus.OPTIMAL, best, best)
        assert (low.status, low.objective) == (SolveStatus.OPTIMAL, least)
        for agent in range(len(capacity)):
            assert load[agent, high.agent_of == agent].sum() <= capacity[agent]
