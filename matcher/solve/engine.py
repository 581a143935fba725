"""One matching round, end to end: prepare, score, solve, give slots, explain."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np

from matcher.domain.prepared import PreparedRound, prepare
from matcher.domain.round import Backend, Round
from matcher.explain.proposals import build_proposals
from matcher.explain.shortlists import build_shortlists
from matcher.explain.unmatched import build_unmatched
from matcher.scoring.candidates import Candidates, score_candidates
from matcher.solve.flow import solve_flow
from matcher.solve.greedy import solve_greedy
from matcher.solve.result import SolveResult, SolverReport, SolveStatus
from matcher.solve.selection import Selection
from matcher.solve.weekly_slots import assign_slots

logger = logging.getLogger(__name__)


def _solve_cpsat(candidates: Candidates) -> Selection:
    # Imported on use: CP-SAT's Python layer loads pandas, which the default backend never needs.
    from matcher.solve.cpsat import solve_cpsat

    return solve_cpsat(candidates)


BACKENDS: dict[Backend, Callable[[Candidates], Selection]] = {
    Backend.FLOW: solve_flow,
    Backend.CPSAT: _solve_cpsat,
    Backend.GREEDY: solve_greedy,
}


def solve(round_: Round) -> SolveResult:
    """Solve a matching round. Raises ``RoundError`` when the round's cross-references are bad;
    an infeasible or empty round is a normal result with every family unmatched."""
    started = time.perf_counter()
    return solve_prepared(prepare(round_), started=started)


def solve_prepared(prepared: PreparedRound, started: float | None = None) -> SolveResult:
    """Solve an already prepared round (see ``solve``)."""
    started = time.perf_counter() if started is None else started
    candidates = score_candidates(prepared)
    settings = prepared.round.solver
    if len(candidates) == 0:
        selection = Selection(SolveStatus.OPTIMAL, np.zeros(0, dtype=np.intp), 0, 0)
    else:
        selection = BACKENDS[settings.backend](candidates)
    slots = assign_slots(candidates, selection)
    chosen = selection.chosen.tolist()
    report = _report(candidates, selection)
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
        unmatched=build_unmatched(candidates, chosen),
        shortlists=build_shortlists(candidates, chosen, settings.shortlist_size),
        runtime_s=time.perf_counter() - started,
    )


def _report(c: Candidates, selection: Selection) -> SolverReport:
    p = c.round
    chosen = selection.chosen
    return SolverReport(
        backend=str(p.round.solver.backend),
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
        settings=p.round.solver,
        weights=p.round.weights,
        policy=p.round.policy,
    )
