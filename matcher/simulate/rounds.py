"""A week's matching round as the simulation needs it: who is proposed to whom on which
half-day, which waiting families are out of the programme, and (for the last round) why the
others were left unmatched.

A round of the engine also explains itself: reasons and score breakdowns per proposal,
shortlists, an explanation per unmatched family and a fingerprint. The simulation reads none of
that except the unmatched reasons of its last round, and at national scale the explanations
cost more than the search. ``lean_round`` therefore runs the engine's own steps (the same
scoring, backend and half-day assignment) and stops there; ``engine_round`` runs the whole
``solve_prepared``. Both give the same outcome (a test and the benchmark check it), so
``engine_round`` is the reference the lean one is measured and tested against.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from matcher.domain.prepared import PreparedRound
from matcher.domain.slots import SLOT_NAMES
from matcher.engine import BACKENDS, solve_prepared
from matcher.explain.unmatched import build_unmatched
from matcher.result import SolveStatus, UnmatchedReason
from matcher.scoring.candidates import Candidates
from matcher.solve.selection import Selection
from matcher.solve.weekly_slots import assign_slots

Score = Callable[[PreparedRound], Candidates]
SOLVED = (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


@dataclass(frozen=True)
class RoundOutcome:
    """What one round gives the simulation."""

    proposals: list[tuple[str, str, str]]  # (family id, volunteer id, half-day), family order
    not_eligible: list[str]  # waiting families left unmatched as out of the programme
    reasons: Counter[str] = field(default_factory=Counter)  # only when asked for


RoundSolver = Callable[[PreparedRound, Score, bool], RoundOutcome]
"""A round: the prepared round, how to score it, and whether to give every unmatched reason."""


def engine_round(prepared: PreparedRound, score: Score, reasons: bool) -> RoundOutcome:
    """The round through the engine's whole ``solve_prepared``, explanations included."""
    result = solve_prepared(prepared, score=score)
    not_eligible = [
        u.family_id for u in result.unmatched if u.reason == UnmatchedReason.NOT_ELIGIBLE
    ]
    return RoundOutcome(
        proposals=[(p.family_id, p.volunteer_id, p.slot) for p in result.proposals],
        not_eligible=not_eligible,
        reasons=Counter(str(u.reason) for u in result.unmatched) if reasons else Counter(),
    )


def lean_round(prepared: PreparedRound, score: Score, reasons: bool) -> RoundOutcome:
    """The engine's selection and half-days without its explanations; the unmatched reasons
    are worked out only when ``reasons`` is asked for (families out of the programme always)."""
    started = time.perf_counter()
    settings = prepared.round.solver
    candidates = score(prepared)
    if len(candidates) == 0:
        selection = Selection(SolveStatus.OPTIMAL, np.zeros(0, dtype=np.intp), 0, 0)
    else:
        search = BACKENDS[settings.backend]
        deadline = started + settings.time_limit_s
        selection = search(candidates, settings, deadline, candidates.weight)
    slots = assign_slots(candidates, selection)
    p = prepared
    proposals = [
        (
            p.families[int(candidates.family[pair])].id,
            p.volunteers[int(candidates.volunteer[pair])].id,
            SLOT_NAMES[slot],
        )
        for pair, slot in sorted(slots.items())
    ]
    chosen = selection.chosen.tolist()
    if selection.status not in SOLVED:  # without a solution nobody is explained, as the engine
        return RoundOutcome(proposals, [])
    if reasons:
        unmatched = build_unmatched(candidates, chosen)
        return RoundOutcome(
            proposals,
            [u.family_id for u in unmatched if u.reason == UnmatchedReason.NOT_ELIGIBLE],
            Counter(str(u.reason) for u in unmatched),
        )
    return RoundOutcome(proposals, _not_eligible(candidates, chosen))


def _not_eligible(candidates: Candidates, chosen: list[int]) -> list[str]:
    """Waiting families unmatched because they are out of the programme (the engine's
    ``not_eligible`` reason: every volunteer fails the age limit), in input order."""
    p = candidates.prepared
    if not p.volunteers:
        return []
    out = p.family_waiting & ~candidates.facts.family_eligible
    out[candidates.family[chosen]] = False
    return [p.families[f].id for f in np.flatnonzero(out).tolist()]
