"""Bad input, reported with the file, row and field it came from."""

from __future__ import annotations

from dataclasses import dataclass

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
