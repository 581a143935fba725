"""A ``result.json`` read back (by ``plan`` and ``decide``), checked like any input: a missing,
oversized, deeply nested or edited file is an ``InputError`` naming the file and field."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from matcher.io.json_input import parse_json, read_text
from matcher.io.problems import InputError, InputProblem, json_path, validation_problems
from matcher.result import SolveResult


def read_result(path: Path, display: str | None = None) -> SolveResult:
    """The solve result stored at ``path`` (``display`` names it in errors)."""
    name = display or str(path)
    data = parse_json(read_text(path, name), name)
    if not isinstance(data, dict):
        raise InputError([InputProblem(name, None, None, "expected a JSON object")])
    try:
        return SolveResult.model_validate(data)
    except ValidationError as error:
        raise InputError(
            validation_problems(
                error,
                lambda loc, message: InputProblem(
                    name, None, json_path(loc), f"not a solve result: {message}"
                ),
            )
        ) from None
