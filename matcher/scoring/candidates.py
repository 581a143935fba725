"""Candidate pairs: every waiting family x volunteer that passes all hard rules, with its terms,
quality and objective weight, as flat numpy arrays (one entry per pair).

Only pairs within travel reach are looked at (``matcher.geo.reach``): the rules that need no
distance run first, the exact distance only for the pairs they leave, so time and memory grow
with the pairs near each other, not with families x volunteers.

A pair whose quality is below the policy's ``min_quality`` is not a candidate either; how many
such poor fits each family had is kept, so that a family left with none can be told why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from matcher.domain.prepared import PreparedRound
from matcher.domain.round import Policy
from matcher.geo.distance import pairwise_km
from matcher.geo.reach import pairs_in_reach
from matcher.scoring.rules import (
    FAMILY_RULES,
    RULES,
    VOLUNTEER_RULES,
    Rule,
    RuleFacts,
    pair_rejections,
    rule_facts,
)
from matcher.scoring.scale import QUALITY_SCALE, priority_multiplier, quality_points
from matcher.scoring.terms import TERMS, weighted_quality

TERM_CHUNK = 500_000
"""Pairs scored at once: bounds the memory of the per-pair term arrays."""

PairRules = tuple[Rule, ...]

PAIR_RULES = tuple(
    rule for rule in RULES if rule not in (*VOLUNTEER_RULES, *FAMILY_RULES, Rule.TRAVEL)
)
"""Rules checked per pair before any exact distance is computed."""


@dataclass(frozen=True)
class Candidates:
    """Allowed pairs, sorted by family then volunteer (input order)."""

    prepared: PreparedRound
    family: NDArray[np.intp]
    volunteer: NDArray[np.intp]
    shared_slots: NDArray[np.int64]  # bitmask of half-days both are free
    distance_km: NDArray[np.float64]
    terms: dict[str, NDArray[np.float64]]  # NaN where a term does not apply
    quality: NDArray[np.float64]  # 0..1
    points: NDArray[np.int64]  # quality in solver points
    weight: NDArray[np.int64]  # objective coefficient: multiplier * priority + points
    multiplier: int
    facts: RuleFacts  # what the rules compare: explanations re-run them for a few families
    poor_fits: NDArray[np.int64]  # per family: pairs passing every rule but below min_quality
    best_poor_fit: NDArray[np.float64]  # per family: the best quality among those (0 if none)

    def __len__(self) -> int:
        return len(self.family)


def score_candidates(prepared: PreparedRound) -> Candidates:
    """Find the pairs within reach that pass every hard rule, then score them."""
    facts = rule_facts(prepared)
    f, v, distance = allowed_pairs(facts)
    return candidates_of(facts, f, v, distance, terms_of(prepared, f, v, distance))


def min_points(policy: Policy) -> int:
    """The policy's minimum quality in solver points: a pair below it is no candidate."""
    return int(quality_points(np.array([policy.min_quality]))[0])


def candidates_of(
    facts: RuleFacts,
    f: NDArray[np.intp],
    v: NDArray[np.intp],
    distance: NDArray[np.float64],
    terms: dict[str, NDArray[np.float64]],
) -> Candidates:
    """The candidates of the pairs ``(f, v)`` that pass every hard rule (sorted by family then
    volunteer), given their exact distances and terms: quality, points and weights, with the
    pairs below the policy's ``min_quality`` left out and counted per family."""
    prepared = facts.prepared
    weights = prepared.round.weights.model_dump()
    quality = weighted_quality(terms, weights)
    points = quality_points(quality)
    good = points >= min_points(prepared.round.policy)
    poor_fits = np.bincount(f[~good], minlength=len(prepared.families)).astype(np.int64)
    best_poor_fit = np.zeros(len(prepared.families))
    np.maximum.at(best_poor_fit, f[~good], quality[~good])
    if not good.all():
        f, v, distance = f[good], v[good], distance[good]
        quality, points = quality[good], points[good]
        terms = {name: values[good] for name, values in terms.items()}
    multiplier = priority_multiplier(int(prepared.family_waiting.sum()))
    return Candidates(
        prepared=prepared,
        family=f,
        volunteer=v,
        shared_slots=prepared.family_slots[f] & prepared.volunteer_free_slots[v],
        distance_km=distance,
        terms=terms,
        quality=quality,
        points=points,
        weight=multiplier * prepared.family_priority[f] + points,
        multiplier=multiplier,
        facts=facts,
        poor_fits=poor_fits,
        best_poor_fit=best_poor_fit,
    )


def best_fit_order(c: Candidates) -> NDArray[np.intp]:
    """Pair indices by family, the best fit (most points) first, then in input order: one
    stable sort of one integer key, since the pairs are sorted by family then volunteer and
    points lie in 0..QUALITY_SCALE."""
    key = c.family.astype(np.int64) * (QUALITY_SCALE + 1) + (QUALITY_SCALE - c.points)
    order: NDArray[np.intp] = np.argsort(key, kind="stable")
    return order


def allowed_pairs(
    facts: RuleFacts,
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """``(f, v, exact km)`` of every waiting family and volunteer that break no hard rule,
    sorted by family then volunteer."""
    p = facts.prepared
    families = passing(facts, len(p.families), FAMILY_RULES, by_family=True)
    families = families[p.family_waiting[families]]
    volunteers = passing(facts, len(p.volunteers), VOLUNTEER_RULES, by_family=False)
    f, v, km = pairs_among(facts, families, volunteers, PAIR_RULES)
    order = np.lexsort((v, f))
    return f[order], v[order], km[order]


def pairs_among(
    facts: RuleFacts, families: NDArray[np.intp], volunteers: NDArray[np.intp], rules: PairRules
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """``(f, v, exact km)`` of the given families and volunteers that are within travel reach
    and break none of ``rules`` (in no particular order)."""
    p = facts.prepared
    no_pairs = np.zeros(0, dtype=np.intp)
    limit = p.volunteer_max_km
    if not p.round.policy.enforce_travel_limit:
        limit = np.full_like(limit, np.inf)
    found_f, found_v, found_d = [no_pairs], [no_pairs], [np.zeros(0)]
    for f, v in pairs_in_reach(facts.plane, limit, families, volunteers):
        keep = pair_rejections(facts, f, v, _nowhere(f.size), rules) == 0
        f, v = f[keep], v[keep]
        distance = pairwise_km(
            p.family_lat[f], p.family_lon[f], p.volunteer_lat[v], p.volunteer_lon[v]
        )
        near = pair_rejections(facts, f, v, distance, (Rule.TRAVEL,)) == 0
        found_f.append(f[near])
        found_v.append(v[near])
        found_d.append(distance[near])
    km: NDArray[np.float64] = np.concatenate(found_d)
    return np.concatenate(found_f).astype(np.intp), np.concatenate(found_v).astype(np.intp), km


def passing(facts: RuleFacts, count: int, rules: PairRules, by_family: bool) -> NDArray[np.intp]:
    """The families (or volunteers) that pass ``rules``, which depend on them alone."""
    people = np.arange(count)
    anyone = np.zeros(count, dtype=np.intp)  # the rules in question never look at the other side
    f, v = (people, anyone) if by_family else (anyone, people)
    passing: NDArray[np.intp] = people[pair_rejections(facts, f, v, _nowhere(count), rules) == 0]
    return passing


def _nowhere(size: int) -> NDArray[np.float64]:
    """Distances for rules that need none."""
    return np.full(size, np.nan)


def terms_of(
    p: PreparedRound,
    f: NDArray[np.intp],
    v: NDArray[np.intp],
    distance: NDArray[np.float64],
    names: tuple[str, ...] = tuple(TERMS),
) -> dict[str, NDArray[np.float64]]:
    """The quality terms ``names`` (default: every one) of the pairs, a chunk at a time."""
    terms = {name: np.empty(f.size) for name in names}
    for first in range(0, max(f.size, 1), TERM_CHUNK):
        part = slice(first, first + TERM_CHUNK)
        for name in names:
            terms[name][part] = TERMS[name](p, f[part], v[part], distance[part])
    return terms
