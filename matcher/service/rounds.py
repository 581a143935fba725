"""Matching rounds as jobs: start one (queued, run by a worker), run it (the worker's handler),
and what comes of it: the result, its files, and the proposals a coordinator decides on.

A pending proposal reserves its pair: a later round is solved with every still-possible pending
proposal pinned as if it were a running match, so a volunteer who was phoned about a family is
not offered to another one. A pending proposal that is no longer possible (its family or
volunteer left, or the volunteer is full) is withdrawn by the next round.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Connection, CursorResult, Engine, and_, insert, or_, select, update

from matcher.db.audit import AuditEntry
from matcher.db.jobs import Job, JobView, artifact
from matcher.db.service_tables import AuditRow, JobRow, ProposalRow, ProposalStatus
from matcher.db.store import DatabaseRoundStore, DatabaseTransaction
from matcher.domain.people import Family, Volunteer
from matcher.domain.prepared import PreparedRound, prepare
from matcher.domain.round import Round, SolverSettings
from matcher.engine import solve_prepared
from matcher.errors import RoundError
from matcher.geo.distance import geodesic_km
from matcher.geo.postcodes import locate
from matcher.io.problems import InputError, InputProblem, field_path
from matcher.lifecycle.decisions import DecisionError, accept
from matcher.result import Language, Proposal, SolveResult
from matcher.service.problems import conflict, not_found
from matcher.service.queue import start_job
from matcher.service.worker import Outcome, Progress
from matcher.usecases.choice import Choice, choose
from matcher.usecases.decisions import decide
from matcher.usecases.matching import solver_settings
from matcher.usecases.recommend import recommend
from matcher.usecases.store import RoundTransaction
from matcher.wording import ENGLISH

ROUND = "round"
RESULT_FILE = "result.json"
ROUND_FILE = "round.json"
"""The round as it was solved (pending proposals pinned), for the report drawn from it."""


def start_round(
    engine: Engine,
    location_id: str,
    actor: str,
    now: datetime,
    overrides: Mapping[str, Any],
    idempotency_key: str | None = None,
    language: Language = ENGLISH,
) -> tuple[JobView, bool]:
    """Queue a round of the location's current data (``overrides``: solver settings for this
    round only, checked now; its reasons and messages in ``language``); True when a new job was
    queued."""
    solver_settings(SolverSettings(), overrides)  # refuse bad settings before queueing
    payload = {"overrides": dict(overrides), "language": language}
    return start_job(engine, location_id, ROUND, payload, actor, now, idempotency_key)


def run_round(engine: Engine, job: Job, progress: Progress) -> Outcome:
    """The worker's handler for a round: solve the stored round with the pending proposals
    pinned; the result and the new proposals are written when the job is marked done."""
    started = time.perf_counter()
    today = datetime.now(UTC).date()  # dates only a location without a round yet
    store = DatabaseRoundStore(engine, job.location_id, today)
    version = store.version()
    round_ = store.load()
    pinned, kept, withdrawn = reserved(engine, job.location_id, round_)
    try:
        prepared = prepare(pinned)
    except RoundError as error:
        raise InputError(
            [InputProblem("round", None, field_path(p.location), p.message) for p in error.problems]
        ) from None
    progress(0.1)
    result = solve_prepared(
        prepared,
        solver_settings(round_.solver, job.payload.get("overrides", {})),
        language=job.payload.get("language", ENGLISH),
    )
    progress(0.9)

    def write(connection: Connection) -> None:
        if withdrawn:
            connection.execute(
                update(ProposalRow)
                .where(
                    ProposalRow.location_id == job.location_id,
                    ProposalRow.status == ProposalStatus.PENDING,
                    or_(
                        *(
                            and_(ProposalRow.job_id == j, ProposalRow.family_id == f)
                            for j, f in withdrawn
                        )
                    ),
                )
                .values(status=ProposalStatus.WITHDRAWN)
            )
        if result.proposals:
            connection.execute(
                insert(ProposalRow),
                [
                    {
                        "job_id": job.id,
                        "family_id": p.family_id,
                        "location_id": job.location_id,
                        "volunteer_id": p.volunteer_id,
                        "slot": p.slot,
                        "quality": p.scores.quality,
                        "status": ProposalStatus.PENDING,
                    }
                    for p in result.proposals
                ],
            )

    report = result.report
    summary = {
        "round_version": version,
        "status": report.status.value,
        "has_solution": report.has_solution,
        "objective": report.objective,
        "bound": report.bound,
        "gap": report.gap,
        "families_waiting": report.families_waiting,
        "proposals": len(result.proposals),
        "unmatched": len(result.unmatched),
        "pinned": len(kept),
        "withdrawn": len(withdrawn),
        "seconds": round(time.perf_counter() - started, 3),
    }
    return Outcome(
        summary=summary,
        artifacts={
            RESULT_FILE: ("application/json", result.model_dump_json().encode()),
            ROUND_FILE: ("application/json", pinned.model_dump_json().encode()),
        },
        write=write,
    )


def reserved(
    engine: Engine, location_id: str, round_: Round
) -> tuple[Round, list[Proposal], list[tuple[str, str]]]:
    """``round_`` with the location's pending proposals pinned (see ``pin``)."""
    with engine.connect() as connection:
        pending = _pending(connection, location_id)
    return pin(round_, _pending_proposals(engine, location_id, pending))


def pending_pairs(engine: Engine, location_id: str) -> tuple[tuple[str, str], ...]:
    """The (round, family) of every pending proposal: what ``reserved`` depends on."""
    with engine.connect() as connection:
        return tuple((row.job_id, row.family_id) for row in _pending(connection, location_id))


def pin(
    round_: Round, pending: list[tuple[str, Proposal]]
) -> tuple[Round, list[Proposal], list[tuple[str, str]]]:
    """The round with each still-possible pending proposal (its round's id, the proposal) as a
    running match; the proposals kept, and the (round, family) of those no longer possible."""
    kept: list[Proposal] = []
    withdrawn: list[tuple[str, str]] = []
    pinned = round_
    for job_id, proposal in pending:
        try:
            pinned = accept(pinned, proposal)
        except DecisionError:
            withdrawn.append((job_id, proposal.family_id))
            continue
        kept.append(proposal)
    return pinned, kept, withdrawn


def result_of(engine: Engine, location_id: str, job_id: str) -> SolveResult:
    """A finished round's result (404 when the location has no such finished round)."""
    found = artifact(engine, location_id, job_id, RESULT_FILE)
    if found is None:
        raise not_found("finished round with that id")
    return SolveResult.model_validate_json(found[1])


def solved_round(engine: Engine, location_id: str, job_id: str) -> Round:
    """The round as a finished job solved it (pending proposals pinned)."""
    found = artifact(engine, location_id, job_id, ROUND_FILE)
    if found is None:
        raise not_found("finished round with that id")
    return Round.model_validate_json(found[1])


def proposals(
    engine: Engine,
    location_id: str,
    status: ProposalStatus | None = None,
    job_id: str | None = None,
) -> list[Any]:
    """The location's proposals (rows), optionally of one status or one round, oldest first."""
    query = (
        select(ProposalRow)
        .join(JobRow, JobRow.id == ProposalRow.job_id)
        .where(ProposalRow.location_id == location_id)
        .order_by(JobRow.created, ProposalRow.family_id)
    )
    if status is not None:
        query = query.where(ProposalRow.status == status)
    if job_id is not None:
        query = query.where(ProposalRow.job_id == job_id)
    with engine.connect() as connection:
        return list(connection.execute(query).all())


def proposal_row(engine: Engine, location_id: str, job_id: str, family_id: str) -> Any:
    """One proposal (404 when the location has none such)."""
    with engine.connect() as connection:
        row = connection.execute(
            select(ProposalRow).where(
                ProposalRow.location_id == location_id,
                ProposalRow.job_id == job_id,
                ProposalRow.family_id == family_id,
            )
        ).first()
    if row is None:
        raise not_found("such proposal")
    return row


def decide_proposal(
    store: DatabaseRoundStore,
    round_id: str,
    family_id: str,
    accepted: bool,
    actor: str,
    now: datetime,
) -> Any:
    """Accept or decline a round's pending proposal for ``family_id``, checked against the
    round as it is now; the proposal's row afterwards. 404 when the round has no such
    proposal, 409 when it was decided already or no longer holds (``DecisionError``)."""
    engine = store.engine
    row = proposal_row(engine, store.location_id, round_id, family_id)
    if row.status != ProposalStatus.PENDING:
        raise conflict(f"this proposal is {row.status} already")
    result = result_of(engine, store.location_id, round_id)
    decide(store, result, family_id, accepted, actor, now)
    return proposal_row(engine, store.location_id, round_id, family_id)


@dataclass(frozen=True)
class Option:
    """A volunteer a coordinator may pick for a family: from the round's shortlist, or one who
    fails one hard rule now (``rule`` and ``detail`` say which)."""

    volunteer_id: str
    distance_km: float
    quality: float
    slots: tuple[str, ...]
    proposed: bool = False
    proposed_to: tuple[str, ...] = ()
    rule: str | None = None
    detail: str | None = None


def family_of_round(engine: Engine, location_id: str, round_id: str, family_id: str) -> Any:
    """The family's proposal row in a finished round (None when the round left it unmatched);
    404 when the round has neither for ``family_id``."""
    result = result_of(engine, location_id, round_id)
    if any(p.family_id == family_id for p in result.proposals):
        return proposal_row(engine, location_id, round_id, family_id)
    if any(u.family_id == family_id for u in result.unmatched):
        return None
    raise not_found("family in that round")


def options(store: DatabaseRoundStore, round_id: str, family_id: str) -> list[Option]:
    """Whom the coordinator may pick for a family of a finished round: its shortlist in the
    round, then the volunteers who fail exactly one hard rule in the round as it is now."""
    result = result_of(store.engine, store.location_id, round_id)
    shortlist = next((s for s in result.shortlists if s.family_id == family_id), None)
    found = [
        Option(
            volunteer_id=a.volunteer_id,
            distance_km=a.distance_km,
            quality=a.quality,
            slots=tuple(a.shared_slots),
            proposed=a.proposed,
            proposed_to=tuple(a.proposed_to),
        )
        for a in (shortlist.alternatives if shortlist else [])
    ]
    prepared = store.read()
    if family_id not in prepared.family_index:
        return found
    listed = {o.volunteer_id for o in found}
    family_slots = next(f.slots for f in prepared.round.families if f.id == family_id)
    found += [
        Option(
            volunteer_id=miss.volunteer_id,
            distance_km=miss.distance_km,
            quality=miss.scores.quality,
            slots=tuple(miss.shared_slots) or tuple(family_slots),
            rule=miss.rule.value,
            detail=miss.detail,
        )
        for miss in recommend(prepared, family_id).near_misses
        if miss.volunteer_id not in listed
    ]
    return found


def choose_volunteer(
    store: DatabaseRoundStore,
    round_id: str,
    family_id: str,
    volunteer_id: str,
    slot: str,
    confirmed: bool,
    actor: str,
    now: datetime,
) -> Choice:
    """The coordinator's pick of ``volunteer_id`` on ``slot`` for a family of a finished
    round (``usecases.choice.choose``). When it is recorded, the family's pending proposal in
    that round becomes accepted with the chosen pair, and an audit line keeps the proposal it
    replaced and the broken rules confirmed, in the same transaction. 404 when the round has
    no such family, 409 when its proposal was decided already."""
    engine, location_id = store.engine, store.location_id
    row = family_of_round(engine, location_id, round_id, family_id)
    if row is not None and row.status != ProposalStatus.PENDING:
        raise conflict(f"this proposal is {row.status} already")

    def settle(transaction: RoundTransaction, choice: Choice) -> None:
        assert isinstance(transaction, DatabaseTransaction)
        if row is not None:
            changed = transaction.execute(
                update(ProposalRow)
                .where(
                    ProposalRow.location_id == location_id,
                    ProposalRow.job_id == round_id,
                    ProposalRow.family_id == family_id,
                    ProposalRow.status == ProposalStatus.PENDING,
                )
                .values(
                    volunteer_id=volunteer_id,
                    slot=slot,
                    quality=choice.pair.quality,
                    status=ProposalStatus.ACCEPTED,
                    decided=now,
                )
            )
            assert isinstance(changed, CursorResult)
            if changed.rowcount != 1:
                raise DecisionError("this proposal was decided meanwhile")
        transaction.execute(
            insert(AuditRow).values(
                location_id=location_id,
                **AuditEntry(
                    time=now,
                    actor=actor,
                    action="choose",
                    subject="family",
                    subject_id=family_id,
                    detail={
                        "round_id": round_id,
                        "volunteer_id": volunteer_id,
                        "slot": slot,
                        "proposed_volunteer_id": None if row is None else row.volunteer_id,
                        "confirmed": [b.rule for b in choice.broken],
                    },
                ).model_dump(),
            )
        )

    return choose(store, family_id, volunteer_id, slot, confirmed, actor, now, settle)


class MapPoint(BaseModel):
    """The people of one postcode area (or, without a postcode, of a rounded position): a map
    shows them as one point with a count, never where someone lives."""

    key: str
    lat: float
    lon: float
    families: list[str]
    volunteers: list[str]


class MapPair(BaseModel):
    """A proposed pair (the chosen one where the coordinator picked another volunteer)."""

    family_id: str
    volunteer_id: str
    slot: str
    distance_km: float
    status: ProposalStatus
    chosen: bool = Field(description="another volunteer than the round proposed")
    family_point: str
    volunteer_point: str


class RoundMap(BaseModel):
    points: list[MapPoint]
    pairs: list[MapPair]


POSITION_DIGITS = 2
"""A position without a postcode is rounded to about a kilometre."""


def round_map(store: DatabaseRoundStore, round_id: str, result: SolveResult) -> RoundMap:
    """The location's families and volunteers as they are now, and the proposed pairs of a
    finished round (``result``) for a map: people grouped by postcode area, each pair with its
    distance and what became of it."""
    engine, location_id = store.engine, store.location_id
    round_ = store.load()
    points: dict[str, MapPoint] = {}
    where: dict[str, str] = {}

    @cache
    def prepared() -> PreparedRound:
        return prepare(round_)

    def place(person: Family | Volunteer, kind: str) -> None:
        key, lat, lon = _area(person)
        point = points.setdefault(
            key, MapPoint(key=key, lat=lat, lon=lon, families=[], volunteers=[])
        )
        getattr(point, kind).append(person.id)
        where[person.id] = key

    for family in round_.families:
        if not family.closed:
            place(family, "families")
    for volunteer in round_.volunteers:
        place(volunteer, "volunteers")
    rows = {row.family_id: row for row in proposals(engine, location_id, job_id=round_id)}
    pairs = []
    for proposal in result.proposals:
        row = rows.get(proposal.family_id)
        volunteer_id = proposal.volunteer_id if row is None else row.volunteer_id
        if proposal.family_id not in where or volunteer_id not in where:
            continue
        chosen = volunteer_id != proposal.volunteer_id
        pairs.append(
            MapPair(
                family_id=proposal.family_id,
                volunteer_id=volunteer_id,
                slot=proposal.slot if row is None else row.slot,
                distance_km=_distance(prepared(), proposal.family_id, volunteer_id)
                if chosen
                else proposal.distance_km,
                status=ProposalStatus.PENDING if row is None else ProposalStatus(row.status),
                chosen=chosen,
                family_point=where[proposal.family_id],
                volunteer_point=where[volunteer_id],
            )
        )
    return RoundMap(points=sorted(points.values(), key=lambda p: p.key), pairs=pairs)


def _area(person: Family | Volunteer) -> tuple[str, float, float]:
    """The person's postcode area and its centre, else their position rounded."""
    area = None if person.postcode is None else locate(person.postcode)
    if area is not None:
        return area.pc4, area.latitude, area.longitude
    assert person.latitude is not None and person.longitude is not None
    lat, lon = round(person.latitude, POSITION_DIGITS), round(person.longitude, POSITION_DIGITS)
    return f"{lat:.2f},{lon:.2f}", lat, lon


def _distance(prepared: PreparedRound, family_id: str, volunteer_id: str) -> float:
    """The distance of a pair as the engine measures it, in km to two decimals."""
    f, v = prepared.family_index[family_id], prepared.volunteer_index[volunteer_id]
    km = geodesic_km(
        float(prepared.family_lat[f]),
        float(prepared.family_lon[f]),
        float(prepared.volunteer_lat[v]),
        float(prepared.volunteer_lon[v]),
    )
    return round(km, 2)


def _pending(connection: Connection, location_id: str) -> list[Any]:
    return list(
        connection.execute(
            select(ProposalRow)
            .join(JobRow, JobRow.id == ProposalRow.job_id)
            .where(
                ProposalRow.location_id == location_id,
                ProposalRow.status == ProposalStatus.PENDING,
            )
            .order_by(JobRow.created, ProposalRow.family_id)
        ).all()
    )


def _pending_proposals(
    engine: Engine, location_id: str, rows: list[Any]
) -> list[tuple[str, Proposal]]:
    """The pending proposals as their rounds made them, in the order of ``rows``."""
    results: dict[str, SolveResult] = {}
    found = []
    for row in rows:
        if row.job_id not in results:
            results[row.job_id] = result_of(engine, location_id, row.job_id)
        proposal = next(p for p in results[row.job_id].proposals if p.family_id == row.family_id)
        found.append((row.job_id, proposal))
    return found
