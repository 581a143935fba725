"""Reading a solve's ``result.json`` back, for the commands that act on its proposals."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from matcher.io.problems import InputError, InputProblem
from matcher.result import SolveResult


def load_result(path: Path) -> SolveResult:
    """A ``result.json`` written by ``matcher solve``."""
    try:
        return SolveResult.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([InputProblem(str(path), None, None, "no such file")]) from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or None
        raise InputError(
            [InputProblem(str(path), None, where, f"not a solve result: {first['msg']}")]
        ) from None
