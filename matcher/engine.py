"""One matching round, end to end: prepare, score, solve, give slots, explain.

The time limit covers all of it. The search stops early enough to leave time for the
explanations after it (``EXPLAIN_SECONDS_PER_FAMILY``), so that a CP-SAT solve ends close to
its limit; the flow and greedy backends finish well within any sensible one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from matcher.domain.prepared import PreparedRound, prepare
from matcher.domain.round import Backend, Round, SolverSettings
from matcher.explain.proposals import build_proposals
from matcher.explain.shortlists import build_shortlists
from matcher.explain.unmatched import build_unmatched
from matcher.fingerprint import round_fingerprint
from matcher.result import (
    Language,
    QualitySpread,
    SolveResult,
    SolverReport,
    SolveStatus,
    Stability,
)
from matcher.scoring.candidates import Candidates, score_candidates
from matcher.solve.flow import solve_flow
from matcher.solve.greedy import solve_greedy
from matcher.solve.selection import Selection
from matcher.solve.stability import (
    previous_slots,
    round_objective,
    stability_report,
    stable_weights,
)
from matcher.solve.weekly_slots import assign_slots
from matcher.wording import ENGLISH

logger = logging.getLogger(__name__)

EXPLAIN_SECONDS_PER_FAMILY = 4e-4
"""Time set aside per waiting family for the work after the search (slots, proposals, reasons
for the unmatched, shortlists): about 0.3 ms a family on a two-core laptop, with some room.
At most half the time limit is set aside."""


BackendFunction = Callable[[Candidates, SolverSettings, float, NDArray[np.int64]], Selection]
"""A backend: scored candidates, the settings, the deadline (``time.perf_counter``) and the
objective weight of each pair."""


def _solve_flow(
    candidates: Candidates, settings: SolverSettings, deadline: float, weight: NDArray[np.int64]
) -> Selection:
    return solve_flow(candidates, weight)  # exact and fast: no time limit, workers or seed


def _solve_cpsat(
    candidates: Candidates, settings: SolverSettings, deadline: float, weight: NDArray[np.int64]
) -> Selection:
    # Imported on use: CP-SAT's Python layer loads pandas, which the default backend never needs.
    from matcher.solve.cpsat import solve_cpsat

    return solve_cpsat(candidates, settings, deadline, weight)


def _solve_greedy(
    candidates: Candidates, settings: SolverSettings, deadline: float, weight: NDArray[np.int64]
) -> Selection:
    return solve_greedy(candidates)  # one pass, in waiting order: nothing to tune


BACKENDS: dict[Backend, BackendFunction] = {
    Backend.FLOW: _solve_flow,
    Backend.CPSAT: _solve_cpsat,
    Backend.GREEDY: _solve_greedy,
}


def solve(
    round_: Round,
    settings: SolverSettings | None = None,
    previous: SolveResult | None = None,
    language: Language = ENGLISH,
) -> SolveResult:
    """Solve a matching round with ``settings`` (default: the round's own). With the
    ``previous`` result of the round, its proposals are kept unless changing them matches more
    families or gains more than the settings' stability margin. Reasons and messages are in
    ``language``. Raises ``RoundError`` when the round's cross-references are bad; an
    infeasible or empty round is a normal result with every family unmatched."""
    started = time.perf_counter()
    return solve_prepared(
        prepare(round_), settings, started=started, previous=previous, language=language
    )


def solve_prepared(
    prepared: PreparedRound,
    settings: SolverSettings | None = None,
    started: float | None = None,
    previous: SolveResult | None = None,
    score: Callable[[PreparedRound], Candidates] = score_candidates,
    language: Language = ENGLISH,
) -> SolveResult:
    """Solve an already prepared round (see ``solve``); ``score`` finds its candidates (such as
    a ``PairCache``'s, which gives the same ones faster for rounds of mostly the same people)."""
    started = time.perf_counter() if started is None else started
    settings = prepared.round.solver if settings is None else settings
    deadline = started + settings.time_limit_s  # the whole solve, scoring included
    candidates = score(prepared)
    selection = _search(candidates, settings, deadline, previous)
    chosen = selection.chosen.tolist()
    kept = None if previous is None else previous_slots(candidates, previous, chosen)
    slots = assign_slots(candidates, selection, kept)
    stability = (
        None
        if previous is None
        else stability_report(candidates, previous, chosen, settings.stability_margin)
    )
    report = _report(candidates, selection, settings, stability)
    logger.info(
        "solved: %s, %d of %d waiting families matched, gap %.3g",
        report.status,
        report.families_matched,
        report.families_waiting,
        report.gap,
    )
    return SolveResult(
        reference_date=prepared.round.reference_date,
        report=report,
        proposals=build_proposals(candidates, slots, language),
        # Without a solution no family lost out to another: there is nothing to explain yet.
        unmatched=build_unmatched(candidates, chosen, language) if report.has_solution else [],
        shortlists=build_shortlists(candidates, chosen, settings.shortlist_size),
        round_fingerprint=round_fingerprint(
            prepared.round, candidates.family[chosen], candidates.volunteer[chosen]
        ),
        runtime_s=time.perf_counter() - started,
        language=language,
    )


def _search(
    c: Candidates, settings: SolverSettings, deadline: float, previous: SolveResult | None
) -> Selection:
    """The backend's selection, in the round's own objective, stopping in time to explain it."""
    if len(c) == 0:
        return Selection(SolveStatus.OPTIMAL, np.zeros(0, dtype=np.intp), 0, 0)
    waiting = int(c.prepared.family_waiting.sum())
    set_aside = min(settings.time_limit_s / 2, EXPLAIN_SECONDS_PER_FAMILY * waiting)
    backend = BACKENDS[settings.backend]
    if previous is None or settings.backend == Backend.GREEDY:  # greedy goes by waiting order
        return backend(c, settings, deadline - set_aside, c.weight)
    weights = stable_weights(c, previous, settings.stability_margin)
    return round_objective(c, weights, backend(c, settings, deadline - set_aside, weights.weight))


def _report(
    c: Candidates, selection: Selection, settings: SolverSettings, stability: Stability | None
) -> SolverReport:
    p = c.prepared
    chosen = selection.chosen
    return SolverReport(
        backend=str(settings.backend),
        status=selection.status,
        objective=selection.objective,
        bound=selection.bound,
        gap=round(selection.gap, 9),
        multiplier=c.multiplier,
        families_waiting=int(p.family_waiting.sum()),
        families_matched=len(chosen),
        priority_points=int(p.family_priority[c.family[chosen]].sum()),
        quality_points=int(c.points[chosen].sum()),
        candidate_pairs=len(c),
        settings=settings,
        weights=p.round.weights,
        policy=p.round.policy,
        proposal_quality=_spread(c.quality[chosen]),
        stability=stability,
    )


def _spread(quality: NDArray[np.float64]) -> QualitySpread | None:
    """Quartiles of the proposals' quality, rounded for people."""
    if quality.size == 0:
        return None
    low, q1, median, q3, high = (
        round(float(x), 3) for x in np.quantile(quality, [0, 0.25, 0.5, 0.75, 1])
    )
    return QualitySpread(
        minimum=low, lower_quartile=q1, median=median, upper_quartile=q3, maximum=high
    )
