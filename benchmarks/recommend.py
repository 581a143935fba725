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


def _latencies(calls: Iterable[Callable[[], object]], repeat: int) -> list[float]:
    """Wall seconds of every call, each call made ``repeat`` times (passes over all calls)."""
    calls = list(calls)
    times = []
    for _ in range(repeat):
        for call in calls:
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
    return times


def _row(
    round_name: str, p: PreparedRound, method: str, times: list[float], base: float
) -> dict[str, object]:
    median = statistics.median(times)
    return {
        "round": round_name,
        "volunteers": len(p.volunteers),
        "families": len(p.families),
        "method": method,
        "calls": len(times),
        "median_ms": round(median * 1e3, 3),
        "p95_ms": round(float(np.percentile(times, 95)) * 1e3, 3),
        "ratio_to_recommend": round(median / base, 1),
    }


def round_rows(round_name: str, p: PreparedRound, repeat: int) -> list[dict[str, object]]:
    """Every way of answering "who could help this family?" on one prepared round."""
    asked = p.families[:: max(1, len(p.families) // ASKED)][:ASKED]
    ids = [f.id for f in asked]
    posted = [f.model_copy(update={"id": f"NEW-{f.id}"}) for f in asked[:POSTED]]
    views = [family_view(p, family_id).prepared for family_id in ids]
    mine = _latencies([lambda i=i: recommend(p, i) for i in ids], repeat)
    base = statistics.median(mine)
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
