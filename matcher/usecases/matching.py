"""Use cases of a matching round: check it, solve it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import ValidationError

from matcher.domain.prepared import PreparedRound
from matcher.domain.round import SolverSettings
from matcher.engine import solve_prepared
from matcher.io.problems import InputError, InputProblem, field_path, validation_problems
from matcher.result import Language, SolveResult
from matcher.usecases.store import RoundStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Solved:
    """A solved round: the prepared round it came from, and its result."""

    prepared: PreparedRound
    result: SolveResult


def validate_round(store: RoundStore) -> PreparedRound:
    """Read and check a round without solving it (``InputError`` naming where when bad)."""
    return store.read()


def solve_round(
    store: RoundStore,
    overrides: Mapping[str, object] | None = None,
    previous: SolveResult | None = None,
    language: Language = "en",
) -> Solved:
    """Solve the stored round with its own solver settings, ``overrides`` on top (keys of
    ``SolverSettings``; ``None`` values are ignored), keeping the ``previous`` result's
    proposals where the stability margin says so; reasons and messages in ``language``."""
    prepared = store.read()
    settings = solver_settings(prepared.round.solver, overrides or {})
    return Solved(
        prepared, solve_prepared(prepared, settings, previous=previous, language=language)
    )


def solver_settings(base: SolverSettings, overrides: Mapping[str, object]) -> SolverSettings:
    """``base`` with ``overrides`` on top (``None`` values ignored); ``InputError`` naming the
    setting when the result is not valid (e.g. a time limit of NaN)."""
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return SolverSettings.model_validate(base.model_dump() | given)
    except ValidationError as error:
        raise InputError(
            validation_problems(
                error,
                lambda loc, message: InputProblem(
                    "solver settings", None, field_path(loc), message
                ),
            )
        ) from None
