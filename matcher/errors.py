"""Errors for bad input: each problem names where in the round it is."""

from __future__ import annotations

from dataclasses import dataclass

Location = tuple[str | int, ...]
"""A path into a round, e.g. ``("families", 3, "postcode")``."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, and where."""

    location: Location
    message: str


class RoundError(ValueError):
    """The round cannot be used as given. ``problems`` lists every issue found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{_path(p.location)}: {p.message}" for p in problems))


def _path(location: Location) -> str:
    return ".".join(str(part) for part in location) or "round"
