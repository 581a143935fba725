"""CSV text, written the same way everywhere: comma-separated, newline-terminated."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence


def csv_text(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A header row and data rows as CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
