"""Proposals with their score breakdown and plain-language reasons."""

from __future__ import annotations

import math

import numpy as np

from matcher.domain.prepared import AGE_GROUPS, THEMES
from matcher.domain.slots import SLOT_NAMES, mask_to_slots
from matcher.domain.vocab import THEME_LABELS, AgeGroup, language_name
from matcher.result import Proposal, ScoreBreakdown
from matcher.scoring.candidates import Candidates


def build_proposals(candidates: Candidates, slots: dict[int, int]) -> list[Proposal]:
    """One proposal per chosen pair, in family input order."""
    return [_proposal(candidates, pair, slot) for pair, slot in sorted(slots.items())]


def score_breakdown(candidates: Candidates, pair: int) -> ScoreBreakdown:
    """The terms of one candidate pair, rounded for people (None where a term does not apply)."""
    terms = {
        name: None if math.isnan(values[pair]) else round(float(values[pair]), 3)
        for name, values in candidates.terms.items()
    }
    return ScoreBreakdown(**terms, quality=round(float(candidates.quality[pair]), 3))


def _proposal(c: Candidates, pair: int, slot: int) -> Proposal:
    p = c.prepared
    f, v = int(c.family[pair]), int(c.volunteer[pair])
    return Proposal(
        family_id=p.families[f].id,
        volunteer_id=p.volunteers[v].id,
        slot=SLOT_NAMES[slot],
        other_shared_slots=mask_to_slots(int(c.shared_slots[pair]) & ~(1 << slot)),
        distance_km=round(float(c.distance_km[pair]), 2),
        quality_points=int(c.points[pair]),
        family_priority=int(p.family_priority[f]),
        scores=score_breakdown(c, pair),
        reasons=pair_reasons(c, pair),
    )


def pair_reasons(c: Candidates, pair: int) -> list[str]:
    """Why this pair fits, one short phrase per criterion."""
    p = c.prepared
    f, v = int(c.family[pair]), int(c.volunteer[pair])
    family, volunteer = p.families[f], p.volunteers[v]
    reasons = [_language_reason(c, f, v)]
    reasons.append(
        f"{c.distance_km[pair]:.1f} km apart (volunteer's limit {p.volunteer_max_km[v]:g} km)"
    )
    shared = mask_to_slots(int(c.shared_slots[pair]))
    reasons.append(f"{len(shared)} shared half-day{'s' if len(shared) != 1 else ''}")
    ages = [_age_label(g) for i, g in enumerate(AGE_GROUPS) if p.family_age_groups[f, i]]
    known = [
        _age_label(g)
        for i, g in enumerate(AGE_GROUPS)
        if p.family_age_groups[f, i] and p.volunteer_age_groups[v, i]
    ]
    if known:
        reasons.append(f"volunteer has experience with {', '.join(known)}")
    elif ages:
        reasons.append(f"volunteer has no experience with {', '.join(ages)}")
    themes = [
        THEME_LABELS[t]
        for i, t in enumerate(THEMES)
        if p.family_theme_weights[f, i] > 0 and p.volunteer_themes[v, i]
    ]
    if themes:
        reasons.append(f"volunteer has experience with {', '.join(themes)}")
    elif family.themes:
        reasons.append("volunteer has no experience with the family's questions")
    preferences = c.terms["preferences"][pair]
    if not np.isnan(preferences):
        reasons.append(f"meets {preferences:.0%} of the family's soft wishes")
    if family.rematch:
        reasons.append("family is re-matched after a volunteer stopped")
    weeks = int(p.family_weeks_waiting[f])
    reasons.append(f"family has waited {weeks} week{'s' if weeks != 1 else ''}")
    if volunteer.capacity > 1:
        reasons.append(f"volunteer can support {volunteer.capacity} families")
    return reasons


def _age_label(group: AgeGroup) -> str:
    return "pregnancy" if group == AgeGroup.PREGNANCY else f"children aged {group}"


def _language_reason(c: Candidates, f: int, v: int) -> str:
    p = c.prepared
    home = [
        language_name(code)
        for i, code in enumerate(p.languages)
        if p.family_home_languages[f, i] and p.volunteer_languages[v, i]
    ]
    if home:
        return f"both speak {' and '.join(home)}"
    if np.any(p.family_languages[f] & p.volunteer_languages[v]):
        return "they share Dutch, not the family's home language"
    return "they share no language (the language rule is off)"
