"""Load a round from a JSON file, a folder of CSV files, or stdin (``-``, JSON), and report
every problem with the file, row and field it came from."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from matcher.domain.prepared import PreparedRound, prepare
from matcher.domain.round import Round
from matcher.errors import Location, RoundError
from matcher.io.csv_round import (
    SETTINGS,
    read_csv_tables,
    read_round_tables,
)
from matcher.io.excel import read_workbook_tables
from matcher.io.json_input import parse_json, read_stream, read_text
from matcher.io.problems import InputError, InputProblem, json_path, validation_problems
from matcher.io.table_records import Table, written_location

__all__ = ["InputError", "load_and_prepare", "load_round"]


@dataclass(frozen=True)
class RoundSource:
    """Where a round came from, to turn locations inside it back into file, row and field."""

    display: str
    names: dict[str, str] | None = None  # collection -> table name, for CSV folders and .xlsx
    rows: dict[str, list[int]] = field(default_factory=dict)  # collection -> record row numbers
    setting_rows: dict[str, int] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> as written

    def problem(self, location: Location, message: str) -> InputProblem:
        """The file, row and field of a location inside the round."""
        if self.names is None:
            return InputProblem(self.display, None, json_path(location), message)
        collection = str(location[0]) if location else ""
        if collection in self.rows and len(location) >= 2:
            row = self.rows[collection][int(location[1])]
            inside = written_location(location[2:], self.headers.get(collection, {}))
            column = ".".join(str(part) for part in inside) or None
            return InputProblem(self.names[collection], row, column, message)
        key = ".".join(str(part) for part in location)
        if key:
            return InputProblem(self.names[SETTINGS], self.setting_rows.get(key), key, message)
        return InputProblem(self.display, None, None, message)


def load_round(source: str | Path, stdin: TextIO | None = None, today: date | None = None) -> Round:
    """Read a round; raise ``InputError`` naming file, row and field for anything wrong. A round
    without a ``reference_date`` is dated ``today`` when given (the caller decides what today
    is), and refused otherwise."""
    return _load(source, stdin, today)[0]


def load_and_prepare(
    source: str | Path, stdin: TextIO | None = None, today: date | None = None
) -> tuple[Round, PreparedRound]:
    """Read a round and check its cross-references (``prepare``), all errors as ``InputError``."""
    round_, origin = _load(source, stdin, today)
    try:
        return round_, prepare(round_)
    except RoundError as error:
        raise InputError([origin.problem(p.location, p.message) for p in error.problems]) from None


def _load(
    source: str | Path, stdin: TextIO | None, today: date | None
) -> tuple[Round, RoundSource]:
    display = str(source)
    if display == "-":
        text = read_stream(stdin or sys.stdin, "<stdin>")
        return _from_json(text, RoundSource("<stdin>"), today)
    path = Path(source)
    if path.is_dir():
        return _from_tables(read_csv_tables(path, display), display, today)
    if path.suffix.lower() == ".xlsx":
        if not path.exists():
            raise InputError([InputProblem(display, None, None, "no such file")])
        return _from_tables(read_workbook_tables(path, display), display, today)
    return _from_json(read_text(path, display), RoundSource(display), today)


def _from_tables(
    tables: dict[str, tuple[str, Table | None]], display: str, today: date | None
) -> tuple[Round, RoundSource]:
    read = read_round_tables(tables)
    names = {collection: name for collection, (name, _) in tables.items()}
    origin = RoundSource(
        display,
        names=names,
        rows=read.rows,
        setting_rows=read.setting_rows,
        headers=read.headers,
    )
    return _validate(read.data, origin, today), origin


def _from_json(text: str, origin: RoundSource, today: date | None) -> tuple[Round, RoundSource]:
    data = parse_json(text, origin.display)
    if not isinstance(data, dict):
        raise InputError([InputProblem(origin.display, None, None, "expected a JSON object")])
    return _validate(data, origin, today), origin


def _validate(data: dict[str, Any], origin: RoundSource, today: date | None) -> Round:
    if today is not None and data.get("reference_date") in (None, ""):
        data = {**data, "reference_date": today}
    try:
        return Round.model_validate(data)
    except ValidationError as error:
        raise InputError(validation_problems(error, origin.problem)) from None
