"""One matching round, end to end: prepare, score, solve, give slots, explain."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np

from matcher.domain.prepared import PreparedRound, prepare
from matcher.domain.round import Backend, Round, SolverSettings
from matcher.explain.proposals import build_proposals
from matcher.explain.shortlists import build_shortlists
from matcher.explain.unmatched import build_unmatched
from matcher.fingerprint import round_fingerprint
from matcher.result import SolveResult, SolverReport, SolveStatus
from matcher.scoring.candidates import Candidates, score_candidates
from matcher.solve.flow import solve_flow
from matcher.solve.greedy import solve_greedy
from matcher.solve.selection import Selection
from matcher.solve.weekly_slots import assign_slots

logger = logging.getLogger(__name__)


BackendFunction = Callable[[Candidates, SolverSettings, float], Selection]
"""A backend: scored candidates, the settings, and the deadline (``time.perf_counter``)."""


def _solve_flow(candidates: Candidates, settings: SolverSettings, deadline: float) -> Selection:
    return solve_flow(candidates)  # exact and fast: no time limit, workers or seed to honour


def _solve_cpsat(candidates: Candidates, settings: SolverSettings, deadline: float) -> Selection:
    # Imported on use: CP-SAT's Python layer loads pandas, which the default backend never needs.
    from matcher.solve.cpsat import solve_cpsat

    return solve_cpsat(candidates, settings, deadline)


def _solve_greedy(candidates: Candidates, settings: SolverSettings, deadline: float) -> Selection:
    return solve_greedy(candidates)  # one pass, in waiting order: nothing to tune


BACKENDS: dict[Backend, BackendFunction] = {
    Backend.FLOW: _solve_flow,
    Backend.CPSAT: _solve_cpsat,
    Backend.GREEDY: _solve_greedy,
}


def solve(round_: Round, settings: SolverSettings | None = None) -> SolveResult:
    """Solve a matching round with ``settings`` (default: the round's own). Raises
    ``RoundError`` when the round's cross-references are bad; an infeasible or empty round is a
    normal result with every family unmatched."""
    started = time.perf_counter()
    return solve_prepared(prepare(round_), settings, started=started)


def solve_prepared(
    prepared: PreparedRound, settings: SolverSettings | None = None, started: float | None = None
) -> SolveResult:
    """Solve an already prepared round (see ``solve``)."""
    started = time.perf_counter() if started is None else started
    settings = prepared.round.solver if settings is None else settings
    candidates = score_candidates(prepared)
    if len(candidates) == 0:
        selection = Selection(SolveStatus.OPTIMAL, np.zeros(0, dtype=np.intp), 0, 0)
    else:
        deadline = started + settings.time_limit_s  # the whole solve, scoring included
        selection = BACKENDS[settings.backend](candidates, settings, deadline)
    slots = assign_slots(candidates, selection)
    chosen = selection.chosen.tolist()
    report = _report(candidates, selection, settings)
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
        proposals=build_proposals(candidates, slots),
        # Without a solution no family lost out to another: there is nothing to explain yet.
        unmatched=build_unmatched(candidates, chosen) if report.has_solution else [],
        shortlists=build_shortlists(candidates, chosen, settings.shortlist_size),
        round_fingerprint=round_fingerprint(
            prepared.round, candidates.family[chosen], candidates.volunteer[chosen]
        ),
        runtime_s=time.perf_counter() - started,
    )


def _report(c: Candidates, selection: Selection, settings: SolverSettings) -> SolverReport:
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
    )
