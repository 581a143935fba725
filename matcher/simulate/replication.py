"""One replication of a what-if scenario, week by week, with the real matching engine.

Each week: matches that reached their planned end close; volunteers who stop leave (their
families go back to waiting, with re-match priority); new cohorts start; new families arrive
(referred; they join the waiting list once the scenario's ``intake_weeks`` have passed);
and on round weeks the engine proposes matches, of which a share is accepted at the
introduction (the rest become declined pairs). Families the programme no longer serves (the
youngest child aged out) are closed, and so are families who waited longer than the scenario's
``withdraw_after_weeks`` (they give up). Separate random streams for demand, volunteers and events
keep the baseline and its levers comparable (common random numbers).

From one week to the next most people stay the same, so rounds are scored with a ``PairCache``:
only the pairs of families and volunteers who arrived or changed are worked out again, with
exactly the candidates (and so the proposals) a full scoring gives. Rounds skip the engine's
explanations the simulation never reads (``matcher.simulate.rounds``); only the last round
explains why families were left unmatched, for the report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from matcher.domain.people import Family, Volunteer
from matcher.domain.prepared import PreparedRound, prepare
from matcher.domain.round import ActiveMatch, Coordinator, Pair, Round, SolverSettings
from matcher.domain.slots import SLOT_NAMES
from matcher.geo.postcodes import locate
from matcher.scoring.candidates import Candidates
from matcher.scoring.pair_cache import PairCache
from matcher.simulate.rounds import RoundSolver, lean_round
from matcher.simulate.what_if import Cohort, Lever, Simulation
from matcher.synthetic.generate import Area, random_family, random_volunteer

EVENINGS = tuple(f"{day}-evening" for day in ("mon", "tue", "wed", "thu", "fri"))


ENDED, WITHDREW, AGED_OUT = "support ended", "withdrew", "aged out"


@dataclass
class Case:
    """A family's path through the programme."""

    family: Family
    arrived: int  # week of referral (negative: already waiting at the start)
    language: str  # first home language, or "nl"
    place: str
    waiting_since: int
    ready: int = 0  # first week on the waiting list, after the intake
    first_match: int | None = None
    closed: int | None = None
    closed_as: str | None = None  # ENDED, WITHDREW or AGED_OUT

    def close(self, week: int, why: str) -> None:
        self.closed, self.closed_as = week, why


@dataclass(frozen=True)
class Match:
    family_id: str
    volunteer_id: str
    slot: str
    ends: int
    record: ActiveMatch  # as the rounds see it, built once rather than every round

    @classmethod
    def of(cls, family_id: str, volunteer_id: str, slot: str, ends: int) -> Match:
        """A match ending in week ``ends``."""
        record = ActiveMatch(family_id=family_id, volunteer_id=volunteer_id, slot=slot)
        return cls(family_id, volunteer_id, slot, ends, record)


@dataclass(frozen=True)
class Week:
    """Counts at the end of a week."""

    week: int
    arrived: int  # families that ever arrived (including those waiting at the start)
    waiting: int
    matched: int
    closed: int
    in_intake: int  # referred, intake not finished yet
    places: int
    places_used: int
    over_capacity: int  # volunteers with more families than places: always 0


@dataclass
class Replication:
    """Everything one run produced."""

    lever: str
    seed: int
    weeks: list[Week] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    unmatched: Counter[str] = field(default_factory=Counter)


@dataclass
class _State:
    sim: Simulation
    lever: Lever
    codes: list[str]
    demand: np.random.Generator
    people: np.random.Generator
    events: np.random.Generator
    score: Callable[[PreparedRound], Candidates]
    solver: RoundSolver
    volunteers: dict[str, Volunteer] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    matches: dict[str, Match] = field(default_factory=dict)  # by family id
    declined: dict[tuple[str, str], Pair] = field(default_factory=dict)  # by (family, volunteer)
    coordinators: tuple[Coordinator, ...] = ()
    next_family: int = 1
    next_volunteer: int = 1

    def today(self, week: int) -> date:
        return self.sim.start_date + timedelta(weeks=week)


def simulate_once(
    sim: Simulation,
    lever: Lever | None,
    seed: int,
    score: Callable[[PreparedRound], Candidates] | None = None,
    solver: RoundSolver = lean_round,
) -> Replication:
    """Run ``sim`` (with ``lever`` applied, if any) over its horizon from ``seed``; ``score``
    finds each round's candidates (default: a ``PairCache`` kept through the weeks) and
    ``solver`` runs each round (default: without the explanations nobody reads)."""
    lever = lever or Lever(name="baseline")
    demand, people, events = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)
    )
    score = score or PairCache().score
    state = _State(sim, lever, sim.area.pc4_codes(), demand, people, events, score, solver)
    _start(state)
    cadence = lever.cadence_weeks or sim.cadence_weeks
    last_round = (sim.horizon_weeks - 1) // cadence * cadence
    result = Replication(lever=lever.name, seed=seed)
    for week in range(sim.horizon_weeks):
        _close_finished(state, week)
        _churn(state, week)
        for cohort in (*sim.cohorts, *lever.cohorts):
            if cohort.week == week:
                _recruit(state, cohort)
        _arrivals(state, week)
        _withdrawals(state, week)
        if week % cadence == 0:
            result.unmatched = _round(state, week, reasons=week == last_round)
        result.weeks.append(_count(state, week))
    result.cases = list(state.cases.values())
    return result


def _start(state: _State) -> None:
    if state.sim.start_round is not None:
        _start_from_round(state, state.sim.start_round)
        return
    sim = state.sim
    for _ in range(sim.volunteers):
        _add_volunteer(state, state.people)
    for volunteer in list(state.volunteers.values()):
        if state.events.random() < sim.active_share and volunteer.slots:
            case = _new_case(state, week=-int(state.events.integers(4, 40)))
            slot = volunteer.slots[int(state.events.integers(len(volunteer.slots)))]
            case.family = case.family.model_copy(
                update={"slots": tuple(sorted({*case.family.slots, slot}, key=SLOT_NAMES.index))}
            )
            case.first_match = case.arrived + 2
            remaining = int(state.events.integers(1, sim.support_weeks[1] + 1))
            state.matches[case.family.id] = Match.of(case.family.id, volunteer.id, slot, remaining)
    for _ in range(sim.waiting_families):
        _new_case(state, week=-int(state.demand.integers(0, 8)))


def _start_from_round(state: _State, round_: Round) -> None:
    """The round's people as week 0: its active matches run on for a random part of a typical
    support, its waiting families keep their waiting time."""
    start = state.sim.start_date
    state.volunteers = {v.id: _with_lever(state.lever, v, state.people) for v in round_.volunteers}
    state.coordinators = round_.coordinators
    for family in round_.families:
        area = locate(family.postcode) if family.postcode else None
        weeks = -max((start - family.registered).days // 7, 0)
        state.cases[family.id] = Case(
            family=family,
            arrived=weeks,
            language=family.languages[0] if family.languages else "nl",
            place=area.place if area is not None else "?",
            waiting_since=weeks,
            ready=weeks,
        )
    for match in round_.active_matches:
        remaining = int(state.events.integers(1, state.sim.support_weeks[1] + 1))
        state.cases[match.family_id].first_match = state.cases[match.family_id].arrived
        state.matches[match.family_id] = Match(
            match.family_id, match.volunteer_id, match.slot, remaining, match
        )
    state.declined = {(p.family_id, p.volunteer_id): p for p in round_.declined_pairs}


def _add_volunteer(state: _State, rng: np.random.Generator, cohort: Cohort | None = None) -> None:
    volunteer_id = f"V{state.next_volunteer:05d}"
    while volunteer_id in state.volunteers:  # ids of a starting round stay untouched
        state.next_volunteer += 1
        volunteer_id = f"V{state.next_volunteer:05d}"
    state.next_volunteer += 1
    codes = state.codes
    if cohort is not None and cohort.places:
        codes = Area(places=cohort.places).pc4_codes()
    volunteer = random_volunteer(rng, volunteer_id, codes).model_copy(
        update={"training_complete": True, "vog_complete": True}
    )
    volunteer = _with_lever(state.lever, volunteer, rng)
    if cohort is not None:
        languages = volunteer.languages
        if cohort.language and cohort.language not in languages:
            languages = (*languages, cohort.language)
        slots = tuple(sorted({*volunteer.slots, *cohort.extra_slots}, key=SLOT_NAMES.index))
        volunteer = volunteer.model_copy(update={"languages": languages, "slots": slots})
    state.volunteers[volunteer_id] = volunteer


def _with_lever(lever: Lever, volunteer: Volunteer, rng: np.random.Generator) -> Volunteer:
    """The volunteer as the lever changes them (each draw is made, used or not, to keep the
    random streams aligned between baseline and levers)."""
    more_capacity = rng.random() < lever.capacity_share
    evenings = rng.random() < lever.evening_share
    update: dict[str, object] = {}
    if more_capacity:
        update["capacity"] = min(volunteer.capacity + 1, 3)
    if evenings:
        update["slots"] = tuple(sorted({*volunteer.slots, *EVENINGS}, key=SLOT_NAMES.index))
    if lever.extra_travel_km > 0:
        update["max_travel_km"] = volunteer.travel_limit_km + lever.extra_travel_km
    return volunteer.model_copy(update=update) if update else volunteer


def _new_case(state: _State, week: int) -> Case:
    family_id = f"F{state.next_family:05d}"
    while family_id in state.cases:  # ids of a starting round stay untouched
        state.next_family += 1
        family_id = f"F{state.next_family:05d}"
    state.next_family += 1
    today = state.today(week)
    family = random_family(state.demand, family_id, state.codes, today).model_copy(
        update={"registered": today, "rematch": False}
    )
    assert family.postcode is not None
    area = locate(family.postcode)
    case = Case(
        family=family,
        arrived=week,
        language=family.languages[0] if family.languages else "nl",
        place=area.place if area is not None else "?",
        waiting_since=week,
        ready=week + state.sim.intake_weeks if week >= 0 else week,
    )
    state.cases[family_id] = case
    return case


def _close_finished(state: _State, week: int) -> None:
    for family_id, match in list(state.matches.items()):
        if match.ends <= week:
            del state.matches[family_id]
            state.cases[family_id].close(week, ENDED)


def _churn(state: _State, week: int) -> None:
    weekly = 1 - (1 - state.sim.churn_per_year) ** (1 / 52)
    draws = state.events.random(len(state.volunteers))  # the same stream as one draw each
    leaving = {v for v, draw in zip(state.volunteers, draws, strict=True) if draw < weekly}
    if not leaving:
        return
    for volunteer_id in leaving:
        del state.volunteers[volunteer_id]
    for family_id, match in list(state.matches.items()):
        if match.volunteer_id in leaving:
            del state.matches[family_id]
            case = state.cases[family_id]
            case.waiting_since = week
            case.family = case.family.model_copy(
                update={"registered": state.today(week), "rematch": True}
            )


def _recruit(state: _State, cohort: Cohort) -> None:
    for _ in range(cohort.size):
        _add_volunteer(state, state.people, cohort)


def _arrivals(state: _State, week: int) -> None:
    month = state.today(week).month
    rate = state.sim.arrivals_per_year / 52 * state.sim.seasonality[month - 1]
    for _ in range(int(state.demand.poisson(rate))):
        _new_case(state, week)


def _withdrawals(state: _State, week: int) -> None:
    """Families who have waited too long give up (a family-stops closure)."""
    limit = state.sim.withdraw_after_weeks
    if limit is None:
        return
    for case in _waiting(state, week):
        if week - case.waiting_since >= limit:
            case.close(week, WITHDREW)


def _waiting(state: _State, week: int) -> list[Case]:
    """Families on the waiting list: intake done, not matched, not closed."""
    return [
        c
        for c in state.cases.values()
        if c.closed is None and c.family.id not in state.matches and c.ready <= week
    ]


def _in_intake(state: _State, week: int) -> int:
    return sum(1 for c in state.cases.values() if c.closed is None and c.ready > week)


def _round(state: _State, week: int, reasons: bool) -> Counter[str]:
    """Run the engine on who is waiting now; accept a share of its proposals. The unmatched
    reasons, when ``reasons`` asks for them."""
    waiting = _waiting(state, week)
    if not waiting or not state.volunteers:
        return Counter({"no_eligible_volunteer": len(waiting)}) if waiting else Counter()
    matched = [state.cases[family_id] for family_id in state.matches]
    present = {c.family.id for c in waiting}
    round_ = Round(
        reference_date=state.today(week),
        volunteers=tuple(state.volunteers.values()),
        families=tuple(c.family for c in (*waiting, *matched)),
        active_matches=tuple(m.record for m in state.matches.values()),
        declined_pairs=tuple(
            state.declined[f, v]
            for f, v in sorted(state.declined)
            if f in present and v in state.volunteers
        ),
        coordinators=state.coordinators,
        weights=state.sim.weights,
        policy=state.sim.policy,
        solver=SolverSettings(backend=state.lever.backend or state.sim.backend),
    )
    outcome = state.solver(prepare(round_), state.score, reasons)
    low, mode, high = state.sim.support_weeks
    for family_id, volunteer_id, slot in outcome.proposals:
        if state.events.random() < state.sim.accept_share:
            case = state.cases[family_id]
            case.first_match = week if case.first_match is None else case.first_match
            duration = round(float(state.events.triangular(low, mode, high)))
            state.matches[family_id] = Match.of(family_id, volunteer_id, slot, week + duration)
        else:
            state.declined[family_id, volunteer_id] = Pair(
                family_id=family_id, volunteer_id=volunteer_id
            )
    for family_id in outcome.not_eligible:
        case = state.cases[family_id]
        if case.family.due_date is None:
            case.close(week, AGED_OUT)  # the youngest child aged out while waiting
    return outcome.reasons


def _count(state: _State, week: int) -> Week:
    cases = state.cases.values()
    return Week(
        week=week,
        arrived=len(state.cases),
        waiting=len(_waiting(state, week)),
        matched=len(state.matches),
        closed=sum(1 for c in cases if c.closed is not None),
        in_intake=_in_intake(state, week),
        places=sum(v.capacity for v in state.volunteers.values()),
        places_used=len(state.matches),
        over_capacity=sum(
            1
            for volunteer_id, load in Counter(
                m.volunteer_id for m in state.matches.values()
            ).items()
            if volunteer_id not in state.volunteers
            or load > state.volunteers[volunteer_id].capacity
        ),
    )
