"""The store interface the use cases work over: one location's round, read as a whole, and
changed only inside a transaction that appends to an append-only decision log.

Implementations: the file store (``matcher.io.file_store``: a CSV folder or a JSON file) and
the database store (``matcher.db.store``: SQLite or PostgreSQL, one round per location). A
transaction is exclusive for its whole length: it reads the round under the lock, so every check
a use case makes holds when its change is written; leaving it without ``commit`` writes nothing.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from matcher.domain.prepared import PreparedRound
from matcher.domain.round import Round
from matcher.lifecycle.decisions import DecisionRecord


class StoreBusy(Exception):
    """Another user is changing the round and did not finish in time; nothing was changed."""


class RoundTransaction(Protocol):
    """The round as it is now, read under an exclusive lock, and the one way to change it."""

    @property
    def round(self) -> Round:
        """The current round (validated)."""
        ...

    def commit(self, updated: Round, entry: DecisionRecord) -> None:
        """Store ``updated`` and append ``entry`` to the decision log, all or nothing."""
        ...


class RoundStore(Protocol):
    """One location's round: read it, change it in a transaction, list its decisions."""

    def read(self) -> PreparedRound:
        """The round, validated and prepared (``InputError`` naming where when it is bad)."""
        ...

    def transaction(self) -> AbstractContextManager[RoundTransaction]:
        """An exclusive unit of work (``StoreBusy`` when the lock cannot be had in time)."""
        ...

    def decisions(self) -> list[DecisionRecord]:
        """The decision log, oldest first."""
        ...
