"""The Aalen-Johansen cumulative incidence against lifelines (a test-only peer) on random
data, and by hand where events and censoring tie on whole weeks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.simulate.incidence import aalen_johansen, first_reaching, incidence_from_counts


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), size=st.integers(5, 120), cause=st.sampled_from([1, 2]))
def test_equals_lifelines_aalen_johansen(seed: int, size: int, cause: int) -> None:
    lifelines = pytest.importorskip("lifelines")
    rng = np.random.default_rng(seed)
    # Continuous times, so no ties: lifelines jitters tied times at random.
    durations = rng.exponential(10.0, size)
    events = rng.choice([0, 1, 2], size, p=[0.3, 0.5, 0.2])
    times, cif = aalen_johansen(durations, events)
    fitter = lifelines.AalenJohansenFitter(calculate_variance=False)
    fitter.fit(durations, events, event_of_interest=cause)
    theirs = fitter.cumulative_density_.iloc[:, 0]
    ours = cif[:, cause - 1] if cif.shape[1] >= cause else np.zeros(len(times))
    expected = np.array([theirs[theirs.index <= t].iloc[-1] for t in times])
    np.testing.assert_allclose(ours, expected, atol=1e-9)


def test_ties_between_events_and_censoring_by_hand() -> None:
    # Weeks (cause; 0 censored): 1 (match), 1 (gave up), 1 (censored), 2 (match), 3 (censored).
    # t=1: 5 at risk, S(1-)=1: CIF_match = 1/5 = 0.2, CIF_gave_up = 0.2; S(1) = 1 - 2/5 = 0.6.
    # t=2: 2 at risk (the week-1 censored one left after week 1): CIF_match += 0.6 * 1/2 = 0.5;
    # S(2) = 0.3. t=3: only censoring: nothing changes.
    times, cif = aalen_johansen([1, 1, 1, 2, 3], [1, 2, 0, 1, 0])
    assert times.tolist() == [1, 2, 3]
    np.testing.assert_allclose(cif[:, 0], [0.2, 0.5, 0.5])
    np.testing.assert_allclose(cif[:, 1], [0.2, 0.2, 0.2])


def test_without_competing_events_it_is_one_minus_kaplan_meier() -> None:
    # 4 subjects: events at 1 and 3, censored at 2 and 4. KM: S(1) = 3/4, S(3) = 3/4 * 1/2.
    _, cif = aalen_johansen([1, 2, 3, 4], [1, 0, 1, 0])
    np.testing.assert_allclose(cif[:, 0], [0.25, 0.25, 1 - 3 / 8, 1 - 3 / 8])


def test_resamples_along_leading_axes_equal_separate_fits() -> None:
    rng = np.random.default_rng(3)
    events = rng.integers(0, 4, (6, 10, 2)).astype(float)
    removed = events.sum(-1) + rng.integers(0, 3, (6, 10))
    together = incidence_from_counts(events, removed)
    for sample in range(6):
        np.testing.assert_allclose(
            together[sample], incidence_from_counts(events[sample], removed[sample])
        )
    assert together.min() >= 0 and together.max() <= 1


def test_first_reaching_says_not_reached() -> None:
    cif = np.array([[0.1, 0.5, 0.7], [0.1, 0.2, 0.3]])
    assert first_reaching(cif, 0.5).tolist() == [1.0, float("inf")]
