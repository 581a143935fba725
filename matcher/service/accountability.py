"""Accountability to a municipality: the stored round and decision log of a location turned
into the figures of one municipality and period (the use case ``accountability``), for the API
and the web app alike."""

from __future__ import annotations

from matcher.db.store import DatabaseRoundStore
from matcher.io.problems import InputError, InputProblem
from matcher.usecases.accountability import (
    Accountability,
    PeriodError,
    accountability,
    municipalities,
    parse_period,
)


def municipalities_of(store: DatabaseRoundStore) -> list[str]:
    """The municipalities the location's families live in, sorted."""
    return municipalities(store.load())


def report(store: DatabaseRoundStore, municipality: str, period: str) -> Accountability:
    """The figures of ``municipality`` in ``period`` (``2026`` or ``2026-Q3``); ``InputError``
    naming the field for a period that cannot be read or a municipality the location does not
    serve."""
    try:
        chosen = parse_period(period)
    except PeriodError as error:
        raise InputError([InputProblem("query", None, "period", str(error))]) from None
    round_ = store.load()
    if municipality.strip().casefold() not in {m.casefold() for m in municipalities(round_)}:
        message = f"no family of this location lives in {municipality!r}"
        raise InputError([InputProblem("query", None, "municipality", message)])
    return accountability(round_, store.decisions(), municipality, chosen)
