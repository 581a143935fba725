"""A family's personal data on request (GDPR articles 15 and 17): everything the service holds
about one family, exported as one document, or erased in one transaction, and the audit log.

Erasing deletes every row that is about the family: its record, its running match, its declined
pairs and exclusions, its absences and its proposals. The two logs are not rewritten otherwise:
in the decision log and the audit log the family's id is replaced by a keyed hash
(``erased:<16 hex>``, HMAC-SHA256 with the service's ``erase_pepper``), so the logs still
count what happened while nobody can tell to whom, short of holding the pepper and the id.

A finished round's files are kept for the other families (their pending proposals are decided
on and pinned from them) but no longer speak of this one: ``round.json`` loses the family and
every row naming it, ``result.json`` loses its proposal, its unmatched entry and its shortlist,
and any remaining mention (another family's competitors, an explanation's text) is replaced by
the hash. A job file of any other kind that names the family is deleted. The jobs' summaries
(counts only) are kept.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import (
    CursorResult,
    Engine,
    Executable,
    Result,
    Text,
    cast,
    delete,
    func,
    or_,
    select,
    update,
)

from matcher.db.audit import AuditEntry, entries, entry_of
from matcher.db.jobs import JobStatus
from matcher.db.service_tables import (
    ArtifactRow,
    AuditRow,
    IdempotentRequestRow,
    JobRow,
    ProposalRow,
)
from matcher.db.store import DatabaseRoundStore
from matcher.db.tables import DecisionRow
from matcher.domain.people import Family
from matcher.domain.round import Absence, ActiveMatch, Pair, Round
from matcher.result import SolveResult
from matcher.service.problems import conflict, not_found
from matcher.service.rounds import RESULT_FILE, ROUND_FILE

logger = logging.getLogger(__name__)

FAMILY_SUBJECTS = ("family", "match", "declined_pair", "exclusion")
"""Audit subjects whose ``subject_id`` is a family's id."""
_NOT_A_FAMILY = ("volunteer_id", "coordinator", "coordinator_id")
"""Keys of an audit line's detail whose value names someone else, whatever it looks like."""
_ID_CHARACTERS = "A-Za-z0-9._:-"

Execute = Callable[[Executable], Result[Any]]
"""Runs a statement inside the caller's transaction."""


def erased_id(pepper: str, location_id: str, family_id: str) -> str:
    """The keyed hash that stands for an erased family in the logs: ``erased:<16 hex>``."""
    digest = hmac.new(
        pepper.encode(), f"{location_id}/{family_id}".encode(), hashlib.sha256
    ).hexdigest()
    return f"erased:{digest[:16]}"


class AuditLine(BaseModel):
    """One line of the audit log, with its number (page on with ``after``)."""

    id: int
    time: datetime
    actor: str
    action: str
    subject: str
    subject_id: str | None
    detail: dict[str, Any] | None


class AuditPage(BaseModel):
    lines: list[AuditLine]
    next_after: int | None = Field(
        description="pass as ``after`` for the next page (None: the page was not full, there "
        "are no more lines)"
    )


class ProposalHeld(BaseModel):
    round_id: str
    volunteer_id: str
    slot: str
    quality: float
    status: str
    decided: datetime | None


class DecisionHeld(BaseModel):
    time: datetime
    coordinator: str
    action: str
    volunteer_id: str
    slot: str | None
    reason: str | None
    effective: date | None


class FamilyExport(BaseModel):
    """Everything the service holds that names one family."""

    family_id: str
    record: Family | None
    active_match: ActiveMatch | None
    declined_pairs: list[Pair]
    exclusions: list[Pair]
    absences: list[Absence]
    proposals: list[ProposalHeld]
    decisions: list[DecisionHeld]
    audit: list[AuditLine]


class Erasure(BaseModel):
    """What an erasure did."""

    erased_as: str = Field(description="the keyed hash that stands for the family in the logs")
    records: int = Field(description="rows of the round deleted (record, match, pairs, absences)")
    proposals: int = Field(description="proposals deleted")
    decisions: int = Field(description="lines of the decision log whose id was replaced")
    audit_lines: int = Field(description="lines of the audit log whose id was replaced")
    kept_answers: int = Field(description="kept answers to idempotent requests, deleted")
    files_rewritten: int = Field(description="round files rewritten without the family")
    files_deleted: int = Field(description="other job files naming the family, deleted")


def audit_page(engine: Engine, location_id: str, after: int, limit: int) -> AuditPage:
    """The audit log after line ``after``, at most ``limit`` lines, oldest first."""
    found = entries(engine, location_id, after, limit)
    lines = [AuditLine(id=id_, **entry.model_dump()) for id_, entry in found]
    return AuditPage(lines=lines, next_after=lines[-1].id if len(lines) == limit else None)


def export_family(store: DatabaseRoundStore, family_id: str) -> FamilyExport:
    """The family's record, running match, pairs, absences, proposals, decisions and audit
    lines (404 when nothing names it)."""
    round_ = store.load()
    with store.engine.connect() as connection:
        proposals = connection.execute(
            select(ProposalRow)
            .join(JobRow, JobRow.id == ProposalRow.job_id)
            .where(*_proposals_of(store.location_id, family_id))
            .order_by(JobRow.created, JobRow.id)
        ).all()
        decisions = connection.execute(
            select(DecisionRow)
            .where(*_decisions_of(store.location_id, family_id))
            .order_by(DecisionRow.id)
        ).all()
        audit = _audit_rows(connection.execute, store.location_id, family_id)
    export = FamilyExport(
        family_id=family_id,
        record=next((f for f in round_.families if f.id == family_id), None),
        active_match=next((m for m in round_.active_matches if m.family_id == family_id), None),
        declined_pairs=[p for p in round_.declined_pairs if p.family_id == family_id],
        exclusions=[p for p in round_.exclusions if p.family_id == family_id],
        absences=[a for a in round_.absences if a.person_id == family_id],
        proposals=[
            ProposalHeld(
                round_id=row.job_id,
                volunteer_id=row.volunteer_id,
                slot=row.slot,
                quality=row.quality,
                status=row.status,
                decided=row.decided,
            )
            for row in proposals
        ],
        decisions=[
            DecisionHeld(
                time=row.time,
                coordinator=row.coordinator,
                action=row.action,
                volunteer_id=row.volunteer_id,
                slot=row.slot,
                reason=row.reason,
                effective=row.effective,
            )
            for row in decisions
        ],
        audit=[_line(row) for row in audit],
    )
    if not any(getattr(export, name) for name in FamilyExport.model_fields if name != "family_id"):
        raise not_found("family, nor anything naming it")
    return export


def erase_family(
    store: DatabaseRoundStore, pepper: str, family_id: str, actor: str, now: datetime
) -> Erasure:
    """Erase the family in one transaction (see the module's description). 404 when nothing
    names it (so a second erasure is refused)."""
    hashed = erased_id(pepper, store.location_id, family_id)
    with store.editing() as transaction:
        _no_job_running(transaction.execute, store.location_id)
        before = transaction.round
        after = without_family(before, family_id)
        execute = transaction.execute
        done = {
            "records": _count(before) - _count(after),
            "proposals": _changed(
                execute(delete(ProposalRow).where(*_proposals_of(store.location_id, family_id)))
            ),
            "decisions": _changed(
                execute(
                    update(DecisionRow)
                    .where(*_decisions_of(store.location_id, family_id))
                    .values(family_id=hashed)
                )
            ),
            "audit_lines": _hash_audit(execute, store.location_id, family_id, hashed),
            "kept_answers": _forget_answers(execute, store.location_id, family_id),
        }
        done |= _scrub_files(execute, store.location_id, family_id, hashed)
        if not any(done.values()):
            raise not_found("family, nor anything naming it")
        transaction.save(
            after,
            AuditEntry(
                time=now,
                actor=actor,
                action="erase",
                subject="family",
                subject_id=hashed,
                detail=dict(done),
            ),
        )
    _checkpoint(store.engine)
    logger.info("location %s: a family erased as %s", store.location_id, hashed)
    return Erasure(erased_as=hashed, **done)


def _checkpoint(engine: Engine) -> None:
    """On SQLite, move the write-ahead log into the database file and empty it, so the erased
    rows' old pages are gone from the log too (the file's own pages are overwritten on delete)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def without_family(round_: Round, family_id: str) -> Round:
    """The round without the family and every row naming it."""
    return round_.model_copy(
        update={
            "families": tuple(f for f in round_.families if f.id != family_id),
            "active_matches": tuple(m for m in round_.active_matches if m.family_id != family_id),
            "declined_pairs": tuple(p for p in round_.declined_pairs if p.family_id != family_id),
            "exclusions": tuple(p for p in round_.exclusions if p.family_id != family_id),
            "absences": tuple(a for a in round_.absences if a.person_id != family_id),
        }
    )


def _mentions(family_id: str) -> re.Pattern[str]:
    """The family's id as a whole id inside a text (not a part of a longer id)."""
    chars = _ID_CHARACTERS
    return re.compile(f"(?<![{chars}]){re.escape(family_id)}(?![{chars}])")


# -- inside the erasing transaction -----------------------------------------------------------


def _count(round_: Round) -> int:
    return sum(
        len(getattr(round_, name))
        for name in ("families", "active_matches", "declined_pairs", "exclusions", "absences")
    )


def _proposals_of(location_id: str, family_id: str) -> tuple[Any, ...]:
    return ProposalRow.location_id == location_id, ProposalRow.family_id == family_id


def _decisions_of(location_id: str, family_id: str) -> tuple[Any, ...]:
    return DecisionRow.location_id == location_id, DecisionRow.family_id == family_id


def _no_job_running(execute: Execute, location_id: str) -> None:
    """409 while one of the location's jobs is queued or running: it read the round before
    the erasure and would write the family's id back into its proposals and files. (No job is
    queued while the erasure holds the location's lock: on SQLite the database's write lock,
    on PostgreSQL the location's row, which a new job's row refers to.)"""
    busy = execute(
        select(func.count())
        .select_from(JobRow)
        .where(
            JobRow.location_id == location_id,
            JobRow.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)),
        )
    ).scalar()
    if busy:
        raise conflict(
            "a round of this location is queued or running; erase the family when it has finished"
        )


def _forget_answers(execute: Execute, location_id: str, family_id: str) -> int:
    """Delete the kept answers to idempotent requests (an accept, an end) that name the family:
    a retry after the erasure is done again, and refused, instead of replayed."""
    mentions = _mentions(family_id)
    rows = execute(
        select(IdempotentRequestRow.key, IdempotentRequestRow.body).where(
            IdempotentRequestRow.location_id == location_id
        )
    ).all()
    keys = [row.key for row in rows if mentions.search(row.body.decode("utf-8", "replace"))]
    if keys:
        execute(
            delete(IdempotentRequestRow).where(
                IdempotentRequestRow.location_id == location_id,
                IdempotentRequestRow.key.in_(keys),
            )
        )
    return len(keys)


def _changed(result: Result[Any]) -> int:
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


def _audit_rows(execute: Execute, location_id: str, family_id: str) -> list[Any]:
    """The audit lines naming the family: as their subject, or anywhere in their detail."""
    candidates = execute(
        select(AuditRow)
        .where(
            AuditRow.location_id == location_id,
            or_(
                AuditRow.subject_id == family_id,
                cast(AuditRow.detail, Text).contains(family_id, autoescape=True),
            ),
        )
        .order_by(AuditRow.id)
    ).all()
    return [
        row
        for row in candidates
        if (row.subject in FAMILY_SUBJECTS and row.subject_id == family_id)
        or _replaced(row.detail, family_id, hashed="") != row.detail
    ]


def _hash_audit(execute: Execute, location_id: str, family_id: str, hashed: str) -> int:
    rows = _audit_rows(execute, location_id, family_id)
    for row in rows:
        subject_id = row.subject_id
        if row.subject in FAMILY_SUBJECTS and subject_id == family_id:
            subject_id = hashed
        execute(
            update(AuditRow)
            .where(AuditRow.id == row.id)
            .values(subject_id=subject_id, detail=_replaced(row.detail, family_id, hashed))
        )
    return len(rows)


def _replaced(value: Any, family_id: str, hashed: str, key: str | None = None) -> Any:
    """``value`` (an audit line's detail) with each string equal to the family's id replaced,
    except under keys that name someone else."""
    if isinstance(value, dict):
        return {k: _replaced(v, family_id, hashed, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v, family_id, hashed, key) for v in value]
    if value == family_id and key not in _NOT_A_FAMILY:
        return hashed
    return value


def _scrub_files(execute: Execute, location_id: str, family_id: str, hashed: str) -> dict[str, int]:
    """Rewrite the location's round files that name the family without it; delete the other
    files that name it."""
    pattern = _mentions(family_id)
    files = execute(
        select(ArtifactRow.job_id, ArtifactRow.name)
        .join(JobRow, JobRow.id == ArtifactRow.job_id)
        .where(JobRow.location_id == location_id)
        .order_by(JobRow.created, ArtifactRow.name)
    ).all()
    rewritten = deleted = 0
    for file in files:
        here = ArtifactRow.job_id == file.job_id, ArtifactRow.name == file.name
        content = bytes(execute(select(ArtifactRow.content).where(*here)).scalar() or b"")
        if not pattern.search(content.decode("utf-8", errors="replace")):
            continue
        redaction = _REDACTIONS.get(file.name)
        if redaction is None:
            execute(delete(ArtifactRow).where(*here))
            deleted += 1
            continue
        model, without = redaction
        kept = without(model.model_validate_json(content), family_id).model_dump(mode="json")
        renamed = model.model_validate(_renamed(kept, pattern, hashed))
        execute(update(ArtifactRow).where(*here).values(content=renamed.model_dump_json().encode()))
        rewritten += 1
    return {"files_rewritten": rewritten, "files_deleted": deleted}


def _renamed(value: Any, pattern: re.Pattern[str], hashed: str) -> Any:
    """A JSON document with the family's id replaced by ``hashed`` in every string (an id, or
    a sentence naming it); keys and numbers are left as they are."""
    if isinstance(value, dict):
        return {k: _renamed(v, pattern, hashed) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, pattern, hashed) for v in value]
    return pattern.sub(hashed, value) if isinstance(value, str) else value


def _result_without(result: SolveResult, family_id: str) -> SolveResult:
    """The result without the family's proposal, unmatched entry, shortlist and the digest of
    its record in the round's fingerprint."""
    fingerprint = result.round_fingerprint
    if fingerprint is not None and family_id in fingerprint.families:
        families = {k: v for k, v in fingerprint.families.items() if k != family_id}
        fingerprint = fingerprint.model_copy(update={"families": families})
    return result.model_copy(
        update={
            "proposals": [p for p in result.proposals if p.family_id != family_id],
            "unmatched": [u for u in result.unmatched if u.family_id != family_id],
            "shortlists": [s for s in result.shortlists if s.family_id != family_id],
            "round_fingerprint": fingerprint,
        }
    )


_REDACTIONS: dict[str, tuple[type[BaseModel], Callable[[Any, str], BaseModel]]] = {
    RESULT_FILE: (SolveResult, _result_without),
    ROUND_FILE: (Round, without_family),
}
"""The round files kept without the family: their model, and the document without it (any
other file naming the family is deleted)."""


def _line(row: Any) -> AuditLine:
    return AuditLine(id=row.id, **entry_of(row).model_dump())
