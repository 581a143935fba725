"""The records of one table (a CSV file or a workbook sheet): its header row matched to the
model's fields in English or Dutch, each row's cells read by ``matcher.io.cells`` and validated,
and every problem placed at file, row and the column as the user wrote it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from openpyxl.utils import get_column_letter
from pydantic import BaseModel, ValidationError

from matcher.io.cells import kinds, read_cell
from matcher.io.headers import field_of, header_for
from matcher.io.personal import PERSONAL_MESSAGE, looks_personal
from matcher.io.problems import InputProblem, field_path, validation_problems

logger = logging.getLogger(__name__)
Table = list[list[str]]


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
