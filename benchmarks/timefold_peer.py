"""Timefold Solver (Python package, on a Java 17 runtime) as a peer: the same hard rules and the
same lexicographic score, by local search under a time limit.

Each waiting family is a planning entity whose variable is an option (a volunteer on a
half-day) from its own list of allowed options, or unassigned. Hard: a volunteer-half-day takes
one family, a volunteer takes at most their free places. Medium: family priority points.
Soft: quality points. Imported only when the ``timefold`` extra is installed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated

from timefold.solver import SolverFactory
from timefold.solver.config import (
    Duration,
    ScoreDirectorFactoryConfig,
    SolverConfig,
    TerminationConfig,
)
from timefold.solver.domain import (
    PlanningEntityCollectionProperty,
    PlanningId,
    PlanningScore,
    PlanningVariable,
    ProblemFactCollectionProperty,
    ValueRangeProvider,
    planning_entity,
    planning_solution,
)
from timefold.solver.score import (
    ConstraintCollectors,
    ConstraintFactory,
    HardMediumSoftScore,
    Joiners,
    constraint_provider,
)

from matcher import Assignment, Round, prepare
from matcher.domain.slots import SLOT_COUNT, SLOT_NAMES
from matcher.scoring.candidates import score_candidates


@dataclass
class Option:
    """A volunteer on one weekly half-day."""

    id: Annotated[int, PlanningId]
    volunteer: int
    slot: int
    places: int


@planning_entity
@dataclass
class Seeker:
    """A waiting family and the options it may take, with the quality points of each."""

    id: Annotated[int, PlanningId]
    priority: int
    points: dict[int, int]
    options: Annotated[list[Option], ValueRangeProvider(id="options")]
    option: Annotated[
        Option | None,
        PlanningVariable(value_range_provider_refs=["options"], allows_unassigned=True),
    ] = field(default=None)


@planning_solution
@dataclass
class Plan:
    all_options: Annotated[list[Option], ProblemFactCollectionProperty]
    seekers: Annotated[list[Seeker], PlanningEntityCollectionProperty]
    score: Annotated[HardMediumSoftScore | None, PlanningScore] = field(default=None)


@constraint_provider
def rules(factory: ConstraintFactory) -> list[object]:
    """The engine's rules and objective as constraint streams."""
    return [
        factory.for_each_unique_pair(Seeker, Joiners.equal(lambda s: s.option.id))
        .penalize(HardMediumSoftScore.ONE_HARD)
        .as_constraint("one family per volunteer half-day"),
        factory.for_each(Seeker)
        .group_by(
            lambda s: s.option.volunteer,
            ConstraintCollectors.count(),
            ConstraintCollectors.max(lambda s: s.option.places),
        )
        .filter(lambda volunteer, count, places: count > places)
        .penalize(HardMediumSoftScore.ONE_HARD, lambda volunteer, count, places: count - places)
        .as_constraint("volunteer capacity"),
        factory.for_each(Seeker)
        .reward(HardMediumSoftScore.ONE_MEDIUM, lambda s: s.priority)
        .as_constraint("families matched, by priority"),
        factory.for_each(Seeker)
        .reward(HardMediumSoftScore.ONE_SOFT, lambda s: s.points[s.option.id])
        .as_constraint("match quality"),
    ]


def solve_timefold(round_: Round, time_limit_s: float) -> list[Assignment]:
    """Timefold's best assignment within the time limit (no bound, so no gap)."""
    c = score_candidates(prepare(round_))
    p = c.prepared
    options: dict[tuple[int, int], Option] = {}
    seekers: dict[int, Seeker] = {}
    for pair in range(len(c)):
        f, v = int(c.family[pair]), int(c.volunteer[pair])
        seeker = seekers.setdefault(
            f, Seeker(id=f, priority=int(p.family_priority[f]), points={}, options=[])
        )
        for slot in range(SLOT_COUNT):
            if int(c.shared_slots[pair]) >> slot & 1:
                option = options.setdefault(
                    (v, slot),
                    Option(len(options), v, slot, int(p.volunteer_free_capacity[v])),
                )
                seeker.options.append(option)
                seeker.points[option.id] = int(c.points[pair])
    config = SolverConfig(
        solution_class=Plan,
        entity_class_list=[Seeker],
        score_director_factory_config=ScoreDirectorFactoryConfig(
            constraint_provider_function=rules
        ),
        termination_config=TerminationConfig(
            spent_limit=Duration(
                milliseconds=int(timedelta(seconds=time_limit_s).total_seconds() * 1000)
            )
        ),
    )
    plan = Plan(all_options=list(options.values()), seekers=list(seekers.values()))
    solved = SolverFactory.create(config).build_solver().solve(plan)
    return [
        Assignment(
            p.families[s.id].id, p.volunteers[s.option.volunteer].id, SLOT_NAMES[s.option.slot]
        )
        for s in solved.seekers
        if s.option is not None
    ]
