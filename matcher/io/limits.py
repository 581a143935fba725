"""Limits on every size a user's file controls, so that a hostile or broken file is refused with
a message instead of exhausting memory, recursion or time.

The limits are far above any real round: a Dutch location has a few dozen volunteers and
families, the whole country about 3,000 and 4,000 a year.
"""

from __future__ import annotations

MAX_FILE_BYTES = 64 * 1024 * 1024
"""A JSON round, a CSV file or a result.json: at most 64 MiB."""

MAX_XLSX_UNPACKED_BYTES = 64 * 1024 * 1024
"""An .xlsx workbook's parts, unpacked: at most 64 MiB (a zip bomb is refused unread)."""

MAX_JSON_DEPTH = 32
"""Nesting of arrays and objects in JSON; a round needs 5."""

MAX_ROWS = 100_001
"""Rows of one table (CSV file or sheet), the header included: the most records a list of a
round may hold (``matcher.domain.round.MAX_RECORDS``), and its header."""

MAX_COLUMNS = 64
"""Columns of one table; a record has at most 25 fields."""
