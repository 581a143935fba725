"""An independent checker of a dated plan: recomputes every rule the planner promises from the
round itself (and the ``holidays`` package), sharing none of the planner's code.

``check_plan`` returns the broken rules as messages; an empty list means the plan keeps them all.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import holidays

from matcher.domain.round import Round
from matcher.result import Proposal
from matcher.schedule.plan import Plan, VisitSeries

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def check_plan(round_: Round, proposals: list[Proposal], plan: Plan) -> list[str]:
    """Every rule the plan breaks: meetings when someone is not free or double-booked, a
    coordinator over their weekly meetings, visits off the match's slot or on a blocked day, a
    first visit in a holiday or an absence (or later than the first free date), and proposals
    planned twice or lost."""
    problems: list[str] = []
    problems += _every_proposal_once(proposals, plan)
    problems += _meetings_when_all_are_free(round_, plan)
    problems += _no_one_double_booked(round_, plan)
    by_family = {p.family_id: p for p in proposals}
    meetings = {i.family_id: i.day for i in plan.introductions}
    for series in plan.visits:
        problems += _weekly_visits(
            round_, by_family[series.family_id], meetings.get(series.family_id), series
        )
    return problems


def _slot(day: date, part: str) -> str:
    return f"{_DAYS[day.weekday()]}-{part}"


def _public_holiday(day: date) -> bool:
    return day in holidays.country_holidays("NL", years=day.year)


def _away(round_: Round, person_id: str, day: date) -> bool:
    return any(a.person_id == person_id and a.start <= day <= a.end for a in round_.absences)


def _school_holiday(round_: Round, day: date) -> bool:
    return any(p.start <= day <= p.end for p in round_.school_holidays)


def _every_proposal_once(proposals: list[Proposal], plan: Plan) -> list[str]:
    planned = Counter(
        [i.family_id for i in plan.introductions] + [u.family_id for u in plan.unplanned]
    )
    wanted = Counter(p.family_id for p in proposals)
    return [
        f"{family_id}: planned {planned[family_id]} times, proposed {wanted[family_id]} times"
        for family_id in sorted(set(planned) | set(wanted))
        if planned[family_id] != wanted[family_id]
    ]


def _meetings_when_all_are_free(round_: Round, plan: Plan) -> list[str]:
    families = {f.id: f for f in round_.families}
    volunteers = {v.id: v for v in round_.volunteers}
    coordinators = {c.id: c for c in round_.coordinators}
    problems = []
    for meeting in plan.introductions:
        slot = _slot(meeting.day, meeting.part)
        where = f"introduction of {meeting.family_id} on {meeting.day} {meeting.part}"
        volunteer = volunteers[meeting.volunteer_id]
        people = [(meeting.family_id, families[meeting.family_id].slots)]
        people.append((volunteer.id, volunteer.slots))
        coordinator = coordinators.get(meeting.coordinator_id or "")
        if coordinator is not None:
            people.append((coordinator.id, coordinator.slots))
        for person_id, slots in people:
            if slot not in slots:
                problems.append(f"{where}: {person_id} is not free on {slot}")
            if _away(round_, person_id, meeting.day):
                problems.append(f"{where}: {person_id} is away")
        if _public_holiday(meeting.day):
            problems.append(f"{where}: a public holiday")
        if any(m.volunteer_id == volunteer.id and m.slot == slot for m in round_.active_matches):
            problems.append(f"{where}: the volunteer visits another family then")
    return problems


def _no_one_double_booked(round_: Round, plan: Plan) -> list[str]:
    at_once = Counter(
        who
        for meeting in plan.introductions
        for who in (
            ("volunteer", meeting.volunteer_id, meeting.day, meeting.part),
            ("coordinator", meeting.coordinator_id, meeting.day, meeting.part),
        )
        if who[1] is not None
    )
    problems = [
        f"{kind} {id_} has {n} meetings on {day} {part}"
        for (kind, id_, day, part), n in at_once.items()
        if n > 1
    ]
    per_week = Counter(
        (meeting.coordinator_id, meeting.day.isocalendar()[:2])
        for meeting in plan.introductions
        if meeting.coordinator_id is not None
    )
    limits = {c.id: c.meetings_per_week for c in round_.coordinators}
    problems += [
        f"coordinator {coordinator} has {n} meetings in week {week}"
        for (coordinator, week), n in per_week.items()
        if n > limits.get(str(coordinator), n)
    ]
    return problems


def _weekly_visits(
    round_: Round, proposal: Proposal, meeting: date | None, series: VisitSeries
) -> list[str]:
    where = f"visits of {series.family_id}"
    problems = []
    if series.slot != proposal.slot or series.volunteer_id != proposal.volunteer_id:
        problems.append(f"{where}: not on the proposal's volunteer and slot")
    if _DAYS[series.first.weekday()] != series.slot.split("-")[0]:
        problems.append(f"{where}: the first visit is not on the slot's weekday")
    problems += _first_visit_free(round_, meeting, series)
    skipped = {s.day for s in series.skipped}
    moved = {m.day: m for m in series.moved}
    people = (series.family_id, series.volunteer_id)
    day = series.first
    while day < series.review:
        blocked = _public_holiday(day) or any(_away(round_, p, day) for p in people)
        if day in moved:
            target = moved[day]
            shifted = target.to_day - timedelta(days=target.to_day.weekday())
            if shifted != day - timedelta(days=day.weekday()):
                problems.append(f"{where}: the visit of {day} moves out of its week")
            if _public_holiday(target.to_day) or any(
                _away(round_, p, target.to_day) for p in people
            ):
                problems.append(f"{where}: the visit of {day} moves to a blocked day")
        elif day not in skipped and (blocked or _school_holiday(round_, day)):
            problems.append(f"{where}: a visit on {day}, a public holiday, absence or holiday")
        day += timedelta(weeks=1)
    return problems


def _visit_day_free(round_: Round, series: VisitSeries, day: date) -> bool:
    people = (series.family_id, series.volunteer_id)
    return not (
        _public_holiday(day)
        or _school_holiday(round_, day)
        or any(_away(round_, p, day) for p in people)
    )


def _first_visit_free(round_: Round, meeting: date | None, series: VisitSeries) -> list[str]:
    """The first visit is the first date after the introduction on the slot's weekday that is
    free: no school holiday, no public holiday, neither person away."""
    where = f"visits of {series.family_id}"
    if meeting is None or series.first <= meeting:
        return [f"{where}: the first visit is not after the introduction"]
    if not _visit_day_free(round_, series, series.first):
        return [f"{where}: the first visit on {series.first} is in a holiday or an absence"]
    day = meeting + timedelta(days=1)
    while day < series.first:
        if _DAYS[day.weekday()] == _DAYS[series.first.weekday()] and _visit_day_free(
            round_, series, day
        ):
            return [f"{where}: the first visit could be on {day}, before {series.first}"]
        day += timedelta(days=1)
    return []
