"""Excel workbooks in: a round read from one ``.xlsx`` (a sheet per CSV file, English or Dutch
sheet names and headers). Workbooks out are written by ``matcher.io.results``."""

from __future__ import annotations

import logging
import lzma
import struct
import zipfile
import zlib
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser

from matcher.io.csv_round import RECORDS, SETTINGS
from matcher.io.headers import collection_of
from matcher.io.limits import MAX_COLUMNS, MAX_ROWS, MAX_XLSX_UNPACKED_BYTES
from matcher.io.problems import InputError, InputProblem
from matcher.io.table_records import Table

logger = logging.getLogger(__name__)


def read_workbook_tables(path: Path, display: str) -> dict[str, tuple[str, Table | None]]:
    """One table per collection from the workbook's sheets, named for errors as
    ``file, sheet 'name'``.

    Every row really in a sheet is read, whatever its ``<dimension>`` claims; a sheet with more
    rows or columns than a round can have, a formula in a cell, a chart sheet where a data sheet
    belongs, and a damaged or oversized file are refused with a message."""
    _check_archive(path, display)
    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except _BROKEN as error:
        raise InputError([_unreadable(display, error)]) from None
    try:
        return _tables(workbook, display)
    except _BROKEN as error:
        raise InputError([_unreadable(display, error)]) from None
    finally:
        workbook.close()


_BROKEN = (
    InvalidFileException,
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    ParseError,
    EOFError,
    OSError,
    lzma.LZMAError,
    NotImplementedError,  # a compression method zipfile lacks
    RuntimeError,  # an encrypted part
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    AttributeError,
    OverflowError,
)
"""What openpyxl raises, at load or while streaming a sheet, for a damaged workbook."""

MAX_ARCHIVE_ENTRIES = 1_000


def _unreadable(display: str, error: BaseException) -> InputProblem:
    detail = str(error).splitlines()[0][:100] if str(error) else type(error).__name__
    return InputProblem(display, None, None, f"not a readable .xlsx workbook ({detail})")


def _check_archive(path: Path, display: str) -> None:
    """Refuse a file that is no zip archive, or unpacks to more than a round can need."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, struct.error) as error:
        raise InputError([_unreadable(display, error)]) from None
    unpacked = sum(entry.file_size for entry in entries)
    if len(entries) > MAX_ARCHIVE_ENTRIES or unpacked > MAX_XLSX_UNPACKED_BYTES:
        message = (
            f"too large: {len(entries):,} parts of {unpacked:,} bytes unpacked "
            f"(at most {MAX_ARCHIVE_ENTRIES:,} parts, {MAX_XLSX_UNPACKED_BYTES:,} bytes)"
        )
        raise InputError([InputProblem(display, None, None, message)])


def _tables(workbook: Any, display: str) -> dict[str, tuple[str, Table | None]]:
    sheets: dict[str, str] = {}
    problems: list[InputProblem] = []
    for title in workbook.sheetnames:
        collection, _ = collection_of(title)
        if collection not in RECORDS and collection != SETTINGS:
            logger.warning(
                "%s: unknown sheet '%s' ignored (expected some of: %s)",
                display,
                title,
                ", ".join((*RECORDS, SETTINGS)),
            )
            continue
        if collection in sheets:
            message = f"sheets '{sheets[collection]}' and '{title}' both hold {collection}"
            problems.append(InputProblem(display, None, None, message))
        sheets.setdefault(collection, title)
    tables: dict[str, tuple[str, Table | None]] = {}
    for collection in (*RECORDS, SETTINGS):
        title = sheets.get(collection, collection)
        name = f"{display}, sheet '{title}'"
        if collection not in sheets:
            tables[collection] = (name, None)
            continue
        sheet = workbook[title]
        if not isinstance(sheet, ReadOnlyWorksheet):
            problems.append(InputProblem(name, None, None, "is a chart sheet, not a table"))
            tables[collection] = (name, [])
            continue
        tables[collection] = (name, _sheet_table(sheet, name, problems))
    if problems:
        raise InputError(problems)
    return tables


def _sheet_table(sheet: ReadOnlyWorksheet, name: str, problems: list[InputProblem]) -> Table:
    """The rows of a sheet as text, streamed from its XML without trusting ``<dimension>``
    (openpyxl's own ``iter_rows`` pads to the claimed size, and stops at a stale one).
    Missing rows read as empty rows, so row numbers stay those the user sees."""
    workbook = sheet.parent
    table: Table = []
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=False,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, cells in parser.parse():
            if number > MAX_ROWS:
                problems.append(InputProblem(name, number, None, f"more than {MAX_ROWS:,} rows"))
                return []
            row: list[str] = []
            for cell in cells:
                column = cell["column"]
                where = f"{get_column_letter(min(column, 16384))}{number}"
                if column > MAX_COLUMNS:
                    message = f"cell {where}: a table has at most {MAX_COLUMNS} columns"
                    problems.append(InputProblem(name, number, None, message))
                    return []
                if cell["data_type"] == "f":
                    message = f"cell {where} holds a formula; type the value itself"
                    problems.append(InputProblem(name, number, None, message))
                    continue
                value = _text(cell["value"])
                if value:
                    row.extend([""] * (column - 1 - len(row)))
                    row.append(value)
            table.extend([] for _ in range(len(table), number - 1))
            table.append(row)
    return table


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
