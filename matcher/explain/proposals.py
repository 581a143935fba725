"""Proposals with their score breakdown and plain-language reasons."""

from __future__ import annotations

import math

import numpy as np

from matcher.domain.prepared import AGE_GROUPS, THEMES
from matcher.domain.slots import SLOT_NAMES, mask_to_slots
from matcher.domain.vocab import THEME_LABELS, AgeGroup
from matcher.result import Proposal, ScoreBreakdown
from matcher.scoring.candidates import Candidates
from matcher.wording import ENGLISH, Wording, wording


def build_proposals(
    candidates: Candidates, slots: dict[int, int], language: str = ENGLISH
) -> list[Proposal]:
    """One proposal per chosen pair, in family input order, its reasons in ``language``."""
    words = wording(language)
    return [_proposal(candidates, pair, slot, words) for pair, slot in sorted(slots.items())]


def score_breakdown(candidates: Candidates, pair: int) -> ScoreBreakdown:
    """The terms of one candidate pair, rounded for people (None where a term does not apply)."""
    terms = {
        name: None if math.isnan(values[pair]) else round(float(values[pair]), 3)
        for name, values in candidates.terms.items()
    }
    return ScoreBreakdown(**terms, quality=round(float(candidates.quality[pair]), 3))


def _proposal(c: Candidates, pair: int, slot: int, words: Wording) -> Proposal:
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
        reasons=pair_reasons(c, pair, words),
    )


def pair_reasons(c: Candidates, pair: int, words: Wording | None = None) -> list[str]:
    """Why this pair fits, one short phrase per criterion (in English without ``words``)."""
    words = words or wording()
    _, ngettext = words.gettext, words.ngettext
    p = c.prepared
    f, v = int(c.family[pair]), int(c.volunteer[pair])
    family, volunteer = p.families[f], p.volunteers[v]
    reasons = [_language_reason(c, f, v, words)]
    reasons.append(
        _("{km} km apart (volunteer's limit {limit} km)").format(
            km=words.fixed(c.distance_km[pair]), limit=words.short(p.volunteer_max_km[v])
        )
    )
    shared = len(mask_to_slots(int(c.shared_slots[pair])))
    reasons.append(ngettext("{n} shared half-day", "{n} shared half-days", shared).format(n=shared))
    ages = [_age_label(g, words) for i, g in enumerate(AGE_GROUPS) if p.family_age_groups[f, i]]
    known = [
        _age_label(g, words)
        for i, g in enumerate(AGE_GROUPS)
        if p.family_age_groups[f, i] and p.volunteer_age_groups[v, i]
    ]
    if known:
        reasons.append(_("volunteer has experience with {what}").format(what=", ".join(known)))
    elif ages:
        reasons.append(_("volunteer has no experience with {what}").format(what=", ".join(ages)))
    themes = [
        _(THEME_LABELS[t])
        for i, t in enumerate(THEMES)
        if p.family_theme_weights[f, i] > 0 and p.volunteer_themes[v, i]
    ]
    if themes:
        reasons.append(_("volunteer has experience with {what}").format(what=", ".join(themes)))
    elif family.themes:
        reasons.append(_("volunteer has no experience with the family's questions"))
    preferences = c.terms["preferences"][pair]
    if not np.isnan(preferences):
        reasons.append(
            _("meets {share} of the family's soft wishes").format(share=words.percent(preferences))
        )
    if family.rematch:
        reasons.append(_("family is re-matched after a volunteer stopped"))
    weeks = int(p.family_weeks_waiting[f])
    reasons.append(
        ngettext("family has waited {n} week", "family has waited {n} weeks", weeks).format(n=weeks)
    )
    if volunteer.capacity > 1:
        reasons.append(_("volunteer can support {n} families").format(n=volunteer.capacity))
    return reasons


def _age_label(group: AgeGroup, words: Wording) -> str:
    if group == AgeGroup.PREGNANCY:
        return words.gettext("pregnancy")
    return words.gettext("children aged {group}").format(group=group)


def _language_reason(c: Candidates, f: int, v: int, words: Wording) -> str:
    _ = words.gettext
    p = c.prepared
    home = [
        words.language_name(code)
        for i, code in enumerate(p.languages)
        if p.family_home_languages[f, i] and p.volunteer_languages[v, i]
    ]
    if home:
        return _("both speak {languages}").format(languages=words.joined(home, _("and")))
    if np.any(p.family_languages[f] & p.volunteer_languages[v]):
        return _("they share Dutch, not the family's home language")
    return _("they share no language (the language rule is off)")
