"""OR-Library instances with published optima: linear assignment (``assign100`` ... ``800``)
solved by the engine's min-cost-flow core, timed against scipy's ``linear_sum_assignment``; and
generalised assignment (gap1-12 maximised, gapa-d minimised) solved by the engine's CP-SAT
generalised-assignment core, with the gap to the known value."""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from benchmarks.generalised import solve_generalised
from benchmarks.timing import median_seconds
from matcher.solve.flow import max_weight_matching

DATA = Path(__file__).parent / "data" / "orlib"
IntMatrix = NDArray[np.int64]


def _numbers(path: Path) -> list[int]:
    return [int(token) for token in path.read_text().split()]


def read_lap(path: Path) -> IntMatrix:
    """An OR-Library ``assignN.txt`` cost matrix."""
    numbers = _numbers(path)
    n = numbers[0]
    return np.array(numbers[1 : 1 + n * n], dtype=np.int64).reshape(n, n)


def read_gap(path: Path) -> Iterator[tuple[IntMatrix, IntMatrix, NDArray[np.int64]]]:
    """The problems of an OR-Library GAP file: (value, load, capacity) each."""
    numbers = _numbers(path)
    position = 1
    for _ in range(numbers[0]):
        m, n = numbers[position], numbers[position + 1]
        position += 2
        value = np.array(numbers[position : position + m * n]).reshape(m, n)
        position += m * n
        load = np.array(numbers[position : position + m * n]).reshape(m, n)
        position += m * n
        capacity = np.array(numbers[position : position + m])
        position += m
        yield value, load, capacity


def solve_lap(costs: IntMatrix) -> int:
    """Minimum-cost perfect assignment with the engine's flow core: weights ``K - cost`` with
    ``K`` above any total cost difference, so the most pairs always win, then the cheapest."""
    n = len(costs)
    family, volunteer = np.divmod(np.arange(n * n), n)
    big = n * int(costs.max()) + 1
    matching = max_weight_matching(family, volunteer, big - costs.ravel(), np.ones(n, np.int64))
    assert matching.optimal and len(matching.chosen) == n
    return int(costs.ravel()[matching.chosen].sum())


def lap_rows(names: list[str], repeat: int) -> list[dict[str, object]]:
    """Engine vs scipy on the LAP instances: optimum reached and the time ratio."""
    optima = {
        row["instance"]: int(row["optimum"]) for row in _table("assign/known_optima_assign.csv")
    }
    rows = []
    for name in names:
        costs = read_lap(DATA / "assign" / f"{name}.txt")
        engine = solve_lap(costs)
        rows_, cols = linear_sum_assignment(costs)
        engine_s = median_seconds(lambda costs=costs: solve_lap(costs), repeat)
        scipy_s = median_seconds(lambda costs=costs: linear_sum_assignment(costs), repeat)
        rows.append(
            {
                "instance": name,
                "n": len(costs),
                "known": optima[name],
                "engine": engine,
                "scipy": int(costs[rows_, cols].sum()),
                "reached": engine == optima[name],
                "engine_s": float(f"{engine_s:.3g}"),
                "scipy_s": float(f"{scipy_s:.3g}"),
                "ratio": round(engine_s / scipy_s, 1),
            }
        )
    return rows


def gap_rows(files: list[str], time_limit_s: float, workers: int) -> list[dict[str, object]]:
    """The CP-SAT core on GAP files: value found, proven bound, and gap to the known value."""
    known = {
        (row["orlib_file"], int(row["problem_index"])): row
        for row in _table("gap/known_optima_gap.csv")
        if row["orlib_file"]
    }
    rows = []
    for file in files:
        maximise = file[3:].isdigit()  # gap1-12: maximisation; gapa-d: minimisation
        for index, (value, load, capacity) in enumerate(
            read_gap(DATA / "gap" / "orlib" / f"{file}.txt"), 1
        ):
            reference = known[(f"gap/orlib/{file}.txt", index)]
            target = int(reference["ref_max" if maximise else "ref_min"])
            started = time.perf_counter()
            found = solve_generalised(
                value, load, capacity, maximise=maximise, time_limit_s=time_limit_s, workers=workers
            )
            seconds = time.perf_counter() - started
            rows.append(
                {
                    "instance": reference["instance"],
                    "sense": "max" if maximise else "min",
                    "m x n": f"{len(capacity)} x {value.shape[1]}",
                    "known": target,
                    "known_status": reference["ref_max_status" if maximise else "ref_min_status"],
                    "found": found.objective,
                    "bound": found.bound,
                    "status": str(found.status),
                    "gap_to_known": round(abs(found.objective - target) / target, 5),
                    "reached": found.objective == target,
                    "seconds": round(seconds, 2),
                }
            )
    return rows


def _table(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))
