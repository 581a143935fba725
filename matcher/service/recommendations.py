"""Who could help one family now: the engine's recommendations over the location's current
round, with pending proposals holding their volunteers' places. The prepared round is kept per
version (and set of pending proposals), so a busy case system's button costs one family's
scoring, not a round's preparation."""

from __future__ import annotations

from matcher.domain.people import Family
from matcher.domain.prepared import PreparedRound, prepare
from matcher.errors import RoundError
from matcher.explain.recommendation import Recommendations
from matcher.io.problems import InputError, InputProblem, field_path
from matcher.service.context import Context
from matcher.service.problems import not_found
from matcher.service.rounds import pending_pairs, reserved
from matcher.usecases.recommend import recommend


def current_round(ctx: Context, location_id: str) -> PreparedRound:
    """The location's round as it stands, pending proposals pinned, prepared (kept per
    version)."""
    store = ctx.store(location_id)
    key = ("prepared", location_id, store.version(), pending_pairs(ctx.engine, location_id))

    def make() -> PreparedRound:
        pinned, _, _ = reserved(ctx.engine, location_id, store.load())
        try:
            return prepare(pinned)
        except RoundError as error:
            raise _input_error(error) from None

    return ctx.remembered(key, make)


def recommendations(
    ctx: Context, location_id: str, family: Family | str, k: int
) -> Recommendations:
    """The top ``k`` volunteers for a stored family (by id, 404 when unknown) or a posted one,
    and the top ``k`` who fail one rule, the rule named."""
    prepared = current_round(ctx, location_id)
    if isinstance(family, str) and family not in prepared.family_index:
        raise not_found("family with that id")
    try:
        return recommend(prepared, family, k)
    except RoundError as error:
        raise _input_error(error) from None


def _input_error(error: RoundError) -> InputError:
    return InputError(
        [InputProblem("request", None, field_path(p.location), p.message) for p in error.problems]
    )
