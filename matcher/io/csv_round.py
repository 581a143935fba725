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
from pathlib import Path
from typing import Any

from pydantic import BaseModel

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
from matcher.io.headers import collection_of, field_of
from matcher.io.json_input import read_text
from matcher.io.limits import MAX_COLUMNS, MAX_ROWS
from matcher.io.problems import InputError, InputProblem
from matcher.io.table_records import Table, read_records
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
SETTING_WORDS = {
    "policy.same_place": {
        "uit": "off",
        "straat": "street",
        "wijk": "area",
        "postcodegebied": "area",
    }
}
"""Dutch words for the values of settings whose type is no ``Vocabulary`` (the first word of a
value is the one written to a Dutch file)."""
SECTION_MODELS: dict[str, type[BaseModel]] = {
    "weights": Weights,
    "policy": Policy,
    "solver": SolverSettings,
}


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
    holds the families; ``.csv`` in any case). A CSV file of no collection is reported as a
    warning (when ``warn``); two files of one collection are refused. Hidden files and the lock
    files of spreadsheet programs (``~$Gezinnen.csv``) are passed over."""
    found: dict[str, Path] = {}
    problems: list[InputProblem] = []
    names = sorted(
        path
        for path in folder.iterdir()
        if path.suffix.lower() == ".csv" and not path.name.startswith((".", "~$"))
    )
    for path in names:
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
        if isinstance(value, str) and key in SETTING_WORDS:
            value = SETTING_WORDS[key].get(word_key(value), value)
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
        for name, value in changed.items():
            key = f"{section}.{name}"
            text = write_cell(value, setting_kind(key), style)
            dutch = {
                english: word for word, english in reversed(SETTING_WORDS.get(key, {}).items())
            }
            rows.append([key, dutch.get(text, text) if style.dutch else text])
    return rows


def columns_of(model: type[BaseModel]) -> list[str]:
    """The model's fields as CSV columns, ids first."""
    fields = list(model.model_fields)
    return sorted(fields, key=lambda name: not name.endswith("id"))
