"""The introduction meetings as a CP-SAT model, split like the round's model: variables, rules
(one small function each, applied in ``CONSTRAINTS`` order) and the objective.

Variables: ``x[i, h]`` when proposal ``i`` may meet in half-day ``h`` (all three people free).
Objective: the most families planned first, weighted by their priority, then the earliest dates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from ortools.sat.python import cp_model

from matcher.domain.round import Round
from matcher.result import Proposal, SolveStatus
from matcher.schedule.availability import HalfDay
from matcher.solve.cpsat_run import run_cpsat


@dataclass(frozen=True)
class MeetingProblem:
    """Proposals, the half-days each could meet in, and who coordinates each family."""

    round: Round
    proposals: list[Proposal]
    options: list[list[HalfDay]]

    @cached_property
    def _coordinators(self) -> dict[str, str | None]:
        return {f.id: f.coordinator for f in self.round.families}

    def coordinator_of(self, index: int) -> str | None:
        """The coordinator of proposal ``index``'s family (None when it has none)."""
        return self._coordinators.get(self.proposals[index].family_id)


@dataclass(frozen=True)
class MeetingChoice:
    """The chosen half-day per proposal index, with the model's status, objective and bound."""

    status: SolveStatus
    objective: int
    bound: int
    chosen: dict[int, HalfDay]


Variables = dict[tuple[int, HalfDay], cp_model.IntVar]


def _variables(model: cp_model.CpModel, problem: MeetingProblem) -> Variables:
    return {
        (index, half): model.new_bool_var(f"m{index}_{half.day}_{half.part}")
        for index, halves in enumerate(problem.options)
        for half in halves
    }


def _one_meeting_per_proposal(
    model: cp_model.CpModel, problem: MeetingProblem, x: Variables
) -> None:
    """Each proposal gets at most one introduction."""
    for index, halves in enumerate(problem.options):
        model.add_at_most_one(x[index, h] for h in halves)


def _one_meeting_at_a_time(model: cp_model.CpModel, problem: MeetingProblem, x: Variables) -> None:
    """No volunteer and no coordinator is in two meetings in one half-day."""
    same_time: defaultdict[tuple[str, HalfDay], list[cp_model.IntVar]] = defaultdict(list)
    for (index, half), var in x.items():
        same_time["v:" + problem.proposals[index].volunteer_id, half].append(var)
        coordinator = problem.coordinator_of(index)
        if coordinator is not None:
            same_time["c:" + coordinator, half].append(var)
    for group in same_time.values():
        model.add_at_most_one(group)


def _meetings_per_week(model: cp_model.CpModel, problem: MeetingProblem, x: Variables) -> None:
    """A coordinator holds at most ``meetings_per_week`` introductions in an ISO week."""
    capacity = {c.id: c.meetings_per_week for c in problem.round.coordinators}
    same_week: defaultdict[tuple[str, tuple[int, int]], list[cp_model.IntVar]] = defaultdict(list)
    for (index, half), var in x.items():
        coordinator = problem.coordinator_of(index)
        if coordinator is not None:
            same_week[coordinator, half.day.isocalendar()[:2]].append(var)
    for (coordinator, _), group in same_week.items():
        model.add(sum(group) <= capacity[coordinator])


CONSTRAINTS: tuple[Callable[[cp_model.CpModel, MeetingProblem, Variables], None], ...] = (
    _one_meeting_per_proposal,
    _one_meeting_at_a_time,
    _meetings_per_week,
)


def _objective(model: cp_model.CpModel, problem: MeetingProblem, x: Variables) -> None:
    """Priority first (scaled above any date difference), then earlier half-days."""
    horizon = max((len(h) for h in problem.options), default=0) + 1
    ordered = sorted({h for halves in problem.options for h in halves})
    rank = {half: position for position, half in enumerate(ordered)}
    model.maximize(
        sum(
            var * (problem.proposals[i].family_priority * horizon * 10 - rank[h])
            for (i, h), var in x.items()
        )
    )


def choose_meetings(problem: MeetingProblem, time_limit_s: float) -> MeetingChoice:
    """Choose an introduction half-day per proposal, as many and as early as possible."""
    model = cp_model.CpModel()
    x = _variables(model, problem)
    for add_rule in CONSTRAINTS:
        add_rule(model, problem, x)
    _objective(model, problem, x)
    run = run_cpsat(model, time_limit_s)
    chosen = (
        {i: h for (i, h), var in x.items() if run.solver.boolean_value(var)}
        if run.has_solution
        else {}
    )
    return MeetingChoice(run.status, run.objective, run.bound, chosen)
