"""Decisions applied to a round's own files: the new round and the decision log are written in
one all-or-nothing step, so an interrupted command leaves the previous state intact."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from matcher.domain.prepared import prepare
from matcher.domain.round import Round
from matcher.errors import RoundError
from matcher.io.atomic import write_files_atomic
from matcher.io.csv_round import round_csv_files
from matcher.io.problems import InputError, InputProblem
from matcher.io.rounds import load_round
from matcher.lifecycle.decisions import DecisionError, DecisionRecord
from matcher.result import SolveResult


def decision_log(source: Path) -> Path:
    """Where a round's decisions are kept: ``decisions.jsonl`` in a CSV folder, or
    ``<name>.decisions.jsonl`` beside a JSON file."""
    return source / "decisions.jsonl" if source.is_dir() else source.with_suffix(".decisions.jsonl")


def load_result(path: Path) -> SolveResult:
    """A ``result.json`` written by ``matcher solve``."""
    try:
        return SolveResult.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([InputProblem(str(path), None, None, "no such file")]) from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or None
        raise InputError(
            [InputProblem(str(path), None, where, f"not a solve result: {first['msg']}")]
        ) from None


def record(source: Path, change: Callable[[Round], Round], entry: DecisionRecord) -> Round:
    """Apply ``change`` to the round stored at ``source``, check the result is still a valid
    round, and write it together with the log entry. Returns the new round."""
    updated = change(load_round(source, today=date.today()))
    try:
        prepare(updated)
    except RoundError as error:
        raise DecisionError(f"the decision would leave an invalid round: {error}") from None
    log = decision_log(source)
    previous = log.read_text(encoding="utf-8") if log.exists() else ""
    files = (
        round_csv_files(updated, source)
        if source.is_dir()
        else {source: updated.model_dump_json(indent=2, exclude_defaults=True) + "\n"}
    )
    files[log] = previous + entry.model_dump_json() + "\n"
    write_files_atomic(files)
    return updated
