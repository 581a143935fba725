"""Distributions for synthetic rounds, from the programme's public figures (DOMAIN.md) where
they exist and stated as estimates where they do not."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from matcher.domain.slots import SLOT_NAMES
from matcher.domain.vocab import AgeGroup, Theme

# Families
NO_DUTCH_SHARE = 0.22  # estimate: families who need a volunteer speaking their language
SECOND_HOME_LANGUAGE_SHARE = 0.15  # Dutch-speaking families with another home language
SINGLE_PARENT_SHARE = 0.32  # 30-35 % single parents
REMATCH_SHARE = 0.08  # re-opened after a volunteer stopped (20-26 % volunteer churn a year)
PREGNANCY_SHARE = 0.12
AGED_OUT_SHARE = 0.04  # youngest child already 6+: exercises the age-limit rule
YOUNGEST_MAX_YEARS = 5.9
MEAN_WAITING_WEEKS = 8.0  # exponential, capped at 40 weeks
GENDER_WISH_SHARE = 0.15
NO_PETS_SHARE = 0.08
NON_SMOKER_SHARE = 0.15
DECLINED_SHARE = 0.02
CHILD_COUNTS = {"1": 0.45, "2": 0.35, "3": 0.15, "4": 0.05}
AGE_LIMITS = {"6": 0.85, "14": 0.1, "17": 0.05}  # municipalities that extend the programme
THEME_PRIORITIES = {"high": 0.35, "medium": 0.45, "low": 0.2}

# Home languages besides Dutch, most common first (ISO 639; Berber and Arabic kept apart).
HOME_LANGUAGES = {
    "ar": 0.22,
    "tr": 0.16,
    "en": 0.12,
    "rif": 0.09,
    "pl": 0.09,
    "ti": 0.08,
    "prs": 0.06,
    "uk": 0.08,
    "so": 0.05,
    "pap": 0.05,
}

# Volunteers
VOLUNTEER_SECOND_LANGUAGE_SHARE = 0.22
CAPACITIES = {"1": 0.7, "2": 0.25, "3": 0.05}
TRAVEL_MODES = {"bike": 0.65, "car": 0.25, "public_transport": 0.08, "walk": 0.02}
EXPLICIT_TRAVEL_SHARE = 0.3  # state their own limit (5-20 km) instead of the mode's default
READY_SHARE = 0.95  # training and certificate of conduct complete
VOLUNTEER_GENDERS = {"female": 0.88, "male": 0.1, "unspecified": 0.02}
SMOKER_SHARE = 0.08
PETS_SHARE = 0.3

AGE_GROUP_NAMES = tuple(str(g) for g in AgeGroup)
THEME_NAMES = tuple(str(t) for t in Theme)

POSTCODE_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
UNUSED_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})


def _slot_popularity() -> NDArray[np.float64]:
    """Weekday mornings and afternoons are most offered; evenings less; weekends rarely."""
    weights = []
    for name in SLOT_NAMES:
        day, part = name.split("-")
        weekday = day not in ("sat", "sun")
        weights.append(
            {"morning": 3.0, "afternoon": 2.5, "evening": 1.0}[part] * (1 if weekday else 0.2)
        )
    array = np.array(weights)
    popularity: NDArray[np.float64] = array / array.sum()
    return popularity


SLOT_POPULARITY = _slot_popularity()
