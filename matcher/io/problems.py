"""Bad input, reported with the file, row and field it came from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from matcher.io.personal import PERSONAL_MESSAGE, looks_personal

MAX_SHOWN = 20


@dataclass(frozen=True)
class InputProblem:
    """One problem: where (file, row, field) and what."""

    file: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field '{_shortened(self.field)}'")
        return f"{', '.join(where)}: {self.message}"


class InputError(Exception):
    """The input cannot be used; ``problems`` says exactly where and why."""

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = problems
        shown = [str(p) for p in problems[:MAX_SHOWN]]
        if len(problems) > MAX_SHOWN:
            shown.append(f"... and {len(problems) - MAX_SHOWN} more problems")
        super().__init__("\n".join(shown))


MAX_FIELD_SHOWN = 60


def _shortened(text: str) -> str:
    """A field name as shown: a hostile file's 100,000-character key is cut short."""
    return text if len(text) <= MAX_FIELD_SHOWN else text[: MAX_FIELD_SHOWN - 3] + "..."


def field_path(location: tuple[str | int, ...]) -> str | None:
    """A pydantic-style location inside one record as a dotted field name (None if empty)."""
    return ".".join(str(part) for part in location) or None


def json_path(location: tuple[str | int, ...]) -> str | None:
    """A location inside a JSON document, e.g. ``families[3].postcode`` (None if empty)."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or None


def validation_problems(
    error: ValidationError, where: Callable[[tuple[str | int, ...], str], InputProblem]
) -> list[InputProblem]:
    """Each of a pydantic error's problems, with a short message, placed by ``where`` (from
    the location inside the validated data to file, row and field)."""
    return [where(tuple(e["loc"]), describe_error(e)) for e in error.errors()]


def describe_error(error: Any) -> str:
    """A pydantic error as a short message naming the bad value (never a whole record)."""
    if error["type"] == "extra_forbidden":
        field = str(error["loc"][-1]) if error.get("loc") else ""
        return (
            PERSONAL_MESSAGE.replace("column", "field")
            if looks_personal(field)
            else ("unknown field")
        )
    if error["type"] == "missing":
        return "required"
    message = str(error["msg"]).removeprefix("Value error, ")
    value = error.get("input")
    if message.startswith("looks like"):
        return message  # personal data is not repeated back
    if isinstance(value, str | int | float) and len(str(value)) <= 40:
        message += f" (got {value!r})"
    return message
