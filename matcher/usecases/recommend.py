"""Who could help one family now: recommendations without solving the round.

For a family of a prepared round, or a record a case system posts, the best volunteers who may
be proposed (every hard rule of the round holds) and the volunteers who fail exactly one rule,
with the engine's own rule checks, scores and reasons. One family against the round's
volunteers, so an answer takes about a millisecond once the round is prepared.
"""

from __future__ import annotations

from matcher.domain.people import Family
from matcher.domain.prepared import PreparedRound
from matcher.errors import Problem, RoundError
from matcher.explain.recommendation import Recommendations, build_recommendations
from matcher.scoring.family_view import family_view
from matcher.scoring.one_family import score_family

DEFAULT_K = 10


def recommend(
    prepared: PreparedRound, family: Family | str, k: int = DEFAULT_K, language: str = "en"
) -> Recommendations:
    """The top ``k`` volunteers for ``family`` (an id of the round, or a posted ``Family``) and
    the top ``k`` who fail one hard rule, their texts in ``language``. ``RoundError`` naming the
    field when ``family`` is an unknown id or a record the round cannot use, or ``k`` is not a
    whole number of at least 1."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise RoundError([Problem(("k",), f"must be a whole number of at least 1 (got {k!r})")])
    view = family_view(prepared, family)
    scored = score_family(view.prepared, view.waiting_families)
    return build_recommendations(view, scored, k, language)
