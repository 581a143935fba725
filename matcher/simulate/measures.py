"""What a planner wants to know from replications: time to match (as time-to-event, with
withdrawals and ageing out as competing events and the end of the horizon as censoring), the
waiting list, utilisation, unmatched reasons, and who bears the waiting.

Intervals are 95 % percentile bootstraps over replications (whole replications are resampled,
since the families of one run share its volunteers): they stay within what the measure can be
(never below 0 weeks or a share outside 0..1). The bootstrap draws come from the scenario's seed,
so the same input gives the same figures.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from matcher.i18n import N_
from matcher.simulate.incidence import first_reaching, incidence_from_counts
from matcher.simulate.replication import AGED_OUT, WITHDREW, Case, Replication
from matcher.simulate.texts import Texts

WITHIN = (4, 8)
WITHIN_NAMES = {4: N_("matched within 4 weeks"), 8: N_("matched within 8 weeks")}
"""The measure of each share matched within so many weeks, by its weeks."""
RESAMPLES = 1000
LEVEL = 0.95
MATCHED, GAVE_UP, TOO_OLD = 0, 1, 2  # cause columns of the incidence arrays
CAUSES = 3

FloatArray = NDArray[np.float64]
Unit = Literal["weeks", "share", "share change", "number"]


@dataclass(frozen=True)
class Estimate:
    """A point estimate with a 95 % interval (NaN bounds: too few replications for one);
    ``inf`` weeks mean "not reached" within the horizon."""

    mean: float
    low: float
    high: float
    unit: Unit = "number"

    def __str__(self) -> str:
        return self.text(Texts())

    def text(self, texts: Texts) -> str:
        """The estimate and its interval as ``texts`` writes them (``0.50 [0.25, 0.75]``)."""
        if math.isnan(self.mean):
            return "-"
        point = self._format(self.mean, texts)
        if math.isnan(self.low) or math.isnan(self.high):
            return point
        return f"{point} [{self._format(self.low, texts)}, {self._format(self.high, texts)}]"

    def _format(self, value: float, texts: Texts) -> str:
        if self.unit == "weeks":
            return texts.gettext("not reached") if math.isinf(value) else texts.number(value, 0)
        if self.unit == "share":
            return texts.share(value)
        if self.unit == "share change":
            return texts.share(value, sign=True)
        return texts.number(value)


@dataclass(frozen=True)
class TimeToMatch:
    """Time from referral to a first match, for one group of families."""

    families: float  # referred during the horizon, per replication
    median: Estimate  # weeks by which half were matched
    p90: Estimate  # weeks by which 90 % were matched
    within: dict[int, Estimate]  # share matched within so many weeks
    withdrew: Estimate  # share who gave up waiting, by the end of the horizon
    aged_out: Estimate  # share whose youngest child aged out while waiting
    arrival_week: float  # share matched in the week they were referred (0 weeks)


def resampling_weights(replications: int, seed: int) -> FloatArray:
    """How often each replication is drawn in each bootstrap resample (rows), from ``seed``."""
    rng = np.random.default_rng([seed, 0xB007])
    draws = rng.multinomial(replications, np.full(replications, 1 / replications), RESAMPLES)
    return np.asarray(draws, dtype=np.float64)


def _bounds(samples: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The percentile interval of bootstrap samples (first axis), without interpolation, so
    "not reached" (infinity) stays a bound rather than becoming NaN."""
    tail = (1 - LEVEL) / 2
    low = np.quantile(samples, tail, axis=0, method="inverted_cdf")
    high = np.quantile(samples, 1 - tail, axis=0, method="inverted_cdf")
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)


def bootstrap_means(values: FloatArray, seed: int) -> list[Estimate]:
    """Mean over replications (rows) of each column, with its percentile interval."""
    count = values.shape[0]
    mean = values.mean(axis=0)
    if count < 2:
        return [Estimate(float(m), math.nan, math.nan) for m in mean]
    samples = resampling_weights(count, seed) @ values / count
    low, high = _bounds(samples)
    return [
        Estimate(float(m), float(lo), float(hi)) for m, lo, hi in zip(mean, low, high, strict=True)
    ]


def estimate(values: Iterable[float], seed: int = 0) -> Estimate:
    """Mean and 95 % percentile-bootstrap interval of per-replication values (NaN left out)."""
    data = np.array([v for v in values if not math.isnan(v)], dtype=np.float64)
    if len(data) == 0:
        return Estimate(math.nan, math.nan, math.nan)
    return bootstrap_means(data[:, None], seed)[0]


def outcome(case: Case, horizon: int) -> tuple[int, int | None]:
    """Weeks from referral to the end of the wait, and how it ended (a cause column, or None
    when the family was still waiting at the end of the horizon: censored)."""
    if case.first_match is not None:
        return case.first_match - case.arrived, MATCHED
    if case.closed is not None:
        cause = GAVE_UP if case.closed_as == WITHDREW else TOO_OLD
        assert case.closed_as in (WITHDREW, AGED_OUT)
        return case.closed - case.arrived, cause
    return horizon - 1 - case.arrived, None


def referred(replication: Replication) -> list[Case]:
    """Families referred during the horizon (those waiting at the start came earlier)."""
    return [c for c in replication.cases if c.arrived >= 0]


def event_counts(cases: Iterable[Case], horizon: int) -> tuple[FloatArray, FloatArray]:
    """Events per week and cause, and everyone leaving the risk set per week."""
    events = np.zeros((horizon, CAUSES))
    removed = np.zeros(horizon)
    for case in cases:
        weeks, cause = outcome(case, horizon)
        removed[weeks] += 1
        if cause is not None:
            events[weeks, cause] += 1
    return events, removed


Key = Callable[[Case], str]


def time_to_match(
    replications: list[Replication], horizon: int, seed: int = 0, key: Key | None = None
) -> dict[str, TimeToMatch]:
    """Time to match of all families (``key`` None: one group named "all"), or per group."""
    name_of: Key = key or (lambda _: "all")
    names = sorted({name_of(c) for r in replications for c in referred(r)})
    count = len(replications)
    weights = resampling_weights(count, seed) if count >= 2 else None
    result = {}
    for name in names:
        per_run = [
            event_counts((c for c in referred(r) if name_of(c) == name), horizon)
            for r in replications
        ]
        events = np.stack([e for e, _ in per_run])
        removed = np.stack([n for _, n in per_run])
        result[name] = _summary(events, removed, weights)
    return result


def _summary(events: FloatArray, removed: FloatArray, weights: FloatArray | None) -> TimeToMatch:
    point = incidence_from_counts(events.sum(0), removed.sum(0))
    samples = (
        incidence_from_counts(np.einsum("br,rtk->btk", weights, events), weights @ removed)
        if weights is not None
        else None
    )

    def curve(values: Callable[[FloatArray], FloatArray], unit: Unit) -> Estimate:
        mean = float(values(point))
        if samples is None:
            return Estimate(mean, math.nan, math.nan, unit)
        low, high = _bounds(values(samples))
        return Estimate(mean, float(low), float(high), unit)

    last = events.shape[1] - 1
    return TimeToMatch(
        families=float(removed.sum() / len(removed)),
        median=curve(lambda c: first_reaching(c[..., MATCHED], 0.5), "weeks"),
        p90=curve(lambda c: first_reaching(c[..., MATCHED], 0.9), "weeks"),
        within={
            w: curve(lambda c, w=w: c[..., min(w, last), MATCHED], "share")  # type: ignore[misc]
            for w in WITHIN
        },
        withdrew=curve(lambda c: c[..., last, GAVE_UP], "share"),
        aged_out=curve(lambda c: c[..., last, TOO_OLD], "share"),
        arrival_week=float(point[0, MATCHED]),
    )


def matching_curve(replications: list[Replication], horizon: int) -> FloatArray:
    """The share of families matched within 0, 1, ... weeks of referral (all pooled)."""
    events, removed = event_counts((c for r in replications for c in referred(r)), horizon)
    return incidence_from_counts(events, removed)[:, MATCHED]


Metric = Callable[[Replication], float]


def _within(weeks: int, horizon: int) -> Metric:
    def share(replication: Replication) -> float:
        events, removed = event_counts(referred(replication), horizon)
        if removed.sum() == 0:
            return math.nan
        return float(incidence_from_counts(events, removed)[min(weeks, horizon - 1), MATCHED])

    return share


def metrics(horizon: int) -> dict[str, Metric]:
    """Per-replication measures, by name (for paired comparisons with the same seeds)."""
    return {
        **{WITHIN_NAMES[w]: _within(w, horizon) for w in WITHIN},
        N_("waiting at the end"): lambda r: float(r.weeks[-1].waiting),
        N_("mean waiting list"): lambda r: float(np.mean([w.waiting for w in r.weeks])),
        N_("volunteer utilisation"): lambda r: float(
            np.mean([w.places_used / w.places for w in r.weeks if w.places] or [math.nan])
        ),
    }


LIST_MEASURES = ("waiting at the end", "mean waiting list", "volunteer utilisation")


def summarise(replications: list[Replication], horizon: int, seed: int = 0) -> dict[str, Estimate]:
    """Every measure of one variant, with its interval."""
    matching = time_to_match(replications, horizon, seed)
    empty = Estimate(math.nan, math.nan, math.nan)
    summary: dict[str, Estimate] = {
        N_("median time to match (weeks)"): matching["all"].median if matching else empty,
        N_("p90 time to match (weeks)"): matching["all"].p90 if matching else empty,
    }
    for w in WITHIN:
        summary[WITHIN_NAMES[w]] = matching["all"].within[w] if matching else empty
    summary[N_("withdrew")] = matching["all"].withdrew if matching else empty
    summary[N_("aged out while waiting")] = matching["all"].aged_out if matching else empty
    per_run = metrics(horizon)
    for name in LIST_MEASURES:
        summary[name] = estimate((per_run[name](r) for r in replications), seed)
    summary["volunteer utilisation"] = _as_share(summary["volunteer utilisation"])
    return summary


def _as_share(value: Estimate) -> Estimate:
    return Estimate(value.mean, value.low, value.high, "share")


def waiting_list(
    replications: list[Replication], every: int = 4, seed: int = 0
) -> dict[int, Estimate]:
    """The waiting list over time (every few weeks), with intervals over replications."""
    weeks = list(range(0, len(replications[0].weeks), every))
    values = np.array([[float(r.weeks[w].waiting) for w in weeks] for r in replications])
    return dict(zip(weeks, bootstrap_means(values, seed), strict=True))


def unmatched_reasons(replications: list[Replication]) -> dict[str, float]:
    """Reasons of the families unmatched in the last round, per replication on average."""
    total: dict[str, float] = {}
    for replication in replications:
        for reason, count in replication.unmatched.items():
            total[reason] = total.get(reason, 0.0) + count / len(replications)
    return total
