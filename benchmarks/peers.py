"""Peers side by side on the same rounds: this engine, first-come-first-served greedy, a naive
CP-SAT model, and (optionally) Timefold. Each result is checked by ``matcher.evaluate``."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from ortools.sat.python import cp_model

from matcher import Assignment, Round, evaluate, prepare, solve_prepared
from matcher.check.evaluate import assignment_of
from matcher.domain.round import Backend
from matcher.domain.slots import SLOT_COUNT, SLOT_NAMES
from matcher.scoring.candidates import Candidates, score_candidates


def engine(round_: Round, time_limit_s: float) -> tuple[list[Assignment], float | None]:
    """The engine's default backend (exact min-cost flow); the gap it proved."""
    result = solve_prepared(prepare(round_))
    return assignment_of(result.proposals), result.report.gap


def greedy(round_: Round, time_limit_s: float) -> tuple[list[Assignment], float | None]:
    """The engine's ``greedy`` backend: longest-waiting family first takes its best free
    volunteer. Its bound is a cheap one (see ``matcher.solve.greedy``), so no gap is shown."""
    solver = round_.solver.model_copy(update={"backend": Backend.GREEDY})
    result = solve_prepared(prepare(round_.model_copy(update={"solver": solver})))
    return assignment_of(result.proposals), None


def naive_cpsat(round_: Round, time_limit_s: float) -> tuple[list[Assignment], float | None]:
    """A boolean per pair x shared slot for everyone, built in a Python loop: the
    straightforward model, with the engine's objective, under a time limit."""
    c = score_candidates(prepare(round_))
    model = cp_model.CpModel()
    variables = _pair_slot_variables(model, c)
    by_family: dict[int, list[cp_model.IntVar]] = {}
    by_volunteer: dict[int, list[cp_model.IntVar]] = {}
    by_volunteer_slot: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    for (pair, slot), var in variables.items():
        f, v = int(c.family[pair]), int(c.volunteer[pair])
        by_family.setdefault(f, []).append(var)
        by_volunteer.setdefault(v, []).append(var)
        by_volunteer_slot.setdefault((v, slot), []).append(var)
    for group in (*by_family.values(), *by_volunteer_slot.values()):
        model.add_at_most_one(group)
    for v, group in by_volunteer.items():
        model.add(sum(group) <= int(c.prepared.volunteer_free_capacity[v]))
    model.maximize(sum(int(c.weight[pair]) * var for (pair, _), var in variables.items()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [], None
    p = c.prepared
    chosen = [
        Assignment(
            p.families[int(c.family[pair])].id,
            p.volunteers[int(c.volunteer[pair])].id,
            SLOT_NAMES[slot],
        )
        for (pair, slot), var in variables.items()
        if solver.boolean_value(var)
    ]
    gap = (solver.best_objective_bound - solver.objective_value) / max(1, solver.objective_value)
    return chosen, gap


def _pair_slot_variables(
    model: cp_model.CpModel, c: Candidates
) -> dict[tuple[int, int], cp_model.IntVar]:
    variables = {}
    for pair in range(len(c)):
        mask = int(c.shared_slots[pair])
        for slot in range(SLOT_COUNT):
            if mask >> slot & 1:
                variables[pair, slot] = model.new_bool_var(f"x{pair}_{slot}")
    return variables


Solver = Callable[[Round, float], tuple[list[Assignment], float | None]]
PEERS: dict[str, Solver] = {
    "engine (flow)": engine,
    "greedy FCFS": greedy,
    "naive CP-SAT": naive_cpsat,
}


def timefold() -> tuple[Solver | None, str]:
    """The Timefold peer when Java 17 and the ``timefold`` extra are there, and a note saying
    whether it ran."""
    java = shutil.which("java")
    if java is None:
        return None, "Timefold: skipped, no Java runtime on this machine (it needs a JDK 17)."
    os.environ.setdefault("JAVA_HOME", str(Path(java).resolve().parent.parent))
    try:
        from benchmarks.timefold_peer import solve_timefold
    except ImportError:
        return None, "Timefold: skipped, not installed (pip install -e '.[timefold]')."
    return (
        lambda round_, seconds: (solve_timefold(round_, seconds), None)
    ), "Timefold: ran under the same time limit as CP-SAT (local search, so no bound or gap)."


def peer_rows(
    rounds: dict[str, Round], time_limit_s: float, extra: dict[str, Solver]
) -> list[dict[str, object]]:
    """Families matched, total quality, proven gap and wall time of every peer on every round."""
    rows = []
    for name, round_ in rounds.items():
        for peer, solve in (PEERS | extra).items():
            started = time.perf_counter()
            assignment, gap = solve(round_, time_limit_s)
            seconds = time.perf_counter() - started
            checked = evaluate(round_, assignment)
            assert checked.feasible, (peer, name, checked.violations[:3])
            rows.append(
                {
                    "round": name,
                    "peer": peer,
                    "matched": checked.families_matched,
                    "quality": round(checked.quality_points / 1000, 2),
                    "objective": checked.objective,
                    "gap": "-" if gap is None else float(f"{gap:.3g}"),
                    "seconds": float(f"{seconds:.3g}"),
                }
            )
    return rows
