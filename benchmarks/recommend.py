"""Recommendations for one family, once the round is prepared: latency of ``recommend`` for
families of the shipped region (600 volunteers) and of a national round (3,000), against
scoring the same pairs with the full-round scoring path (``score_candidates``), on a round of
that family alone and on the whole round, and against solving the whole round (what the
``shortlist`` command needs)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable

import numpy as np

from benchmarks.national import national_round
from benchmarks.scenarios import SCENARIOS
from matcher import PreparedRound, prepare, solve_prepared
from matcher.io.rounds import load_round
from matcher.scoring.candidates import score_candidates
from matcher.scoring.family_view import family_view
from matcher.usecases.recommend import recommend

ASKED = 500
"""Families of a round asked about (spread over the round's input order)."""
POSTED = 100
"""Of those, posted again as new records (a case system's request)."""


Times = tuple[list[float], list[float]]
"""Wall seconds and CPU seconds of each call."""


def _latencies(calls: Iterable[Callable[[], object]], repeat: int) -> Times:
    """Wall and CPU seconds of every call, each call made ``repeat`` times (passes over all
    calls). CPU time shows the work itself on a machine others load too."""
    calls = list(calls)
    wall, cpu = [], []
    for _ in range(repeat):
        for call in calls:
            started, started_cpu = time.perf_counter(), time.process_time()
            call()
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    return wall, cpu


def _row(
    round_name: str, p: PreparedRound, method: str, times: Times, base: float
) -> dict[str, object]:
    wall, cpu = times
    return {
        "round": round_name,
        "volunteers": len(p.volunteers),
        "families": len(p.families),
        "method": method,
        "calls": len(wall),
        "median_ms": round(statistics.median(wall) * 1e3, 3),
        "p95_ms": round(float(np.percentile(wall, 95)) * 1e3, 3),
        "cpu_median_ms": round(statistics.median(cpu) * 1e3, 3),
        "cpu_p95_ms": round(float(np.percentile(cpu, 95)) * 1e3, 3),
        "ratio_to_recommend": round(statistics.median(cpu) / base, 1),
    }


def round_rows(round_name: str, p: PreparedRound, repeat: int) -> list[dict[str, object]]:
    """Every way of answering "who could help this family?" on one prepared round."""
    asked = p.families[:: max(1, len(p.families) // ASKED)][:ASKED]
    ids = [f.id for f in asked]
    posted = [f.model_copy(update={"id": f"NEW-{f.id}"}) for f in asked[:POSTED]]
    views = [family_view(p, family_id).prepared for family_id in ids]
    mine = _latencies([lambda i=i: recommend(p, i) for i in ids], repeat)
    base = statistics.median(mine[1])
    measured = [
        ("recommend, a family of the round (k=10)", mine),
        (
            "recommend, a posted family (k=10)",
            _latencies([lambda f=f: recommend(p, f) for f in posted], repeat),
        ),
        (
            "score_candidates, a round of that family alone",
            _latencies([lambda v=v: score_candidates(v) for v in views], repeat),
        ),
        ("score_candidates, the whole round", _latencies([lambda: score_candidates(p)], repeat)),
        ("solve_prepared, the whole round", _latencies([lambda: solve_prepared(p)], repeat)),
    ]
    return [_row(round_name, p, method, times, base) for method, times in measured]


def recommend_rows(repeat: int) -> list[dict[str, object]]:
    """The shipped region and a national round (3,000 volunteers x 4,000 families)."""
    return round_rows("region", prepare(load_round(SCENARIOS["region"])), repeat) + round_rows(
        "national", prepare(national_round(3000, 4000)), repeat
    )
