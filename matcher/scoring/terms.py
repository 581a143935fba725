"""Quality terms of a family-volunteer pair, each in 0..1, vectorised over candidate pairs.

Every function takes the prepared round and the arrays ``f``, ``v`` (one entry per pair) and
returns one value per pair, or NaN where the term does not apply to that family (no stated
themes, no soft preferences); a pair's quality is the weighted mean of the terms that apply.

- language:     1 if the volunteer speaks one of the family's home languages, 0.5 if they share
                only Dutch, 0 if they share none (only possible when the language rule is off).
- distance:     1 - d / limit, at least 0; ``limit`` is the volunteer's travel limit.
- availability: min(shared half-days, saturation) / saturation (3 by default).
- child_ages:   share of the family's age groups the volunteer has experience with.
- themes:       priority-weighted share of the family's questions in the volunteer's experience
                (high 3, medium 2, low 1).
- preferences:  share of the family's soft preferences (gender, no pets, non-smoker) met.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from matcher.domain.prepared import PreparedRound
from matcher.domain.vocab import Gender, Strength

FloatArray = NDArray[np.float64]
Index = NDArray[np.intp]


def language_term(p: PreparedRound, f: Index, v: Index, distance: FloatArray) -> FloatArray:
    """1 for a shared home language, 0.5 for Dutch only, 0 for nothing shared."""
    home = np.einsum("pl,pl->p", p.family_home_languages[f], p.volunteer_languages[v]) > 0
    any_shared = np.einsum("pl,pl->p", p.family_languages[f], p.volunteer_languages[v]) > 0
    return np.where(home, 1.0, np.where(any_shared, 0.5, 0.0))


def distance_term(p: PreparedRound, f: Index, v: Index, distance: FloatArray) -> FloatArray:
    """Linear decay from 1 at the family's door to 0 at the volunteer's travel limit."""
    term: FloatArray = np.clip(1.0 - distance / p.volunteer_max_km[v], 0.0, 1.0)
    return term


def availability_term(p: PreparedRound, f: Index, v: Index, distance: FloatArray) -> FloatArray:
    """More shared half-days make a sturdier match, up to the policy's saturation."""
    shared = p.family_slots[f] & p.volunteer_free_slots[v]
    count = np.bitwise_count(shared.astype(np.uint64)).astype(np.float64)
    saturation = p.round.policy.availability_saturation
    term: FloatArray = np.minimum(count, saturation) / saturation
    return term


def child_ages_term(p: PreparedRound, f: Index, v: Index, distance: FloatArray) -> FloatArray:
    """Share of the family's child age groups the volunteer has experience with."""
    # Count in floats: a boolean einsum would saturate at True (1).
    wanted = p.family_age_groups[f].astype(np.float64)
    covered = np.einsum("pa,pa->p", wanted, p.volunteer_age_groups[v].astype(np.float64))
    total = wanted.sum(axis=1)
    term: FloatArray = np.where(total > 0, covered / np.maximum(total, 1), np.nan)
    return term


def themes_term(p: PreparedRound, f: Index, v: Index, distance: FloatArray) -> FloatArray:
    """Priority-weighted share of the family's questions the volunteer knows about."""
    weights = p.family_theme_weights[f]
    covered = np.einsum("pt,pt->p", weights, p.volunteer_themes[v].astype(np.float64))
    total = weights.sum(axis=1)
    term: FloatArray = np.where(total > 0, covered / np.maximum(total, 1), np.nan)
    return term


def preferences_term(p: PreparedRound, f: Index, v: Index, distance: FloatArray) -> FloatArray:
    """Share of the family's soft wishes met (hard wishes are rules, not scores)."""
    families = p.families
    volunteers = p.volunteers
    gender_wish = np.array(
        [
            x.volunteer_gender if x.volunteer_gender_rule == Strength.SOFT else None
            for x in families
        ],
        dtype=object,
    )
    soft_pets = np.array([x.no_pets == Strength.SOFT for x in families], dtype=bool)
    soft_smoke = np.array([x.non_smoker == Strength.SOFT for x in families], dtype=bool)
    gender = np.array([x.gender for x in volunteers] or [Gender.UNSPECIFIED], dtype=object)
    pets = np.array([x.has_pets for x in volunteers] or [False], dtype=bool)
    smokes = np.array([x.smokes for x in volunteers] or [False], dtype=bool)

    has_gender_wish = np.array([w is not None for w in gender_wish], dtype=bool)[f]
    wishes = has_gender_wish.astype(np.float64) + soft_pets[f] + soft_smoke[f]
    met = (
        (has_gender_wish & (gender_wish[f] == gender[v])).astype(np.float64)
        + (soft_pets[f] & ~pets[v])
        + (soft_smoke[f] & ~smokes[v])
    )
    term: FloatArray = np.where(wishes > 0, met / np.maximum(wishes, 1), np.nan)
    return term


Term = Callable[[PreparedRound, Index, Index, FloatArray], FloatArray]

TERMS: dict[str, Term] = {
    "language": language_term,
    "distance": distance_term,
    "availability": availability_term,
    "child_ages": child_ages_term,
    "themes": themes_term,
    "preferences": preferences_term,
}
"""The quality terms by name; each name is also a field of ``Weights``."""


def weighted_quality(terms: dict[str, FloatArray], weights: dict[str, float]) -> FloatArray:
    """Weighted mean of the terms that apply (NaN terms and zero weights are left out)."""
    size = len(next(iter(terms.values()))) if terms else 0
    numerator = np.zeros(size)
    denominator = np.zeros(size)
    for name, values in terms.items():
        weight = weights[name]
        if weight <= 0:
            continue
        applies = ~np.isnan(values)
        numerator += np.where(applies, values, 0.0) * weight
        denominator += applies * weight
    quality: FloatArray = np.where(denominator > 0, numerator / np.maximum(denominator, 1e-12), 0.0)
    return quality
