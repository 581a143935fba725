"""Time to match as time-to-event: the Aalen-Johansen cumulative incidence (Kaplan-Meier with
competing risks).

A family's wait ends in a match, or in a competing event (they gave up, or their youngest child
aged out), or is censored: still waiting when the horizon ends. Counting only families who were
matched, or only those still waiting, biases waits short (survivorship); the cumulative
incidence of a match at ``t`` is the share of families matched within ``t`` weeks, with the
censored counted for as long as they were seen and the competing events counted as never
matched.

At each event time ``t`` with ``n`` families still at risk (not yet matched, closed or
censored before ``t``), ``d_k`` events of cause ``k`` and ``S(t-)`` the share still waiting just
before ``t`` (Kaplan-Meier over all causes):

    CIF_k(t) = CIF_k(t-) + S(t-) * d_k / n,        S(t) = S(t-) * (1 - sum_k d_k / n).

Censoring at ``t`` comes after the events at ``t`` (the usual convention). The core works on
counts per time step, so that bootstrap resamples of whole replications are one matrix product.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

CENSORED = 0


def incidence_from_counts(events: ArrayLike, removed: ArrayLike) -> FloatArray:
    """Cumulative incidence per time step and cause.

    ``events[..., t, k]`` counts events of cause ``k + 1`` at step ``t``; ``removed[..., t]``
    counts everyone leaving the risk set at ``t`` (events and censored). Leading axes are
    independent samples (e.g. bootstrap resamples). Returns ``cif[..., t, k]``."""
    d = np.asarray(events, dtype=np.float64)
    out = np.asarray(removed, dtype=np.float64)
    at_risk = np.flip(np.cumsum(np.flip(out, -1), -1), -1)
    safe = np.where(at_risk > 0, at_risk, 1.0)
    hazard = np.where(at_risk > 0, d.sum(-1) / safe, 0.0)
    surviving = np.cumprod(1.0 - hazard, -1)
    before = np.concatenate([np.ones_like(surviving[..., :1]), surviving[..., :-1]], -1)
    step = np.where(at_risk[..., None] > 0, before[..., None] * d / safe[..., None], 0.0)
    return np.asarray(np.clip(np.cumsum(step, -2), 0.0, 1.0))


def aalen_johansen(durations: ArrayLike, events: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """The distinct times and the cumulative incidence of every cause at them (``cif[t, k]``
    for cause ``k + 1``) from one duration and one event code per subject (0: censored)."""
    time = np.asarray(durations, dtype=np.float64)
    cause = np.asarray(events, dtype=np.int64)
    if time.shape != cause.shape or time.ndim != 1:
        raise ValueError("durations and events must be flat and of equal length")
    if np.any(time < 0) or np.any(cause < 0) or not np.all(np.isfinite(time)):
        raise ValueError("durations must be finite and >= 0, event codes >= 0")
    times, index = np.unique(time, return_inverse=True)
    causes = int(cause.max(initial=0))
    removed = np.bincount(index, minlength=len(times))
    counts = np.zeros((len(times), max(causes, 1)))
    observed = cause > CENSORED
    np.add.at(counts, (index[observed], cause[observed] - 1), 1.0)
    return times, incidence_from_counts(counts, removed)


def first_reaching(cif: FloatArray, share: float) -> NDArray[np.float64]:
    """The first step at which a cumulative incidence curve (last axis: steps) reaches
    ``share``, or infinity where it never does ("not reached")."""
    reached = cif >= share - 1e-12
    step = np.argmax(reached, -1).astype(np.float64)
    return np.where(reached.any(-1), step, np.inf)
