"""What a planner wants to know from replications: waiting times, shares matched in time,
the waiting list, utilisation, unmatched reasons, and who bears the waiting."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from matcher.simulate.weeks import Case, Replication

WITHIN = (4, 8)


@dataclass(frozen=True)
class Estimate:
    """A mean over replications with a 95 % confidence interval (normal approximation)."""

    mean: float
    low: float
    high: float

    def __str__(self) -> str:
        if math.isnan(self.mean):
            return "-"
        return f"{self.mean:.2f} [{self.low:.2f}, {self.high:.2f}]"


def estimate(values: Iterable[float]) -> Estimate:
    """Mean and 95 % interval of per-replication values (NaN values are left out)."""
    data = [v for v in values if not math.isnan(v)]
    if not data:
        return Estimate(math.nan, math.nan, math.nan)
    mean = statistics.fmean(data)
    half = 1.96 * statistics.stdev(data) / math.sqrt(len(data)) if len(data) > 1 else 0.0
    return Estimate(mean, mean - half, mean + half)


def _observed(replication: Replication, last_week: int) -> list[Case]:
    """Families who arrived during the horizon early enough to be seen waiting 8 weeks."""
    return [c for c in replication.cases if 0 <= c.arrived <= last_week - max(WITHIN)]


def _waits(cases: list[Case], horizon: int) -> list[float]:
    """Weeks to a first match; families never matched count as waiting until the horizon."""
    return [
        float((c.first_match if c.first_match is not None else horizon) - c.arrived)
        for c in cases
        if c.closed is None or c.first_match is not None
    ]


def _quantile(values: list[float], q: float) -> float:
    return float(np.quantile(values, q)) if values else math.nan


def _share_within(cases: list[Case], weeks: int) -> float:
    if not cases:
        return math.nan
    return sum(
        1 for c in cases if c.first_match is not None and c.first_match - c.arrived <= weeks
    ) / len(cases)


Metric = Callable[[Replication], float]


def _within(weeks: int, horizon: int) -> Metric:
    return lambda r: _share_within(_observed(r, horizon), weeks)


def metrics(horizon: int) -> dict[str, Metric]:
    """Per-replication measures, by name."""

    def waits(r: Replication) -> list[float]:
        return _waits(_observed(r, horizon), horizon)

    return {
        "median wait (weeks)": lambda r: _quantile(waits(r), 0.5),
        "p90 wait (weeks)": lambda r: _quantile(waits(r), 0.9),
        **{f"matched within {w} weeks": _within(w, horizon) for w in WITHIN},
        "waiting at the end": lambda r: float(r.weeks[-1].waiting),
        "mean waiting list": lambda r: statistics.fmean(w.waiting for w in r.weeks),
        "volunteer utilisation": lambda r: statistics.fmean(
            w.places_used / w.places for w in r.weeks if w.places
        ),
    }


def summarise(replications: list[Replication], horizon: int) -> dict[str, Estimate]:
    """Every metric, estimated over the replications."""
    return {name: estimate(m(r) for r in replications) for name, m in metrics(horizon).items()}


def breakdown(
    replications: list[Replication], horizon: int, key: Callable[[Case], str]
) -> dict[str, dict[str, float]]:
    """Who bears the waiting: per group (home language, place), families seen, the median
    wait and the share matched within 8 weeks, pooled over replications."""
    groups: dict[str, list[Case]] = {}
    for replication in replications:
        for case in _observed(replication, horizon):
            groups.setdefault(key(case), []).append(case)
    return {
        name: {
            "families per replication": len(cases) / len(replications),
            "median wait (weeks)": _quantile(_waits(cases, horizon), 0.5),
            "matched within 8 weeks": _share_within(cases, 8),
        }
        for name, cases in sorted(groups.items(), key=lambda item: -len(item[1]))
    }


def waiting_list(replications: list[Replication], every: int = 4) -> dict[int, Estimate]:
    """The waiting list over time (every few weeks), estimated over replications."""
    weeks = range(0, len(replications[0].weeks), every)
    return {w: estimate(float(r.weeks[w].waiting) for r in replications) for w in weeks}


def share_matched_within(replications: list[Replication], horizon: int, weeks: int) -> float:
    """Of the families seen (pooled over replications), the share matched within ``weeks``."""
    cases = [c for r in replications for c in _observed(r, horizon)]
    return _share_within(cases, weeks)


def unmatched_reasons(replications: list[Replication]) -> dict[str, float]:
    """Reasons of the families unmatched in the last round, per replication on average."""
    total: dict[str, float] = {}
    for replication in replications:
        for reason, count in replication.unmatched.items():
            total[reason] = total.get(reason, 0.0) + count / len(replications)
    return total
