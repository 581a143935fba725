"""From proposals to a dated plan: introduction meetings planned with CP-SAT, then weekly visits.

Introductions: for each proposal, a dated half-day in the next weeks when the family's
coordinator, the volunteer and the family are all free (weekly slots, no public holiday, no
absence, and not the volunteer's running visits), at most one meeting per coordinator per
half-day and ``meetings_per_week`` per coordinator per week. The objective plans the most
families first, weighted by their priority (waiting time, re-match), then the earliest dates.
Visits: weekly on the match's slot from the first free slot date after the introduction (not in
a school holiday, on a public holiday or in an absence of the family or the volunteer) until the
review (13 weeks, about three months, by default). A later visit on a public holiday or during an
absence moves to another shared half-day of that week when there is one, and is skipped
otherwise; visits pause in school holidays. Each moved or skipped visit carries its reason.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from pydantic import Field

from matcher.domain.frozen import Frozen
from matcher.domain.round import Round
from matcher.domain.slots import DAYS
from matcher.result import Proposal, SolveStatus
from matcher.schedule.availability import Availability, HalfDay, half_days
from matcher.schedule.meetings import MeetingProblem, choose_meetings


class Introduction(Frozen):
    family_id: str
    volunteer_id: str
    coordinator_id: str | None
    day: date
    part: str


class SkippedVisit(Frozen):
    day: date
    reason: str


class MovedVisit(Frozen):
    day: date
    to_day: date
    to_part: str
    reason: str


class VisitSeries(Frozen):
    """Weekly visits from ``first`` up to the review on ``review``; ``skipped`` ones do not
    happen, ``moved`` ones happen on another half-day of the same week."""

    family_id: str
    volunteer_id: str
    slot: str
    first: date
    review: date
    skipped: list[SkippedVisit]
    moved: list[MovedVisit]


class Unplanned(Frozen):
    family_id: str
    reason: str


class Plan(Frozen):
    """The dated plan, with the meeting model's status and objective."""

    status: SolveStatus
    objective: int
    bound: int
    introductions: list[Introduction]
    visits: list[VisitSeries]
    unplanned: list[Unplanned]
    settings: dict[str, str | int] = Field(default_factory=dict)


def plan_round(
    round_: Round,
    proposals: list[Proposal],
    start: date,
    weeks: int = 4,
    review_weeks: int = 13,
    time_limit_s: float = 30.0,
) -> Plan:
    """Plan the introduction and the weekly visits of every proposal (proposals naming people
    no longer in the round are listed as unplanned)."""
    families = {f.id: f for f in round_.families}
    volunteers = {v.id: v for v in round_.volunteers}
    gone = [p for p in proposals if p.family_id not in families or p.volunteer_id not in volunteers]
    proposals = [p for p in proposals if p not in gone]
    free = Availability(round_)
    options = _meeting_options(round_, proposals, free, start, weeks)
    choice = choose_meetings(MeetingProblem(round_, proposals, options), time_limit_s)
    coordinator_of = {f.id: f.coordinator for f in round_.families}
    introductions, visits = [], []
    unplanned = [Unplanned(family_id=p.family_id, reason="no longer in the round") for p in gone]
    for index, proposal in enumerate(proposals):
        meeting = choice.chosen.get(index)
        if meeting is None:
            reason = (
                "no half-day in the planning weeks when coordinator, volunteer and family are "
                "all free"
                if not options[index]
                else "the coordinator's meetings are taken by longer-waiting families"
            )
            unplanned.append(Unplanned(family_id=proposal.family_id, reason=reason))
            continue
        introductions.append(
            Introduction(
                family_id=proposal.family_id,
                volunteer_id=proposal.volunteer_id,
                coordinator_id=coordinator_of.get(proposal.family_id),
                day=meeting.day,
                part=meeting.part,
            )
        )
        shared = [
            s
            for s in families[proposal.family_id].slots
            if s in volunteers[proposal.volunteer_id].slots
        ]
        busy = {m.slot for m in round_.active_matches if m.volunteer_id == proposal.volunteer_id}
        visits.append(_visits(proposal, meeting.day, review_weeks, free, shared, busy))
    return Plan(
        status=choice.status,
        objective=choice.objective,
        bound=choice.bound,
        introductions=introductions,
        visits=visits,
        unplanned=unplanned,
        settings={"start": start.isoformat(), "weeks": weeks, "review_weeks": review_weeks},
    )


def _meeting_options(
    round_: Round, proposals: list[Proposal], free: Availability, start: date, weeks: int
) -> list[list[HalfDay]]:
    families = {f.id: f for f in round_.families}
    volunteers = {v.id: v for v in round_.volunteers}
    coordinators = {c.id: c for c in round_.coordinators}
    visiting = defaultdict(set)
    for match in round_.active_matches:
        visiting[match.volunteer_id].add(match.slot)
    options = []
    for proposal in proposals:
        family = families[proposal.family_id]
        volunteer = volunteers[proposal.volunteer_id]
        coordinator = coordinators.get(family.coordinator or "")
        people = [family.id, volunteer.id, *([coordinator.id] if coordinator else [])]
        options.append(
            [
                h
                for h in half_days(start, weeks)
                if h.slot in family.slots
                and h.slot in volunteer.slots
                and h.slot not in visiting[volunteer.id]
                and (coordinator is None or h.slot in coordinator.slots)
                and all(free.blocked(person, h.day) is None for person in people)
            ]
        )
    return options


def _visits(
    proposal: Proposal,
    meeting: date,
    review_weeks: int,
    free: Availability,
    shared: list[str],
    busy: set[str],
) -> VisitSeries:
    """Weekly visits from the first visit (see ``_first_visit``) up to the review. A later
    visit that falls on a public holiday or an absence moves to another half-day of the same
    week that both share (and the volunteer has free); failing that, and in school holidays,
    it is skipped."""
    first = _first_visit(free, proposal, meeting)
    review = first + timedelta(weeks=review_weeks)
    skipped, moved = [], []
    day = first
    while day < review:
        school = free.school_holiday(day)
        reason = _blocked(free, proposal, day)
        if school is not None:
            skipped.append(SkippedVisit(day=day, reason=f"school holiday ({school})"))
        elif reason is not None:
            instead = _instead(free, proposal, day, shared, busy)
            if instead is None:
                skipped.append(SkippedVisit(day=day, reason=reason))
            else:
                moved.append(
                    MovedVisit(day=day, to_day=instead.day, to_part=instead.part, reason=reason)
                )
        day += timedelta(weeks=1)
    return VisitSeries(
        family_id=proposal.family_id,
        volunteer_id=proposal.volunteer_id,
        slot=proposal.slot,
        first=first,
        review=review,
        skipped=skipped,
        moved=moved,
    )


def _first_visit(free: Availability, proposal: Proposal, meeting: date) -> date:
    """The first date after the meeting on the slot's weekday that is free for a visit: no
    school holiday, no public holiday, and neither the family nor the volunteer away. It
    always exists: every holiday and absence ends."""
    first = meeting + timedelta(days=1)
    while DAYS[first.weekday()] != proposal.slot.split("-")[0]:
        first += timedelta(days=1)
    while free.school_holiday(first) is not None or _blocked(free, proposal, first) is not None:
        first += timedelta(weeks=1)
    return first


def _blocked(free: Availability, proposal: Proposal, day: date) -> str | None:
    return free.blocked(proposal.family_id, day) or free.blocked(proposal.volunteer_id, day)


def _instead(
    free: Availability, proposal: Proposal, day: date, shared: list[str], busy: set[str]
) -> HalfDay | None:
    """The first other half-day in ``day``'s week (Monday to Sunday) that suits both."""
    monday = day - timedelta(days=day.weekday())
    for half in half_days(monday, 1):
        if (
            half.slot != proposal.slot
            and half.slot in shared
            and half.slot not in busy
            and free.school_holiday(half.day) is None
            and _blocked(free, proposal, half.day) is None
        ):
            return half
    return None
