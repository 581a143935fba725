"""Recommendations for one family: the best volunteers who may be proposed, with the engine's
score breakdown and reasons, and the volunteers who fail exactly one hard rule, that rule named
in words ("full (2 of 2)", "7.4 km, beyond the 5 km travel limit")."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from matcher.domain.frozen import Frozen
from matcher.domain.people import Id, Text
from matcher.domain.round import MAX_PEOPLE, ActiveMatch, SamePlaceRule
from matcher.domain.slots import mask_to_slots, slots_to_mask
from matcher.domain.vocab import Gender
from matcher.explain.proposals import pair_reasons, score_breakdown
from matcher.i18n import N_
from matcher.result import Count, ScoreBreakdown, Slots
from matcher.scoring.candidates import Candidates
from matcher.scoring.family_view import FamilyView
from matcher.scoring.one_family import FamilyPairs
from matcher.scoring.rules import Rule, rules_in
from matcher.wording import ENGLISH, Wording, wording


class Recommendation(Frozen):
    """A volunteer who may be proposed to the family: every hard rule holds."""

    volunteer_id: Id
    quality_points: Count = Field(description="the pair's quality in the solver's points")
    scores: ScoreBreakdown
    distance_km: float
    shared_slots: Slots
    reasons: Annotated[list[Text], Field(max_length=50)]


class NearMiss(Frozen):
    """A volunteer who fails exactly one hard rule: change that and they may be proposed."""

    volunteer_id: Id
    rule: Rule
    detail: Text = Field(description="the rule that fails, in words")
    quality_points: Count
    scores: ScoreBreakdown
    distance_km: float
    shared_slots: Slots


class Recommendations(Frozen):
    """Who could help one family now, best first (ties by volunteer id)."""

    family_id: Id
    in_round: bool = Field(description="one of the round's families, not only a posted record")
    active_match: ActiveMatch | None = Field(description="the family's running match, if any")
    notes: Annotated[list[Text], Field(max_length=10)]
    volunteers: Count = Field(description="volunteers in the round")
    eligible: Count = Field(description="volunteers who may be proposed (all, not only listed)")
    recommendations: Annotated[list[Recommendation], Field(max_length=MAX_PEOPLE)]
    near_misses: Annotated[list[NearMiss], Field(max_length=MAX_PEOPLE)]


def build_recommendations(
    view: FamilyView, scored: FamilyPairs, k: int, language: str = ENGLISH
) -> Recommendations:
    """The top ``k`` eligible volunteers and the top ``k`` near misses, by quality points, then
    volunteer id, their texts in ``language``."""
    words = wording(language)
    c = scored.pairs
    eligible = scored.eligible
    family = view.prepared.families[0]
    return Recommendations(
        family_id=family.id,
        in_round=view.in_round,
        active_match=view.active_match,
        notes=_notes(view, words),
        volunteers=len(view.prepared.volunteers),
        eligible=eligible.size,
        recommendations=[_recommendation(c, pair, words) for pair in _ranked(c, eligible, k)],
        near_misses=[
            _near_miss(c, pair, rules_in(int(scored.rejected[pair]))[0], words)
            for pair in _ranked(c, scored.near_misses, k)
        ],
    )


def _ranked(c: Candidates, pairs: NDArray[np.intp], k: int) -> list[int]:
    """The best ``k`` of ``pairs`` by quality points, then volunteer id. Only the pairs that
    score at least the ``k``-th best are sorted in Python (ties at the cut included)."""
    points = c.points[pairs]
    if pairs.size > k:
        cut = np.partition(points, pairs.size - k)[pairs.size - k]
        pairs, points = pairs[points >= cut], points[points >= cut]
    volunteers = c.prepared.volunteers
    keys = [
        (-score, volunteers[v].id, pair)
        for score, v, pair in zip(
            points.tolist(), c.volunteer[pairs].tolist(), pairs.tolist(), strict=True
        )
    ]
    return [pair for _, _, pair in sorted(keys)[:k]]


def _notes(view: FamilyView, words: Wording) -> list[str]:
    _ = words.gettext
    notes = []
    if view.active_match is not None:
        notes.append(
            _(
                "Already in an active match with {volunteer} on {slot}: these volunteers are a "
                "second opinion."
            ).format(
                volunteer=view.active_match.volunteer_id, slot=words.slot(view.active_match.slot)
            )
        )
    if not view.in_round:
        notes.append(_("Not a family of this round: scored against the round's volunteers."))
    return notes


# Built without re-validation, like the engine's competitors: every value comes from the
# validated round and the engine's own computations, and this is the hot path of a request.


def _recommendation(c: Candidates, pair: int, words: Wording) -> Recommendation:
    return Recommendation.model_construct(
        volunteer_id=c.prepared.volunteers[int(c.volunteer[pair])].id,
        quality_points=int(c.points[pair]),
        scores=score_breakdown(c, pair),
        distance_km=round(float(c.distance_km[pair]), 2),
        shared_slots=mask_to_slots(int(c.shared_slots[pair])),
        reasons=pair_reasons(c, pair, words),
    )


def _near_miss(c: Candidates, pair: int, rule: Rule, words: Wording) -> NearMiss:
    return NearMiss.model_construct(
        volunteer_id=c.prepared.volunteers[int(c.volunteer[pair])].id,
        rule=rule,
        detail=rule_detail(c, pair, rule, words),
        quality_points=int(c.points[pair]),
        scores=score_breakdown(c, pair),
        distance_km=round(float(c.distance_km[pair]), 2),
        shared_slots=mask_to_slots(int(c.shared_slots[pair])),
    )


GENDER_NEEDS: dict[Gender | None, str] = {
    Gender.FEMALE: N_("the family needs a female volunteer"),
    Gender.MALE: N_("the family needs a male volunteer"),
}
"""The gender rule's detail as a whole sentence, so that each language can inflect it."""


def rule_detail(c: Candidates, pair: int, rule: Rule, words: Wording | None = None) -> str:
    """How the pair fails ``rule``, in words (English without ``words``)."""
    words = words or wording()
    _ = words.gettext
    p = c.prepared
    f, v = int(c.family[pair]), int(c.volunteer[pair])
    family, volunteer = p.families[f], p.volunteers[v]
    if rule == Rule.NOT_READY:
        missing = [
            what
            for what, done in (
                (_("training"), volunteer.training_complete),
                (_("certificate of conduct (VOG)"), volunteer.vog_complete),
            )
            if not done
        ]
        return _("not ready: no {missing} yet").format(missing=words.joined(missing, _("and no")))
    if rule == Rule.NO_CAPACITY:
        taken = volunteer.capacity - int(p.volunteer_free_capacity[v])
        return _("full ({taken} of {capacity})").format(taken=taken, capacity=volunteer.capacity)
    if rule == Rule.AGE_LIMIT:
        return _outside_programme(c, f, words)
    if rule == Rule.FORBIDDEN:
        declined = any(d.volunteer_id == volunteer.id for d in p.round.declined_pairs)
        return _("declined at an earlier introduction") if declined else _("on the exclusion list")
    if rule == Rule.LANGUAGE:
        family_speaks = [code for i, code in enumerate(p.languages) if p.family_languages[f, i]]
        return _("no shared language (family: {family}; volunteer: {volunteer})").format(
            family=_names(family_speaks, words), volunteer=_names(list(volunteer.languages), words)
        )
    if rule == Rule.TRAVEL:
        return _("{km} km, beyond the {limit} km travel limit").format(
            km=words.fixed(c.distance_km[pair]), limit=words.short(p.volunteer_max_km[v])
        )
    if rule == Rule.AVAILABILITY:
        return _no_shared_half_day(c, f, v, words)
    if rule == Rule.GENDER:
        needs = GENDER_NEEDS.get(family.volunteer_gender)
        if needs is not None:
            return _(needs)
        return _("the family needs a {gender} volunteer").format(gender=family.volunteer_gender)
    if rule == Rule.PETS:
        return _("has pets; the family needs a home without pets")
    if rule == Rule.SMOKING:
        return _("smokes; the family needs a non-smoker")
    if p.round.policy.same_place == SamePlaceRule.STREET:
        return _("lives in the same street (conflict of interest)")
    return _("lives in the same postcode area (conflict of interest)")


def _outside_programme(c: Candidates, f: int, words: Wording) -> str:
    _ = words.gettext
    p = c.prepared
    stage = p.family_stages[f]
    if stage.youngest_age is not None:
        return _(
            "family outside the programme: youngest child {age} years, age limit {limit}"
        ).format(age=words.fixed(stage.youngest_age), limit=p.families[f].age_limit)
    return _(
        "family outside the programme: pregnancy at {weeks} weeks, support starts at {start}"
    ).format(
        weeks=words.fixed(stage.pregnancy_weeks or 0.0, 0),
        start=p.round.policy.min_pregnancy_weeks,
    )


def _no_shared_half_day(c: Candidates, f: int, v: int, words: Wording) -> str:
    """No shared free half-day, and which shared ones the volunteer's active matches hold."""
    _ = words.gettext
    p = c.prepared
    held = int(p.family_slots[f]) & slots_to_mask(p.volunteers[v].slots)
    if held == 0:
        return _("no shared half-day")
    return _("no shared half-day free: {slots} taken by an active match").format(
        slots=words.slots(mask_to_slots(held))
    )


def _names(codes: list[str], words: Wording) -> str:
    return ", ".join(words.language_name(code) for code in codes)
