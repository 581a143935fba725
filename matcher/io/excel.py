"""Excel workbooks: a round read from one ``.xlsx`` (a sheet per CSV file, English or Dutch
sheet names and headers), and results written to one workbook with a sheet each."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from matcher.io.csv_round import RECORDS, SETTINGS, Table
from matcher.io.problems import InputError, InputProblem

DUTCH_SHEETS = {
    "vrijwilligers": "volunteers",
    "gezinnen": "families",
    "lopende_koppelingen": "active_matches",
    "afgewezen_koppelingen": "declined_pairs",
    "uitsluitingen": "exclusions",
    "coordinatoren": "coordinators",
    "afwezigheid": "absences",
    "schoolvakanties": "school_holidays",
    "instellingen": "settings",
}


def read_workbook_tables(path: Path, display: str) -> dict[str, tuple[str, Table | None]]:
    """One table per collection from the workbook's sheets, named for errors as
    ``file, sheet 'name'``."""
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as error:
        problem = InputProblem(display, None, None, f"not a readable .xlsx workbook: {error}")
        raise InputError([problem]) from None
    sheets = {}
    for title in workbook.sheetnames:
        key = title.strip().lower().replace(" ", "_")
        sheets[DUTCH_SHEETS.get(key, key)] = title
    tables: dict[str, tuple[str, Table | None]] = {}
    for collection in (*RECORDS, SETTINGS):
        title = sheets.get(collection, collection)
        name = f"{display}, sheet '{title}'"
        if collection not in sheets:
            tables[collection] = (name, None)
            continue
        rows = workbook[title].iter_rows(values_only=True)
        tables[collection] = (name, [[_text(cell) for cell in row] for row in rows])
    workbook.close()
    return tables


def _text(cell: Any) -> str:
    """A cell as the text a CSV file would hold."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def workbook_bytes(sheets: dict[str, tuple[list[str], list[list[object]]]], day: date) -> bytes:
    """A workbook with one sheet per (header, rows), header in bold and frozen. Its stored
    dates are ``day`` (the round's date), so the same result gives the same bytes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
        sheet.freeze_panes = "A2"
        for column, name in zip(sheet.columns, header, strict=False):
            width = max([len(str(name)), *(len(str(c.value or "")) for c in column)])
            sheet.column_dimensions[column[0].column_letter].width = min(width + 2, 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _stamped(buffer.getvalue(), day)


def _stamped(xlsx: bytes, day: date) -> bytes:
    """The same workbook with every date openpyxl wrote from the clock set to ``day``."""
    when = f"{day.isoformat()}T00:00:00Z"
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + when.encode(), data
                )
            info = zipfile.ZipInfo(
                entry.filename, date_time=(day.year, day.month, day.day, 0, 0, 0)
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    return out.getvalue()
