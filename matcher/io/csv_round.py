"""A round as a folder of CSV files, in and out.

``volunteers.csv`` and ``families.csv`` are required; ``active_matches.csv``,
``declined_pairs.csv``, ``exclusions.csv``, ``coordinators.csv``, ``absences.csv``,
``school_holidays.csv`` and ``settings.csv`` (``key,value`` rows such as
``weights.distance,2``) are optional. Columns are the model's field names; an empty cell means
"not given"; lists are separated by spaces (or commas or semicolons inside a quoted cell).
"""

from __future__ import annotations

import csv
import io
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from matcher.domain.people import Family, Volunteer
from matcher.domain.round import Absence, ActiveMatch, Coordinator, Pair, Period, Round
from matcher.io.atomic import write_files_atomic
from matcher.io.json_input import read_text
from matcher.io.limits import MAX_COLUMNS, MAX_ROWS
from matcher.io.personal import PERSONAL_MESSAGE, looks_personal
from matcher.io.problems import InputError, InputProblem, field_path, validation_problems
from matcher.io.tabular import csv_text

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
Table = list[list[str]]


DUTCH_COLUMNS = {
    "breedtegraad": "latitude",
    "lengtegraad": "longitude",
    "talen": "languages",
    "dagdelen": "slots",
    "capaciteit": "capacity",
    "max_reisafstand_km": "max_travel_km",
    "vervoer": "travel_mode",
    "leeftijdsgroepen": "age_groups",
    "themas": "themes",
    "hulpvragen": "themes",
    "geslacht": "gender",
    "rookt": "smokes",
    "huisdieren": "has_pets",
    "training_afgerond": "training_complete",
    "vog": "vog_complete",
    "spreekt_nederlands": "speaks_dutch",
    "kinderen": "children",
    "uitgerekende_datum": "due_date",
    "voorkeur_geslacht": "volunteer_gender",
    "voorkeur_geslacht_regel": "volunteer_gender_rule",
    "geen_huisdieren": "no_pets",
    "niet_roker": "non_smoker",
    "aangemeld": "registered",
    "herkoppeling": "rematch",
    "leeftijdsgrens": "age_limit",
    "gezin_id": "family_id",
    "vrijwilliger_id": "volunteer_id",
    "dagdeel": "slot",
}
"""Dutch column headers (lower case, spaces as underscores) and the field each names."""
YES_NO = {"ja": "yes", "nee": "no"}


def _column(header: str) -> str:
    """A column header as a field name: trimmed, English or Dutch."""
    key = header.strip().lower().replace(" ", "_").replace("'", "")
    return DUTCH_COLUMNS.get(key, header.strip())


def read_csv_tables(folder: Path, display: str) -> dict[str, tuple[str, Table | None]]:
    """One table per collection from a CSV folder, named by file for errors."""
    problems: list[InputProblem] = []
    sources: dict[str, tuple[str, Table | None]] = {}
    for collection in (*RECORDS, SETTINGS):
        path = folder / f"{collection}.csv"
        name = f"{display.rstrip('/')}/{collection}.csv"
        sources[collection] = (name, _read_table(path, name, problems) if path.exists() else None)
    if problems:
        raise InputError(problems)
    return sources


def read_round_tables(
    sources: dict[str, tuple[str, Table | None]],
) -> tuple[dict[str, Any], dict[str, list[int]], dict[str, int]]:
    """The round's data from one table per collection (``None`` when absent), each with the
    name to use in errors; also the row number of every record per collection, and of every
    setting by its dotted key. Each record is validated on its own, so that errors name the
    file (or sheet), row and column. Dutch column headers and ``ja``/``nee`` are accepted."""
    problems: list[InputProblem] = []
    data: dict[str, Any] = {}
    rows: dict[str, list[int]] = {}
    for collection, model in RECORDS.items():
        name, table = sources.get(collection, (collection, None))
        if table is None:
            if collection in REQUIRED:
                problems.append(InputProblem(name, None, None, "required, but not found"))
            continue
        data[collection], rows[collection] = _read_records(table, name, model, problems)
    setting_rows: dict[str, int] = {}
    name, table = sources.get(SETTINGS, (SETTINGS, None))
    if table is not None:
        settings, setting_rows = _read_settings(table, name, problems)
        data |= settings
    if problems:
        raise InputError(problems)
    return data, rows, setting_rows


def _read_table(path: Path, name: str, problems: list[InputProblem]) -> list[list[str]]:
    try:
        text = read_text(path, name)
    except InputError as error:
        problems.extend(error.problems)
        return []
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    table: Table = []
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
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


def _header(
    table: list[list[str]], name: str, model: type[BaseModel], problems: list[InputProblem]
) -> list[str] | None:
    if not table:
        problems.append(InputProblem(name, None, None, "file is empty: a header row is needed"))
        return None
    header = [_column(cell) for cell in table[0]]
    known = set(model.model_fields)
    ok = True
    seen: set[str] = set()
    for column in header:
        if column in seen and column.strip():
            ok = False
            message = "column appears twice (a Dutch and an English name count as one)"
            problems.append(InputProblem(name, 1, column, message))
        seen.add(column)
        if column in known:
            continue
        ok = False
        if looks_personal(column):
            message = PERSONAL_MESSAGE
        else:
            message = f"unknown column; expected some of: {', '.join(model.model_fields)}"
        problems.append(InputProblem(name, 1, column, message))
    missing = [
        f for f, info in model.model_fields.items() if info.is_required() and f not in header
    ]
    for column in missing:
        ok = False
        problems.append(InputProblem(name, 1, column, "required column is missing"))
    return header if ok else None


def _read_records(
    table: Table, name: str, model: type[BaseModel], problems: list[InputProblem]
) -> tuple[list[BaseModel], list[int]]:
    header = _header(table, name, model, problems)
    if header is None:
        return [], []
    records: list[BaseModel] = []
    numbers: list[int] = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            problems.append(
                InputProblem(
                    name, number, None, f"{len(cells)} cells but the header has {len(header)}"
                )
            )
            continue
        values = {
            column: YES_NO.get(cell.strip().lower(), cell.strip())
            for column, cell in zip(header, cells, strict=False)
            if cell.strip()
        }
        try:
            records.append(model.model_validate(values))
            numbers.append(number)
        except ValidationError as error:
            problems += validation_problems(error, partial(_in_row, name, number))
    return records, numbers


def _in_row(file: str, row: int, location: tuple[str | int, ...], message: str) -> InputProblem:
    return InputProblem(file, row, field_path(location), message)


def _read_settings(
    table: Table, name: str, problems: list[InputProblem]
) -> tuple[dict[str, Any], dict[str, int]]:
    """``key,value`` rows into a nested dict, and the row number of each dotted key."""
    settings: dict[str, Any] = {}
    numbers: dict[str, int] = {}
    sections: dict[str, str] = {}
    first = [_column(c) for c in table[0][:2]] if table else []
    start = 2 if first in (["key", "value"], ["sleutel", "waarde"]) else 1
    for number, cells in enumerate(table[start - 1 :], start=start):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != 2 or not cells[0].strip():
            problems.append(InputProblem(name, number, None, "expected two cells: key,value"))
            continue
        key, value = cells[0].strip(), cells[1].strip()
        if key.split(".")[0] not in SETTING_SECTIONS:
            message = f"unknown setting; use {', '.join(SETTING_SECTIONS)} (e.g. weights.distance)"
            problems.append(InputProblem(name, number, key, message))
            continue
        conflict = _conflicting_key(key, numbers, sections)
        if conflict is not None:
            message = f"setting {key!r} conflicts with {conflict!r} (row {numbers[conflict]})"
            problems.append(InputProblem(name, number, key, message))
            continue
        target = settings
        *parents, leaf = key.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value if value else None
        numbers[key] = number
        for end in range(1, len(parents) + 1):
            sections.setdefault(".".join(parents[:end]), key)
    return settings, numbers


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
    """The CSV files of a round, by path: required files always, optional ones when they have
    rows or already exist in ``folder`` (so that emptied lists are written empty)."""
    files = {
        folder / f"{collection}.csv": csv_text(
            _columns(model),
            [_row(record, _columns(model)) for record in getattr(round_, collection)],
        )
        for collection, model in RECORDS.items()
        if collection in REQUIRED
        or getattr(round_, collection)
        or (folder / f"{collection}.csv").exists()
    }
    settings = [["reference_date", round_.reference_date.isoformat()]]
    for section in ("weights", "policy", "solver"):
        changed = getattr(round_, section).model_dump(mode="json", exclude_defaults=True)
        settings += [[f"{section}.{key}", _cell(value)] for key, value in changed.items()]
    files[folder / f"{SETTINGS}.csv"] = csv_text(["key", "value"], settings)
    return files


def _columns(model: type[BaseModel]) -> list[str]:
    """The model's fields as CSV columns, ids first."""
    fields = list(model.model_fields)
    return sorted(fields, key=lambda name: not name.endswith("id"))


def _row(record: BaseModel, columns: list[str]) -> list[str]:
    values = record.model_dump(mode="json")
    return [_cell(values[column]) for column in columns]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return " ".join(_item(item) for item in value)
    return str(value)


def _item(item: object) -> str:
    """A list element: a child as its birth date or age, a question as ``theme:priority``."""
    if isinstance(item, dict):
        if "theme" in item:
            return f"{item['theme']}:{item['priority']}"
        return str(item["birth_date"] or item["age_years"])
    return str(item)
