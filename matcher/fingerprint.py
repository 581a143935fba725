"""A result's tie to the round it was solved from.

A round's fingerprint is the SHA-256 of its canonical JSON together with ``SCHEMA_VERSION``:
pydantic's compact JSON of the round, fields in the models' order, fields at their default left
out (so a field added later with a default changes no fingerprint), and the round's date always
in (it defaults to the day it is read). Each proposed family and volunteer is fingerprinted the
same way, on its own, so that ``decide`` and ``plan`` can tell a round that changed elsewhere
(another family was matched meanwhile) from one where the proposed people themselves changed,
and both from a result of another round. ``SCHEMA_VERSION`` goes up whenever the same round would
be written differently (a field renamed or reordered, a meaning changed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Annotated

from pydantic import BaseModel, Field

from matcher.domain.frozen import Frozen
from matcher.domain.people import Id
from matcher.domain.round import MAX_PEOPLE, Round

SCHEMA_VERSION = 1
"""The version of the round's JSON layout that fingerprints are taken of."""

RECORD_DIGEST_CHARS = 16
"""Hex characters kept of a person's digest (64 bits: enough to see a change, and short)."""

Digest = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
RecordDigest = Annotated[str, Field(pattern=rf"^[0-9a-f]{{{RECORD_DIGEST_CHARS}}}$")]


class RoundFingerprint(Frozen):
    """The round a result was solved from: its digest, and one per proposed person."""

    schema_version: int = Field(ge=1, le=1_000_000)
    round: Digest
    families: dict[Id, RecordDigest] = Field(default_factory=dict, max_length=MAX_PEOPLE)
    volunteers: dict[Id, RecordDigest] = Field(default_factory=dict, max_length=MAX_PEOPLE)


def canonical_json(model: BaseModel) -> bytes:
    """The model's canonical JSON: compact, fields in order, defaults left out."""
    return model.model_dump_json(exclude_defaults=True).encode("utf-8")


def round_digest(round_: Round) -> str:
    """SHA-256 (hex) of the schema version, the round's date and its canonical JSON."""
    digest = hashlib.sha256(f"matcher round {SCHEMA_VERSION}\n".encode())
    digest.update(f"{round_.reference_date.isoformat()}\n".encode())
    digest.update(canonical_json(round_))
    return digest.hexdigest()


def record_digest(record: BaseModel) -> str:
    """A short SHA-256 (hex) of one family's or volunteer's record under the schema version."""
    digest = hashlib.sha256(f"matcher record {SCHEMA_VERSION}\n".encode())
    digest.update(canonical_json(record))
    return digest.hexdigest()[:RECORD_DIGEST_CHARS]


def round_fingerprint(
    round_: Round, families: Iterable[int], volunteers: Iterable[int]
) -> RoundFingerprint:
    """The fingerprint of ``round_`` and of the families and volunteers at the given
    positions (the people a result proposes)."""
    return RoundFingerprint(
        schema_version=SCHEMA_VERSION,
        round=round_digest(round_),
        families={
            round_.families[f].id: record_digest(round_.families[f]) for f in sorted(set(families))
        },
        volunteers={
            round_.volunteers[v].id: record_digest(round_.volunteers[v])
            for v in sorted(set(volunteers))
        },
    )
