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
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, insert, or_, select, update

from matcher.db.jobs import Job, JobView, artifact
from matcher.db.service_tables import JobRow, ProposalRow, ProposalStatus
from matcher.db.store import DatabaseRoundStore
from matcher.domain.prepared import prepare
from matcher.domain.round import Round, SolverSettings
from matcher.engine import solve_prepared
from matcher.errors import RoundError
from matcher.io.problems import InputError, InputProblem, field_path
from matcher.lifecycle.decisions import DecisionError, accept
from matcher.result import Proposal, SolveResult
from matcher.service.problems import conflict, not_found
from matcher.service.queue import start_job
from matcher.service.worker import Outcome, Progress
from matcher.usecases.decisions import decide
from matcher.usecases.matching import solver_settings

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
) -> tuple[JobView, bool]:
    """Queue a round of the location's current data (``overrides``: solver settings for this
    round only, checked now); True when a new job was queued."""
    solver_settings(SolverSettings(), overrides)  # refuse bad settings before queueing
    return start_job(
        engine, location_id, ROUND, {"overrides": dict(overrides)}, actor, now, idempotency_key
    )


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
        prepared, solver_settings(round_.solver, job.payload.get("overrides", {}))
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
