"""Whether a result's proposals still hold for the round as it is now.

``tie_to_round`` compares the result's fingerprint (``matcher.fingerprint``) with the round: a
result of another round, or one whose proposed family or volunteer changed or left since the
solve, is refused. ``broken_rules`` re-checks each proposed pair against every hard rule of the
round as it is now (status, closed family, capacity, the weekly slot, declined and excluded pairs,
language, travel, ...), with the engine's own rules, so a decision never rests on a round that
has moved on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

import numpy as np
from pydantic import BaseModel

from matcher.domain.prepared import PreparedRound
from matcher.domain.round import Round
from matcher.domain.slots import SLOT_INDEX
from matcher.fingerprint import SCHEMA_VERSION, record_digest, round_digest
from matcher.geo.distance import pairwise_km
from matcher.lifecycle.decisions import DecisionError
from matcher.result import Proposal, SolveResult
from matcher.scoring.rules import RULES, Rule, pair_rejections, rule_facts, rules_in


class Tie(StrEnum):
    """How a result is tied to the round it is used on."""

    SAME_ROUND = "same_round"  # nothing changed since the solve
    PEOPLE_UNCHANGED = "people_unchanged"  # the round changed, the proposed people did not
    UNKNOWN = "unknown"  # no fingerprint (an older result): only the hard rules are checked


RULE_TEXT = {
    Rule.NOT_READY: "the volunteer's training or certificate of conduct (VOG) is not complete",
    Rule.NO_CAPACITY: "the volunteer has no free place",
    Rule.AGE_LIMIT: "the family is outside the programme's age limit",
    Rule.FORBIDDEN: "the pair is now declined or excluded",
    Rule.LANGUAGE: "they share no language",
    Rule.TRAVEL: "the distance is over the volunteer's travel limit",
    Rule.AVAILABILITY: "they share no free half-day",
    Rule.GENDER: "the family's wish for the volunteer's gender",
    Rule.PETS: "the family must avoid pets",
    Rule.SMOKING: "the family requires a non-smoker",
    Rule.SAME_PLACE: "they live in the same place",
}
assert set(RULE_TEXT) == set(RULES)

SOLVE_AGAIN = "solve the round again and decide on the new result"


def tie_to_round(result: SolveResult, round_: Round, proposals: Sequence[Proposal]) -> Tie:
    """How ``result`` is tied to ``round_``; ``DecisionError`` when it was solved from another
    round, or when a family or volunteer of ``proposals`` changed or left since the solve. (A
    proposal naming someone the fingerprint does not list, as in a result edited by hand, is
    left to the hard rules.)"""
    fingerprint = result.round_fingerprint
    if fingerprint is None or fingerprint.schema_version != SCHEMA_VERSION:
        return Tie.UNKNOWN
    if fingerprint.round == round_digest(round_):
        return Tie.SAME_ROUND
    families = _unchanged({f.id: f for f in round_.families}, fingerprint.families)
    volunteers = _unchanged({v.id: v for v in round_.volunteers}, fingerprint.volunteers)
    if not families and not volunteers:
        raise DecisionError(
            "this result was not solved from this round: none of the families and volunteers "
            "it proposes is in the round as it was solved (a result of another round, or of an "
            f"older version of this one); {SOLVE_AGAIN}"
        )
    present = {
        "family": {f.id for f in round_.families},
        "volunteer": {v.id for v in round_.volunteers},
    }
    changed = []
    for proposal in proposals:
        for kind, listed, same, id_ in (
            ("family", fingerprint.families, families, proposal.family_id),
            ("volunteer", fingerprint.volunteers, volunteers, proposal.volunteer_id),
        ):
            if id_ not in present[kind]:
                changed.append(f"{kind} {id_!r} is no longer in the round")
            elif id_ in listed and id_ not in same:
                changed.append(f"{kind} {id_!r} changed since the solve")
    if changed:
        raise DecisionError(f"{_listed(changed)}; {SOLVE_AGAIN}")
    return Tie.PEOPLE_UNCHANGED


def broken_rules(prepared: PreparedRound, proposals: Sequence[Proposal]) -> list[list[str]]:
    """For each proposal, what stands in the way of it becoming a new match now (empty: it
    may): the people's status, an active match the family already has, the volunteer's free
    places and the proposed weekly slot, and every hard rule of the engine."""
    round_ = prepared.round
    problems: list[list[str]] = [[] for _ in proposals]
    known = [
        i
        for i, p in enumerate(proposals)
        if p.family_id in prepared.family_index and p.volunteer_id in prepared.volunteer_index
    ]
    for i, p in enumerate(proposals):
        if p.family_id not in prepared.family_index:
            problems[i].append(f"family {p.family_id!r} is no longer in the round")
        if p.volunteer_id not in prepared.volunteer_index:
            problems[i].append(f"volunteer {p.volunteer_id!r} is no longer in the round")
    if not known:
        return problems
    f = np.array([prepared.family_index[proposals[i].family_id] for i in known], dtype=np.intp)
    v = np.array(
        [prepared.volunteer_index[proposals[i].volunteer_id] for i in known], dtype=np.intp
    )
    km = pairwise_km(
        prepared.family_lat[f],
        prepared.family_lon[f],
        prepared.volunteer_lat[v],
        prepared.volunteer_lon[v],
    )
    masks = pair_rejections(rule_facts(prepared), f, v, km).tolist()
    matched = {m.family_id for m in round_.active_matches}
    for k, i in enumerate(known):
        family, volunteer = round_.families[f[k]], round_.volunteers[v[k]]
        found = problems[i]
        if family.closed:
            found.append(f"family {family.id!r} is {family.closed_text()}")
        elif family.id in matched:
            found.append(f"family {family.id!r} already has an active match")
        if not volunteer.takes_families_on(round_.reference_date):
            found.append(f"volunteer {volunteer.id!r} is {volunteer.status_text()}")
        elif prepared.volunteer_free_capacity[v[k]] <= 0:
            found.append(
                f"volunteer {volunteer.id!r} is now full "
                f"({volunteer.capacity} of {volunteer.capacity})"
            )
        slot = proposals[i].slot
        if not _has(prepared.family_slots[f[k]], slot):
            found.append(f"{slot} is not one of the family's half-days")
        elif not _has(prepared.volunteer_free_slots[v[k]], slot):
            found.append(f"{slot} is not a free half-day of the volunteer")
        covered = {Rule.NO_CAPACITY, Rule.AVAILABILITY}  # said above, in the pair's own words
        found += [
            RULE_TEXT[rule] + (f" ({km[k]:.1f} km)" if rule == Rule.TRAVEL else "")
            for rule in rules_in(masks[k])
            if rule not in covered
        ]
    return problems


def _has(mask: np.int64, slot: str) -> bool:
    """Whether a half-day bitmask holds ``slot``."""
    return bool((int(mask) >> SLOT_INDEX[slot]) & 1)


def _unchanged(people: Mapping[str, BaseModel], digests: Mapping[str, str]) -> set[str]:
    """The ids whose record is as it was fingerprinted."""
    return {
        id_
        for id_, digest in digests.items()
        if id_ in people and record_digest(people[id_]) == digest
    }


def _listed(items: list[str], shown: int = 5) -> str:
    """Up to ``shown`` items joined, and how many more."""
    text = "; ".join(items[:shown])
    return text + (f"; and {len(items) - shown} more" if len(items) > shown else "")
