"""The round store over the user's own files: a CSV folder or a JSON file (an ``.xlsx``
workbook, or a round on stdin, can be read but not changed).

A transaction holds an OS-level lock on the round (``filelock``) for its whole length and reads
the round under it, so two coordinators deciding at once are served one after the other, each
on the other's result. Its commit point is a journal: the new files and the log line are first
written, whole, to ``.matcher-journal.json``; then the line is appended to the decision log and
the files are replaced; then the journal goes. A command killed after the journal was written is
completed by the next command on the round; one killed before it changed nothing. Temporary
files a killed command left behind are removed by the next transaction.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TextIO

from filelock import FileLock, Timeout
from pydantic import ValidationError

from matcher.domain.prepared import PreparedRound
from matcher.domain.round import Round
from matcher.io.atomic import write_files_atomic
from matcher.io.csv_rewrite import rewritten_csv_files
from matcher.io.problems import InputError, InputProblem
from matcher.io.rounds import load_and_prepare
from matcher.lifecycle.decisions import DecisionRecord
from matcher.usecases.store import StoreBusy

LOCK_TIMEOUT_S = 60.0
_LEFTOVER = re.compile(r"^\..+\.[0-9a-f]{12}\.(tmp|bak)$")


@dataclass(frozen=True)
class _Layout:
    """Where a round's files, log, lock and journal live."""

    round: Path
    log: Path
    lock: Path
    journal: Path

    @classmethod
    def of(cls, source: Path) -> _Layout:
        if source.is_dir():
            return cls(
                source,
                source / "decisions.jsonl",
                source / ".matcher.lock",
                source / ".matcher-journal.json",
            )
        folder, name = source.parent, source.name
        return cls(
            source,
            source.with_suffix(".decisions.jsonl"),
            folder / f".{name}.lock",
            folder / f".{name}.journal.json",
        )

    @property
    def folder(self) -> Path:
        return self.round if self.round.is_dir() else self.round.parent

    def owns(self, leftover: str) -> bool:
        """Whether a temporary file name was left by a write to this round's files."""
        if not _LEFTOVER.match(leftover):
            return False
        if self.round.is_dir():
            return True
        return any(leftover.startswith(f".{p.name}.") for p in (self.round, self.log, self.journal))


class FileRoundStore:
    """A round kept in the user's files (``-`` reads JSON from ``stdin``, read-only)."""

    def __init__(
        self,
        source: str | Path,
        today: date,
        stdin: TextIO | None = None,
        lock_timeout_s: float = LOCK_TIMEOUT_S,
    ) -> None:
        self.source = str(source)
        self.today = today
        self.stdin = stdin
        self.lock_timeout_s = lock_timeout_s

    def read(self) -> PreparedRound:
        """The round, validated and prepared; ``InputError`` names file, row and field. A round
        that has been decided on is read under its lock, so never halfway through a decision
        (and one a killed command left half-written is completed first). Reading creates no
        file: a round never decided on has no lock file yet, and is read as it is."""
        layout = self._layout_if_writable()
        if layout is None:
            return load_and_prepare(self.source, stdin=self.stdin, today=self.today)[1]
        with self._locked(layout):
            _recover(layout)
            return load_and_prepare(layout.round, today=self.today)[1]

    def decisions(self) -> list[DecisionRecord]:
        """The decision log, oldest first (empty when there is none yet)."""
        log = _Layout.of(self._writable()).log
        if not log.exists():
            return []
        return [
            DecisionRecord.model_validate_json(line)
            for line in log.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]

    @contextmanager
    def transaction(self) -> Iterator[FileTransaction]:
        """Lock the round, finish or clean up what an interrupted command left, and read it."""
        layout = _Layout.of(self._writable())
        with self._locked(layout):
            _recover(layout)
            round_, _ = load_and_prepare(layout.round, today=self.today)
            yield FileTransaction(layout, round_)

    @contextmanager
    def _locked(self, layout: _Layout) -> Iterator[None]:
        lock = FileLock(layout.lock, timeout=self.lock_timeout_s)
        try:
            lock.acquire()
        except Timeout:
            raise StoreBusy(
                f"{self.source} is being changed by another command that did not finish within "
                f"{self.lock_timeout_s:g} s; nothing was changed, try again"
            ) from None
        try:
            yield
        finally:
            lock.release()

    def _layout_if_writable(self) -> _Layout | None:
        """The layout of a decided-on round this user could change (None: stdin, .xlsx, a
        read-only folder, or no decision yet)."""
        path = Path(self.source)
        if self.source == "-" or path.suffix.lower() == ".xlsx" or not path.exists():
            return None
        layout = _Layout.of(path)
        return layout if layout.lock.exists() and os.access(layout.folder, os.W_OK) else None

    def _writable(self) -> Path:
        if self.source == "-":
            raise InputError(
                [
                    InputProblem(
                        "<stdin>",
                        None,
                        None,
                        "a round read from stdin cannot be changed: give its file or folder",
                    )
                ]
            )
        path = Path(self.source)
        if path.suffix.lower() == ".xlsx":
            raise InputError(
                [
                    InputProblem(
                        self.source,
                        None,
                        None,
                        "decisions cannot be written into an Excel workbook (the workbook is left "
                        "as it is); convert it once to a CSV folder and decide on that: "
                        f"matcher convert {self.source} {path.with_suffix('')}",
                    )
                ]
            )
        if not path.exists():
            raise InputError([InputProblem(self.source, None, None, "no such file or folder")])
        return path


class FileTransaction:
    """The round read under the lock; ``commit`` writes the change and its log line."""

    def __init__(self, layout: _Layout, round_: Round) -> None:
        self._layout = layout
        self._round = round_

    @property
    def round(self) -> Round:
        return self._round

    def commit(self, updated: Round, entry: DecisionRecord) -> None:
        """Write the journal (the commit point), then the log line and the files. An error
        here (a full disk, say) undoes both and drops the journal: nothing changed."""
        layout = self._layout
        files = (
            rewritten_csv_files(self._round, updated, layout.round)
            if layout.round.is_dir()
            else {layout.round: updated.model_dump_json(indent=2, exclude_defaults=True) + "\n"}
        )
        journal = {
            "files": {path.name: text for path, text in files.items()},
            "log_line": entry.model_dump_json(),
        }
        log_size = layout.log.stat().st_size if layout.log.exists() else None
        write_files_atomic({layout.journal: json.dumps(journal)})
        try:
            _apply(layout, journal)
        except Exception:
            _truncate(layout.log, log_size)
            layout.journal.unlink(missing_ok=True)
            raise
        self._round = updated


def _recover(layout: _Layout) -> None:
    """Complete a commit whose journal was written, and remove temporary files left over."""
    if layout.journal.exists():
        try:
            journal = json.loads(layout.journal.read_text(encoding="utf-8"))
            DecisionRecord.model_validate_json(journal["log_line"])
        except (ValueError, KeyError, TypeError, ValidationError):
            raise InputError(
                [
                    InputProblem(
                        str(layout.journal),
                        None,
                        None,
                        "an unfinished decision's journal cannot be read; move it away to go on "
                        "(the round's files are as they were before that decision)",
                    )
                ]
            ) from None
        _apply(layout, journal)
    for leftover in layout.folder.iterdir():
        if layout.owns(leftover.name):
            leftover.unlink(missing_ok=True)


def _apply(layout: _Layout, journal: Mapping[str, object]) -> None:
    """Append the journal's log line (once), replace the files (all or none), drop it."""
    files = journal["files"]
    assert isinstance(files, dict)
    _append_once(layout.log, str(journal["log_line"]))
    write_files_atomic({layout.folder / name: text for name, text in files.items()})
    layout.journal.unlink()


def _truncate(log: Path, size: int | None) -> None:
    """Cut the log back to ``size`` bytes (``None``: it did not exist)."""
    if size is None:
        log.unlink(missing_ok=True)
    elif log.exists():
        with log.open("r+b") as stream:
            stream.truncate(size)


def _append_once(log: Path, line: str) -> None:
    """Append ``line`` to the log unless it is already its last line. A last line cut short by
    a killed append (no newline at its end) is dropped first: it is this same line."""
    existing = log.read_bytes() if log.exists() else b""
    if not existing.endswith(b"\n") and existing:
        existing = existing[: existing.rfind(b"\n") + 1]
        _truncate(log, len(existing))
    if existing.splitlines()[-1:] == [line.encode("utf-8")]:
        return
    with log.open("ab") as stream:
        stream.write(line.encode("utf-8") + b"\n")
        stream.flush()
        os.fsync(stream.fileno())
