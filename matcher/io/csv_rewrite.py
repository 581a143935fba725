"""A changed round written back into the user's own CSV folder, in the dialect it was read in.

Each file keeps its name, delimiter, line ends, byte order mark, header row (as the user wrote
it, unknown columns included) and the order of its rows. A row whose record did not change is
written back as it was read; in a changed row only the changed cells are rewritten; a new row
is written in the folder's language (Dutch words such as ``ja``, ``vrouw`` and ``di-ochtend``
when its file or column names are Dutch) and with a decimal comma in a semicolon-separated file.
A file with no change is written back byte for byte as it was (all files are replaced together,
all or none).
"""

from __future__ import annotations

import codecs
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from matcher.domain.round import Round
from matcher.domain.vocab import word_key
from matcher.io.cells import Kind, Style, kinds, write_cell
from matcher.io.csv_round import (
    RECORDS,
    SETTINGS,
    collection_files,
    columns_of,
    delimiter_of,
    read_csv_table,
    settings_rows,
)
from matcher.io.headers import collection_of, field_of, file_stem_for, header_for
from matcher.io.json_input import read_text
from matcher.io.problems import InputError, InputProblem
from matcher.io.table_records import Table, read_header
from matcher.io.tabular import csv_text


@dataclass(frozen=True)
class _File:
    """A CSV file as the user keeps it: its table and how it is written."""

    path: Path
    table: Table
    delimiter: str
    lineterminator: str
    bom: bool
    raw: str = ""

    @classmethod
    def read(cls, path: Path, name: str) -> _File:
        problems: list[InputProblem] = []
        text = read_text(path, name)
        table = read_csv_table(path, name, problems)
        if problems:
            raise InputError(problems)
        bom = path.read_bytes().startswith(codecs.BOM_UTF8)
        crlf = text.split("\n", 1)[0].endswith("\r")
        raw = ("\ufeff" if bom else "") + text
        return cls(path, table, delimiter_of(text), "\r\n" if crlf else "\n", bom, raw)

    def text(self, table: Table) -> str:
        body = csv_text(table[0], table[1:], self.delimiter, self.lineterminator)
        return ("\ufeff" if self.bom else "") + body


def rewritten_csv_files(before: Round, after: Round, folder: Path) -> dict[Path, str]:
    """The files of a CSV folder whose round ``before`` becomes ``after``, as their new text,
    in the folder's own dialect (see the module's description)."""
    display = str(folder)
    paths = collection_files(folder, display, warn=False)
    files = {c: _File.read(p, f"{display}/{p.name}") for c, p in paths.items()}
    dutch = _is_dutch(paths, files)
    delimiter = files["volunteers"].delimiter if "volunteers" in files else ","
    template = _File(folder, [], delimiter, "\n", False)
    changed: dict[Path, str] = {}
    for collection, model in RECORDS.items():
        records = getattr(after, collection)
        if collection not in files and not records:
            continue
        read = getattr(before, collection) if collection in files else ()
        if collection in files and records == read:
            changed[files[collection].path] = files[collection].raw
            continue
        file = files.get(collection) or _new_file(template, collection, model, dutch)
        style = Style(dutch=dutch, decimal_comma=file.delimiter == ";")
        changed[file.path] = file.text(_rewritten(file, model, read, records, style))
    if _settings(before) != _settings(after):
        file = files.get(SETTINGS) or _new_file(template, SETTINGS, None, dutch)
        style = Style(dutch=dutch, decimal_comma=file.delimiter == ";")
        changed[file.path] = file.text(_rewritten_settings(file.table, before, after, style))
    elif SETTINGS in files:
        changed[files[SETTINGS].path] = files[SETTINGS].raw
    return changed


def _is_dutch(paths: dict[str, Path], files: dict[str, _File]) -> bool:
    """Whether the folder is kept in Dutch: a Dutch file name or column header."""
    headers = [cell for file in files.values() for cell in (file.table[0] if file.table else [])]
    return any(collection_of(path.stem)[1] for path in paths.values()) or any(
        field_of(cell)[1] for cell in headers
    )


def _new_file(
    template: _File, collection: str, model: type[BaseModel] | None, dutch: bool
) -> _File:
    """An empty file for a collection the folder does not have yet, in its language."""
    if model is None:
        header = ["sleutel", "waarde"] if dutch else ["key", "value"]
    else:
        header = [header_for(column, dutch) for column in columns_of(model)]
    path = template.path / f"{file_stem_for(collection, dutch)}.csv"
    return _File(path, [header], template.delimiter, template.lineterminator, template.bom)


def _rewritten(
    file: _File,
    model: type[BaseModel],
    read: tuple[BaseModel, ...],
    records: tuple[BaseModel, ...],
    style: Style,
) -> Table:
    """The file's table holding ``records`` instead of the ``read`` ones (the records of its
    filled rows, in order): unchanged rows as read, changed cells rewritten, new rows in
    ``style``, and a column added for a field newly set."""
    problems: list[InputProblem] = []
    found = read_header(file.table, str(file.path), model, problems, warn=False)
    filled = [row for row in file.table[1:] if any(cell.strip() for cell in row)]
    if found is None or len(filled) != len(read):
        problems.append(InputProblem(str(file.path), None, None, "changed while being read"))
        raise InputError(problems)
    columns, _ = found
    header = list(file.table[0])
    defaults = {name: info.get_default() for name, info in model.model_fields.items()}
    for name in columns_of(model):
        if name not in columns and any(getattr(r, name) != defaults[name] for r in records):
            columns.append(name)
            header.append(header_for(name, style.dutch))
    originals: dict[object, list[tuple[BaseModel, list[str]]]] = defaultdict(list)
    for record, cells in zip(read, filled, strict=True):
        originals[_key(record)].append((record, cells))
    field_kinds = kinds(model)
    table: Table = [header]
    for record in records:
        matches = originals.get(_key(record))
        if matches:
            original, cells = matches.pop(0)
            row = list(cells)
            for index, column in enumerate(columns):
                if column and getattr(record, column) != getattr(original, column):
                    row.extend([""] * (index + 1 - len(row)))
                    row[index] = _cell(record, column, field_kinds[column], style)
        else:
            row = [_cell(record, c, field_kinds[c], style) if c else "" for c in columns]
        table.append(row)
    return table


def _key(record: BaseModel) -> object:
    """What identifies a record across a change: its id, or the whole record."""
    return getattr(record, "id", record)


def _cell(record: BaseModel, column: str, kind: Kind, style: Style) -> str:
    return write_cell(record.model_dump(mode="json")[column], kind, style)


def _settings(round_: Round) -> dict[str, object]:
    """The round's date and settings, by dotted key."""
    values: dict[str, object] = {"reference_date": round_.reference_date}
    for section in ("weights", "policy", "solver"):
        for key, value in getattr(round_, section).model_dump().items():
            values[f"{section}.{key}"] = value
    return values


def _rewritten_settings(table: Table, before: Round, after: Round, style: Style) -> Table:
    """The settings rows with the changed values rewritten, a setting back at its default
    dropped, and a newly set one added; other rows as read."""
    old, new = _settings(before), _settings(after)
    wanted = {key: value for key, value in settings_rows(after, style)}
    rows: Table = []
    for cells in table:
        key = word_key(cells[0]) if cells else ""
        if key not in new:
            rows.append(cells)  # the header row, or a row kept as the user wrote it
        elif key in wanted:
            value = wanted.pop(key)
            rows.append(cells if old[key] == new[key] else [cells[0], value])
    return rows + [[key, value] for key, value in wanted.items()]
