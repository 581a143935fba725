"""CSV text, written the same way everywhere: comma-separated (or the dialect a user's file was
read in), newline-terminated, and safe to open in a spreadsheet.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be
run as a formula by Excel or LibreOffice; such a cell is written with a leading ``'`` (the
OWASP rule against CSV injection), unless it is a number such as ``-3.5``. Reading a table
drops that ``'`` again (``unprotected``), so what the engine writes it reads back unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from matcher.domain.people import FORMULA_STARTS

_FORMULA_CHARACTERS = frozenset(FORMULA_STARTS)

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def protected(value: object) -> str:
    """A value as CSV cell text that no spreadsheet runs as a formula: text starting with a
    formula character gets a leading ``'``; numbers (``-3.5``, ``-3,5``) stay numbers."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.match(text):
        return "'" + text
    return text


def unprotected(text: str) -> str:
    """Cell text as written before ``protected``: a ``'`` before a formula character dropped."""
    if text[:1] == "'" and text[1:2] in _FORMULA_CHARACTERS:
        return text[1:]
    return text


def csv_text(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    delimiter: str = ",",
    lineterminator: str = "\n",
) -> str:
    """A header row and data rows as CSV text, every cell ``protected``. A row with a carriage
    return in a cell is written with every cell quoted (the ``csv`` module quotes only the
    characters of its line terminator, and a bare one would end the row for a reader)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator)
    quoting = csv.writer(
        buffer, delimiter=delimiter, lineterminator=lineterminator, quoting=csv.QUOTE_ALL
    )
    for row in (header, *rows):
        cells = [protected(cell) for cell in row]
        (quoting if any("\r" in cell for cell in cells) else writer).writerow(cells)
    return buffer.getvalue()
