"""The records of a location's round as a case system keeps them: upsert and delete by the case
system's own ids, each change checked against the whole round, written with an audit line, and
guarded by an ETag so that two writers cannot silently overwrite each other.

The one place for these rules: the HTTP routes and the web pages both call these functions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from matcher.db.audit import AuditEntry
from matcher.db.store import DatabaseRoundStore
from matcher.domain.people import Family, Volunteer
from matcher.domain.round import ActiveMatch, Coordinator, Pair, Round
from matcher.service.problems import ServiceError, not_found


@dataclass(frozen=True)
class Kind:
    """One list of a round as a resource: its URL segment, its field in ``Round``, its model,
    and the key (one or two ids) that names an item."""

    segment: str
    field: str
    model: type[BaseModel]
    key: Callable[[Any], tuple[str, ...]]
    subject: str


KINDS = {
    kind.segment: kind
    for kind in (
        Kind("volunteers", "volunteers", Volunteer, lambda v: (v.id,), "volunteer"),
        Kind("families", "families", Family, lambda f: (f.id,), "family"),
        Kind("coordinators", "coordinators", Coordinator, lambda c: (c.id,), "coordinator"),
        Kind("active-matches", "active_matches", ActiveMatch, lambda m: (m.family_id,), "match"),
        Kind(
            "declined-pairs",
            "declined_pairs",
            Pair,
            lambda p: (p.family_id, p.volunteer_id),
            "declined_pair",
        ),
        Kind(
            "exclusions", "exclusions", Pair, lambda p: (p.family_id, p.volunteer_id), "exclusion"
        ),
    )
}


def etag(item: BaseModel) -> str:
    """The item's entity tag: a hash of its JSON, quoted as HTTP wants it."""
    return '"' + hashlib.sha256(item.model_dump_json().encode()).hexdigest()[:32] + '"'


def round_etag(version: int) -> str:
    """The whole round's entity tag: the location's version."""
    return f'"v{version}"'


def listed(round_: Round, kind: Kind) -> tuple[BaseModel, ...]:
    items: tuple[BaseModel, ...] = getattr(round_, kind.field)
    return items


def find(round_: Round, kind: Kind, key: tuple[str, ...]) -> BaseModel | None:
    """The item named ``key``, or None."""
    return next((item for item in listed(round_, kind) if kind.key(item) == key), None)


def get_record(store: DatabaseRoundStore, kind: Kind, key: tuple[str, ...]) -> BaseModel:
    """One record (404 when there is none)."""
    found = find(store.load(), kind, key)
    if found is None:
        raise not_found(kind.subject.replace("_", " "))
    return found


def put_record(
    store: DatabaseRoundStore,
    kind: Kind,
    item: BaseModel,
    if_match: str | None,
    actor: str,
    now: datetime,
) -> tuple[BaseModel, bool]:
    """Create or replace one record; True when it was created. Replacing needs ``if_match``
    (the ETag read) unless nothing changes: 428 without it, 412 when it is stale; ``*`` matches
    any existing record. 422 naming the field when the round would not be valid."""
    key = kind.key(item)
    with store.editing() as transaction:
        round_ = transaction.round
        items = listed(round_, kind)
        index = next((i for i, old in enumerate(items) if kind.key(old) == key), None)
        if index is None:
            if if_match is not None and if_match != "*":
                raise _stale()
            updated = (*items, item)
        else:
            current = items[index]
            if current == item:
                return current, False
            _check_match(if_match, current)
            updated = (*items[:index], item, *items[index + 1 :])
        transaction.save(
            round_.model_copy(update={kind.field: updated}),
            AuditEntry(
                time=now,
                actor=actor,
                action="create" if index is None else "update",
                subject=kind.subject,
                subject_id=key[0],
                detail=None if len(key) == 1 else {"volunteer_id": key[1]},
            ),
        )
    return item, index is None


def delete_record(
    store: DatabaseRoundStore,
    kind: Kind,
    key: tuple[str, ...],
    if_match: str | None,
    actor: str,
    now: datetime,
) -> None:
    """Delete one record (404 when there is none, 412 when ``if_match`` is stale; 422 when
    others still name it, e.g. a volunteer with an active match)."""
    with store.editing() as transaction:
        round_ = transaction.round
        items = listed(round_, kind)
        current = find(round_, kind, key)
        if current is None:
            raise not_found(kind.subject.replace("_", " "))
        if if_match is not None:
            _check_match(if_match, current)
        transaction.save(
            round_.model_copy(update={kind.field: tuple(i for i in items if i is not current)}),
            AuditEntry(
                time=now,
                actor=actor,
                action="delete",
                subject=kind.subject,
                subject_id=key[0],
                detail=None if len(key) == 1 else {"volunteer_id": key[1]},
            ),
        )


def replace_round(
    store: DatabaseRoundStore, round_: Round, if_match: str | None, actor: str, now: datetime
) -> int:
    """Make ``round_`` the location's whole round (a bulk import); the new version is returned.
    ``if_match``, when given, must be the round's ETag as read."""
    with store.editing() as transaction:
        if if_match is not None and if_match not in ("*", round_etag(transaction.version)):
            raise _stale()
        transaction.save(
            round_,
            AuditEntry(
                time=now,
                actor=actor,
                action="import",
                subject="round",
                detail={"volunteers": len(round_.volunteers), "families": len(round_.families)},
            ),
        )
        return transaction.version + 1


def _check_match(if_match: str | None, current: BaseModel) -> None:
    if if_match is None:
        raise ServiceError(
            428,
            "Precondition Required",
            "this record exists: send If-Match with the ETag you read, so that another "
            "writer's change is not overwritten",
        )
    if if_match != "*" and if_match != etag(current):
        raise _stale()


def _stale() -> ServiceError:
    return ServiceError(
        412,
        "Precondition Failed",
        "the record changed since you read it (its ETag differs): read it again",
    )
