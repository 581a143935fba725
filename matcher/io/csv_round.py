"""A round as a folder of CSV files, in and out.

``volunteers.csv`` and ``families.csv`` are required; ``active_matches.csv``,
``declined_pairs.csv``, ``exclusions.csv``, ``coordinators.csv``, ``absences.csv``,
``school_holidays.csv`` and ``settings.csv`` (``key,value`` rows such as
``weights.distance,2``) are optional. Files, sheets and columns may be named in English or Dutch
(``matcher.io.headers``), in any case and with accents or spaces; cells are read by
``matcher.io.cells`` (Dutch words, decimal commas). An empty cell means "not given". A file or
a column the engine does not know is reported as a warning and left out; one that looks like
personal data is refused.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from pydantic import BaseModel, ValidationError

from matcher.domain.people import Family, Volunteer
from matcher.domain.round import (
    Absence,
    ActiveMatch,
    Coordinator,
    Pair,
    Period,
    Policy,
    Round,
    SolverSettings,
    Weights,
)
from matcher.domain.vocab import word_key
from matcher.io.atomic import write_files_atomic
from matcher.io.cells import ENGLISH, Kind, Style, kinds, read_cell, write_cell
from matcher.io.headers import collection_of, field_of, header_for
from matcher.io.json_input import read_text
from matcher.io.limits import MAX_COLUMNS, MAX_ROWS
from matcher.io.personal import PERSONAL_MESSAGE, looks_personal
from matcher.io.problems import InputError, InputProblem, field_path, validation_problems
from matcher.io.tabular import csv_text

logger = logging.getLogger(__name__)

RECORDS: dict[str, type[BaseModel]] = {
    "volunteers": Volunteer,
    "families": Family,
    "active_matches": ActiveMatch,
    "declined_pairs": Pair,
    "exclusions": Pair,
    "coordinators": Coordinator,
    "absences": Absence,
    "school_holidays": Period,
}
REQUIRED = ("volunteers", "families")
SETTINGS = "settings"
SETTING_SECTIONS = ("reference_date", "weights", "policy", "solver")
SECTION_MODELS: dict[str, type[BaseModel]] = {
    "weights": Weights,
    "policy": Policy,
    "solver": SolverSettings,
}
Table = list[list[str]]


@dataclass
class RoundTables:
    """The round's data read from its tables, with where each part came from: the row of every
    record per collection, the row of every setting by dotted key, and per collection the
    header each field was written under (for errors, and for writing a file back)."""

    data: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, list[int]] = field(default_factory=dict)
    setting_rows: dict[str, int] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)


def collection_files(folder: Path, display: str, warn: bool = True) -> dict[str, Path]:
    """The CSV file of each collection in a folder, named in English or Dutch (``Gezinnen.csv``
    holds the families). A ``.csv`` file of no collection is reported as a warning (when
    ``warn``); two files of one collection are refused."""
    found: dict[str, Path] = {}
    problems: list[InputProblem] = []
    for path in sorted(folder.glob("*.csv"), key=lambda p: p.name):
        collection, _ = collection_of(path.stem)
        if collection not in RECORDS and collection != SETTINGS:
            if not warn:
                continue
            logger.warning(
                "%s/%s: unknown file, ignored (expected some of: %s)",
                display.rstrip("/"),
                path.name,
                ", ".join(f"{c}.csv" for c in (*RECORDS, SETTINGS)),
            )
            continue
        if collection in found:
            message = f"files {found[collection].name} and {path.name} both hold {collection}"
            problems.append(InputProblem(display, None, None, message))
            continue
        found[collection] = path
    if problems:
        raise InputError(problems)
    return found


def read_csv_tables(folder: Path, display: str) -> dict[str, tuple[str, Table | None]]:
    """One table per collection from a CSV folder, named by file for errors."""
    problems: list[InputProblem] = []
    files = collection_files(folder, display)
    sources: dict[str, tuple[str, Table | None]] = {}
    for collection in (*RECORDS, SETTINGS):
        path = files.get(collection, folder / f"{collection}.csv")
        name = f"{display.rstrip('/')}/{path.name}"
        table = read_csv_table(path, name, problems) if collection in files else None
        sources[collection] = (name, table)
    if problems:
        raise InputError(problems)
    return sources


def read_round_tables(sources: dict[str, tuple[str, Table | None]]) -> RoundTables:
    """The round's data from one table per collection (``None`` when absent), each with the
    name to use in errors. Each record is validated on its own, so that errors name the file
    (or sheet), row and column as the user wrote it."""
    problems: list[InputProblem] = []
    tables = RoundTables()
    for collection, model in RECORDS.items():
        name, table = sources.get(collection, (collection, None))
        if table is None:
            if collection in REQUIRED:
                problems.append(InputProblem(name, None, None, "required, but not found"))
            continue
        read = read_records(table, name, model, problems)
        tables.data[collection] = [record for record, _ in read.records]
        tables.rows[collection] = [number for _, number in read.records]
        tables.headers[collection] = read.headers
    name, table = sources.get(SETTINGS, (SETTINGS, None))
    if table is not None:
        settings, tables.setting_rows = _read_settings(table, name, problems)
        tables.data |= settings
    if problems:
        raise InputError(problems)
    return tables


def read_csv_table(path: Path, name: str, problems: list[InputProblem]) -> Table:
    """The rows of a CSV file, comma- or semicolon-separated (whichever the header row has
    more of); problems are added to ``problems``."""
    try:
        text = read_text(path, name)
    except InputError as error:
        problems.extend(error.problems)
        return []
    table: Table = []
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter_of(text))
        for number, row in enumerate(reader, 1):
            if number > MAX_ROWS:
                problems.append(InputProblem(name, number, None, f"more than {MAX_ROWS:,} rows"))
                return []
            if len(row) > MAX_COLUMNS:
                message = f"{len(row)} cells; a table has at most {MAX_COLUMNS} columns"
                problems.append(InputProblem(name, number, None, message))
                return []
            table.append(row)
    except csv.Error as error:
        problems.append(InputProblem(name, None, None, f"malformed CSV ({error})"))
        return []
    return table


def delimiter_of(text: str) -> str:
    """``;`` when the first line has more semicolons than commas, else ``,``."""
    first_line = text.split("\n", 1)[0]
    return ";" if first_line.count(";") > first_line.count(",") else ","


@dataclass
class Records:
    """A table's records with their row numbers, and the header each field was written
    under; ``columns`` is the field of each column (``None``: unknown, ignored)."""

    records: list[tuple[BaseModel, int]]
    headers: dict[str, str]
    columns: list[str | None]


def read_header(
    table: Table, name: str, model: type[BaseModel], problems: list[InputProblem], warn: bool
) -> tuple[list[str | None], dict[str, str]] | None:
    """The field of each column (``None``: unknown, ignored) and the header of each field;
    ``None`` when the header row cannot be used (a problem says why)."""
    if not table:
        problems.append(InputProblem(name, None, None, "file is empty: a header row is needed"))
        return None
    known = set(model.model_fields)
    ok = True
    columns: list[str | None] = []
    headers: dict[str, str] = {}
    dutch = False
    unknown: list[str] = []
    for cell in table[0]:
        column, is_dutch = field_of(cell)
        dutch |= is_dutch
        written = cell.strip()
        if column in headers:
            ok = False
            message = "column appears twice (a Dutch and an English name count as one)"
            problems.append(InputProblem(name, 1, written, message))
        elif column in known:
            headers[column] = written
            columns.append(column)
            continue
        elif looks_personal(written) or looks_personal(column):
            ok = False
            problems.append(InputProblem(name, 1, written, PERSONAL_MESSAGE))
        elif written:
            unknown.append(written)
        columns.append(None)
    if unknown and warn:
        logger.warning(
            "%s: unknown column%s %s ignored (expected some of: %s)",
            name,
            "s" if len(unknown) > 1 else "",
            ", ".join(repr(u) for u in unknown),
            ", ".join(header_for(f, dutch) for f in model.model_fields),
        )
    for column, info in model.model_fields.items():
        if info.is_required() and column not in headers:
            ok = False
            problems.append(
                InputProblem(name, 1, header_for(column, dutch), "required column is missing")
            )
    return (columns, headers) if ok else None


def read_records(
    table: Table,
    name: str,
    model: type[BaseModel],
    problems: list[InputProblem],
    warn: bool = True,
) -> Records:
    """Every filled row of a table as a record of ``model``; problems name file, row and the
    column as written. Unknown columns, and cells under no header, are warned about (when
    ``warn``) and left out."""
    found = read_header(table, name, model, problems, warn)
    if found is None:
        return Records([], {}, [])
    columns, headers = found
    if warn:
        _warn_of_headless_cells(table, name)
    field_kinds = kinds(model)
    records: list[tuple[BaseModel, int]] = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(columns):
            message = f"{len(cells)} cells but the header has {len(columns)}"
            problems.append(InputProblem(name, number, None, message))
            continue
        values: dict[str, object] = {}
        ok = True
        for column, cell in zip(columns, cells, strict=False):
            if column is None or not cell.strip():
                continue
            try:
                values[column] = read_cell(cell, field_kinds[column])
            except ValueError as error:
                ok = False
                problems.append(InputProblem(name, number, headers[column], str(error)))
        if not ok:
            continue
        try:
            records.append((model.model_validate(values), number))
        except ValidationError as error:
            problems += validation_problems(error, partial(_in_row, name, number, headers))
    return Records(records, headers, columns)


def _warn_of_headless_cells(table: Table, name: str) -> None:
    """Warn of a column with cells filled in but no header (they are left out)."""
    blank = [i for i, cell in enumerate(table[0]) if not cell.strip()]
    filled = [i for i in blank if any(len(row) > i and row[i].strip() for row in table[1:])]
    if filled:
        logger.warning(
            "%s: cells in column %s have no header and are ignored",
            name,
            ", ".join(get_column_letter(i + 1) for i in filled),
        )


def _in_row(
    file: str,
    row: int,
    headers: dict[str, str],
    location: tuple[str | int, ...],
    message: str,
) -> InputProblem:
    return InputProblem(file, row, field_path(written_location(location, headers)), message)


def written_location(
    location: tuple[str | int, ...], headers: dict[str, str]
) -> tuple[str | int, ...]:
    """A location inside a record with its field named by the header as written."""
    if location and isinstance(location[0], str) and location[0] in headers:
        return (headers[location[0]], *location[1:])
    return location


def _read_settings(
    table: Table, name: str, problems: list[InputProblem]
) -> tuple[dict[str, Any], dict[str, int]]:
    """``key,value`` rows into a nested dict, and the row number of each dotted key."""
    settings: dict[str, Any] = {}
    numbers: dict[str, int] = {}
    sections: dict[str, str] = {}
    first = [field_of(c)[0] for c in table[0][:2]] if table else []
    start = 2 if first == ["key", "value"] else 1
    for number, cells in enumerate(table[start - 1 :], start=start):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != 2 or not cells[0].strip():
            problems.append(InputProblem(name, number, None, "expected two cells: key,value"))
            continue
        written, key = cells[0].strip(), word_key(cells[0])
        try:
            value = read_cell(cells[1], setting_kind(key))
        except ValueError as error:
            problems.append(InputProblem(name, number, written, str(error)))
            continue
        if key.split(".")[0] not in SETTING_SECTIONS:
            message = f"unknown setting; use {', '.join(SETTING_SECTIONS)} (e.g. weights.distance)"
            problems.append(InputProblem(name, number, written, message))
            continue
        conflict = _conflicting_key(key, numbers, sections)
        if conflict is not None:
            message = f"setting {key!r} conflicts with {conflict!r} (row {numbers[conflict]})"
            problems.append(InputProblem(name, number, written, message))
            continue
        target = settings
        *parents, leaf = key.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value if value not in ("", []) else None
        numbers[key] = number
        for end in range(1, len(parents) + 1):
            sections.setdefault(".".join(parents[:end]), key)
    return settings, numbers


def setting_kind(key: str) -> Kind:
    """How a setting's value is read and written, from its dotted key."""
    section, _, name = key.partition(".")
    model = SECTION_MODELS.get(section)
    if model is None or name not in model.model_fields:
        return Kind.TEXT
    return kinds(model)[name]


def _conflicting_key(key: str, seen: dict[str, int], sections: dict[str, str]) -> str | None:
    """An earlier key that is the same as ``key``, a section holding it, or a key inside it
    (``sections`` maps every proper prefix of an earlier key to that key)."""
    if key in seen:
        return key
    if key in sections:
        return sections[key]
    parts = key.split(".")
    for end in range(1, len(parts)):
        prefix = ".".join(parts[:end])
        if prefix in seen:
            return prefix
    return None


def write_round_csv(round_: Round, folder: Path) -> None:
    """Write a round as a CSV folder (atomically, all files or none)."""
    write_files_atomic(round_csv_files(round_, folder))


def round_csv_files(round_: Round, folder: Path) -> dict[Path, str]:
    """The CSV files of a round, in English, by path: required files always, optional ones
    when they have rows or already exist in ``folder`` (so that emptied lists are written
    empty)."""
    files: dict[Path, str] = {}
    for collection, model in RECORDS.items():
        records = getattr(round_, collection)
        path = folder / f"{collection}.csv"
        if collection in REQUIRED or records or path.exists():
            columns, field_kinds = columns_of(model), kinds(model)
            rows = [
                [write_cell(values[c], field_kinds[c]) for c in columns]
                for values in (record.model_dump(mode="json") for record in records)
            ]
            files[path] = csv_text(columns, rows)
    files[folder / f"{SETTINGS}.csv"] = csv_text(["key", "value"], settings_rows(round_))
    return files


def settings_rows(round_: Round, style: Style = ENGLISH) -> list[list[str]]:
    """The round's date and every setting that differs from its default, as key, value."""
    rows = [["reference_date", round_.reference_date.isoformat()]]
    for section in SECTION_MODELS:
        changed = getattr(round_, section).model_dump(mode="json", exclude_defaults=True)
        rows += [
            [f"{section}.{key}", write_cell(value, setting_kind(f"{section}.{key}"), style)]
            for key, value in changed.items()
        ]
    return rows


def columns_of(model: type[BaseModel]) -> list[str]:
    """The model's fields as CSV columns, ids first."""
    fields = list(model.model_fields)
    return sorted(fields, key=lambda name: not name.endswith("id"))
