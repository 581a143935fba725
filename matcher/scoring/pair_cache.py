"""Candidate pairs kept from one round to the next, for rounds that follow each other with
mostly the same people (the weeks of a what-if simulation).

Most of what decides a pair never changes while its two people stay the same: whether they are
within reach, share a language, meet the hard wishes (gender, pets, smoking) and do not live in
the same street, their exact distance, and the language, distance, themes and preferences terms.
The cache keeps these for the pairs of the families and volunteers who may take part in a round
(waiting and within the age limit; trained, certified and with a free place), and works them
out again only for the people who are new, changed or back since the last round (arrived,
freed by a match that ended, given more places). Everything that depends on the round's date
or on who is matched to whom is worked out again for every kept pair, every round: free places
and half-days (the availability rule and term), training and certificate, age limit and child
age groups, declined pairs, waiting weeks, priority and the priority multiplier. So the
candidates are exactly those of ``score_candidates`` (tests compare them field by field).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from matcher.domain.people import Family, Volunteer
from matcher.domain.prepared import PreparedRound
from matcher.domain.round import Policy
from matcher.scoring.candidates import (
    PAIR_RULES,
    Candidates,
    candidates_of,
    pairs_among,
    passing,
    terms_of,
)
from matcher.scoring.rules import (
    FAMILY_RULES,
    VOLUNTEER_RULES,
    Rule,
    RuleFacts,
    pair_rejections,
    rule_facts,
)
from matcher.scoring.terms import TERMS

Index = NDArray[np.intp]
FloatArray = NDArray[np.float64]

ROUND_RULES = (Rule.FORBIDDEN, Rule.AVAILABILITY)
"""Pair rules that can change while both people stay the same (declines, matches made)."""
KEPT_RULES = tuple(rule for rule in PAIR_RULES if rule not in ROUND_RULES)
"""Pair rules that depend only on the two people (and the policy)."""
ROUND_TERMS = ("availability", "child_ages")
"""Terms that depend on free half-days or on the round's date."""
KEPT_TERMS = tuple(name for name in TERMS if name not in ROUND_TERMS)


class PairCache:
    """The pairs of the previous rounds, to score the next round of the same people faster."""

    def __init__(self) -> None:
        self._reset(None)

    def _reset(self, policy: Policy | None) -> None:
        """Forget every pair (the rules kept depend on the policy)."""
        self._policy = policy
        self._families: dict[str, Family] = {}  # the people the rows cover
        self._volunteers: dict[str, Volunteer] = {}
        self._family_code: dict[str, int] = {}
        self._volunteer_code: dict[str, int] = {}
        self._row_family = np.zeros(0, dtype=np.int64)  # codes
        self._row_volunteer = np.zeros(0, dtype=np.int64)
        self._row_km = np.zeros(0)
        self._row_terms: dict[str, FloatArray] = {name: np.zeros(0) for name in KEPT_TERMS}

    def score(self, prepared: PreparedRound) -> Candidates:
        """The round's candidates, exactly as ``score_candidates`` finds them."""
        facts = rule_facts(prepared)
        if prepared.round.policy != self._policy:
            self._reset(prepared.round.policy)
        p = prepared
        families = passing(facts, len(p.families), FAMILY_RULES, by_family=True)
        families = families[p.family_waiting[families]]
        volunteers = passing(facts, len(p.volunteers), VOLUNTEER_RULES, by_family=False)
        f, v = self._update(facts, families, volunteers)
        nowhere = np.full(f.size, np.nan)
        rows = np.flatnonzero(pair_rejections(facts, f, v, nowhere, ROUND_RULES) == 0)
        rows = rows[np.lexsort((v[rows], f[rows]))]
        f, v, km = f[rows], v[rows], self._row_km[rows]
        changing = terms_of(p, f, v, km, ROUND_TERMS)
        terms = {
            name: changing[name] if name in changing else self._row_terms[name][rows]
            for name in TERMS
        }
        return candidates_of(facts, f, v, km, terms)

    def _update(self, facts: RuleFacts, families: Index, volunteers: Index) -> tuple[Index, Index]:
        """Cover exactly the pairs of ``families`` x ``volunteers`` (those who may take part in
        the round): drop the rows of people gone, changed or left out, add those of people new,
        changed or back. The round's ``(f, v)`` of every row."""
        p = facts.prepared
        new_f, old_f = _split(self._families, [p.families[i] for i in families], families)
        new_v, old_v = _split(self._volunteers, [p.volunteers[j] for j in volunteers], volunteers)
        family_codes = _codes(self._family_code, [p.families[i].id for i in families])
        volunteer_codes = _codes(self._volunteer_code, [p.volunteers[j].id for j in volunteers])
        family_at = np.full(len(self._family_code), -1, dtype=np.intp)
        volunteer_at = np.full(len(self._volunteer_code), -1, dtype=np.intp)
        old = np.isin(families, old_f)
        family_at[family_codes[old]] = families[old]
        old = np.isin(volunteers, old_v)
        volunteer_at[volunteer_codes[old]] = volunteers[old]
        keep = (family_at[self._row_family] >= 0) & (volunteer_at[self._row_volunteer] >= 0)

        f1, v1, km1 = pairs_among(facts, new_f, volunteers, KEPT_RULES)
        f2, v2, km2 = pairs_among(facts, old_f, new_v, KEPT_RULES)
        f, v, km = np.concatenate([f1, f2]), np.concatenate([v1, v2]), np.concatenate([km1, km2])
        terms = terms_of(p, f, v, km, KEPT_TERMS)
        family_at[family_codes] = families
        volunteer_at[volunteer_codes] = volunteers
        code_of_family = np.zeros(len(p.families), dtype=np.int64)
        code_of_family[families] = family_codes
        code_of_volunteer = np.zeros(len(p.volunteers), dtype=np.int64)
        code_of_volunteer[volunteers] = volunteer_codes
        self._row_family = np.concatenate([self._row_family[keep], code_of_family[f]])
        self._row_volunteer = np.concatenate([self._row_volunteer[keep], code_of_volunteer[v]])
        self._row_km = np.concatenate([self._row_km[keep], km])
        self._row_terms = {
            name: np.concatenate([self._row_terms[name][keep], terms[name]]) for name in KEPT_TERMS
        }
        self._families = {p.families[i].id: p.families[i] for i in families}
        self._volunteers = {p.volunteers[j].id: p.volunteers[j] for j in volunteers}
        return family_at[self._row_family], volunteer_at[self._row_volunteer]


def _split(
    cached: dict[str, Family] | dict[str, Volunteer],
    people: list[Family] | list[Volunteer],
    index: Index,
) -> tuple[Index, Index]:
    """``index`` split into the people new or changed since the rows were made, and the rest."""
    same = np.array([_same(cached, person) for person in people], dtype=bool)
    return index[~same], index[same]


def _codes(codes: dict[str, int], ids: list[str]) -> NDArray[np.int64]:
    """The lasting code of each id (a new one for an id never seen)."""
    return np.array([codes.setdefault(id_, len(codes)) for id_ in ids], dtype=np.int64)


def _same(cached: dict[str, Family] | dict[str, Volunteer], person: Family | Volunteer) -> bool:
    """Whether the rows kept for ``person`` still hold: the very same record as last round."""
    before = cached.get(person.id)
    return before is person or before == person
