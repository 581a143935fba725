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
from matcher.domain.vocab import language_name
from matcher.explain.proposals import pair_reasons, score_breakdown
from matcher.result import Count, ScoreBreakdown, Slots
from matcher.scoring.candidates import Candidates
from matcher.scoring.family_view import FamilyView
from matcher.scoring.one_family import FamilyPairs
from matcher.scoring.rules import Rule, rules_in


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


def build_recommendations(view: FamilyView, scored: FamilyPairs, k: int) -> Recommendations:
    """The top ``k`` eligible volunteers and the top ``k`` near misses, by quality points, then
    volunteer id."""
    c = scored.pairs
    eligible = scored.eligible
    family = view.prepared.families[0]
    return Recommendations(
        family_id=family.id,
        in_round=view.in_round,
        active_match=view.active_match,
        notes=_notes(view),
        volunteers=len(view.prepared.volunteers),
        eligible=eligible.size,
        recommendations=[_recommendation(c, pair) for pair in _ranked(c, eligible, k)],
        near_misses=[
            _near_miss(c, pair, rules_in(int(scored.rejected[pair]))[0])
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


def _notes(view: FamilyView) -> list[str]:
    notes = []
    if view.active_match is not None:
        notes.append(
            f"Already in an active match with {view.active_match.volunteer_id} on "
            f"{view.active_match.slot}: these volunteers are a second opinion."
        )
    if not view.in_round:
        notes.append("Not a family of this round: scored against the round's volunteers.")
    return notes


# Built without re-validation, like the engine's competitors: every value comes from the
# validated round and the engine's own computations, and this is the hot path of a request.


def _recommendation(c: Candidates, pair: int) -> Recommendation:
    return Recommendation.model_construct(
        volunteer_id=c.prepared.volunteers[int(c.volunteer[pair])].id,
        quality_points=int(c.points[pair]),
        scores=score_breakdown(c, pair),
        distance_km=round(float(c.distance_km[pair]), 2),
        shared_slots=mask_to_slots(int(c.shared_slots[pair])),
        reasons=pair_reasons(c, pair),
    )


def _near_miss(c: Candidates, pair: int, rule: Rule) -> NearMiss:
    return NearMiss.model_construct(
        volunteer_id=c.prepared.volunteers[int(c.volunteer[pair])].id,
        rule=rule,
        detail=rule_detail(c, pair, rule),
        quality_points=int(c.points[pair]),
        scores=score_breakdown(c, pair),
        distance_km=round(float(c.distance_km[pair]), 2),
        shared_slots=mask_to_slots(int(c.shared_slots[pair])),
    )


def rule_detail(c: Candidates, pair: int, rule: Rule) -> str:
    """How the pair fails ``rule``, in words."""
    p = c.prepared
    f, v = int(c.family[pair]), int(c.volunteer[pair])
    family, volunteer = p.families[f], p.volunteers[v]
    if rule == Rule.NOT_READY:
        missing = [
            what
            for what, done in (
                ("training", volunteer.training_complete),
                ("certificate of conduct (VOG)", volunteer.vog_complete),
            )
            if not done
        ]
        return f"not ready: no {' and no '.join(missing)} yet"
    if rule == Rule.NO_CAPACITY:
        taken = volunteer.capacity - int(p.volunteer_free_capacity[v])
        return f"full ({taken} of {volunteer.capacity})"
    if rule == Rule.AGE_LIMIT:
        return _outside_programme(c, f)
    if rule == Rule.FORBIDDEN:
        declined = any(d.volunteer_id == volunteer.id for d in p.round.declined_pairs)
        return "declined at an earlier introduction" if declined else "on the exclusion list"
    if rule == Rule.LANGUAGE:
        family_speaks = [code for i, code in enumerate(p.languages) if p.family_languages[f, i]]
        return (
            f"no shared language (family: {_names(family_speaks)}; "
            f"volunteer: {_names(list(volunteer.languages))})"
        )
    if rule == Rule.TRAVEL:
        return f"{c.distance_km[pair]:.1f} km, beyond the {p.volunteer_max_km[v]:g} km travel limit"
    if rule == Rule.AVAILABILITY:
        return _no_shared_half_day(c, f, v)
    if rule == Rule.GENDER:
        return f"the family needs a {family.volunteer_gender} volunteer"
    if rule == Rule.PETS:
        return "has pets; the family needs a home without pets"
    if rule == Rule.SMOKING:
        return "smokes; the family needs a non-smoker"
    place = "street" if p.round.policy.same_place == SamePlaceRule.STREET else "postcode area"
    return f"lives in the same {place} (conflict of interest)"


def _outside_programme(c: Candidates, f: int) -> str:
    p = c.prepared
    stage = p.family_stages[f]
    if stage.youngest_age is not None:
        return (
            f"family outside the programme: youngest child {stage.youngest_age:.1f} years, "
            f"age limit {p.families[f].age_limit}"
        )
    return (
        f"family outside the programme: pregnancy at {stage.pregnancy_weeks or 0.0:.0f} weeks, "
        f"support starts at {p.round.policy.min_pregnancy_weeks}"
    )


def _no_shared_half_day(c: Candidates, f: int, v: int) -> str:
    """No shared free half-day, and which shared ones the volunteer's active matches hold."""
    p = c.prepared
    held = int(p.family_slots[f]) & slots_to_mask(p.volunteers[v].slots)
    if held == 0:
        return "no shared half-day"
    return f"no shared half-day free: {' '.join(mask_to_slots(held))} taken by an active match"


def _names(codes: list[str]) -> str:
    return ", ".join(language_name(code) for code in codes)
