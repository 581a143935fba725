"""Markdown pieces of the what-if report: tables, and escaping of text from a scenario (lever
names, places), so that a name cannot break a table or inject links, images or HTML."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~$&])")


def escape(text: str) -> str:
    """``text`` as literal Markdown on one line: special characters escaped, breaks as spaces."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table (cells must already be escaped where they hold outside text)."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)
