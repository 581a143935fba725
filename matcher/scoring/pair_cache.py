"""Candidate pairs kept from one round to the next, for rounds that follow each other with
mostly the same people (the weeks of a what-if simulation).

Most of what decides a pair never changes while its two people stay the same: whether they are
within reach, share a language, meet the hard wishes (gender, pets, smoking) and do not live in
the same street, their exact distance, and the language, distance, themes and preferences terms.
The cache keeps these for every waiting family x volunteer pair that passes those rules, and
works them out again only for the families and volunteers that are new or changed since the
last round. Everything that depends on the round's date or on who is matched to whom is worked
out again for every kept pair, every round: free places and half-days (the availability rule
and term), training and certificate, age limit and child age groups, declined pairs, waiting
weeks, priority and the priority multiplier. So the candidates are exactly those of
``score_candidates`` (tests compare them field by field).
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
        self._families: dict[str, Family] = {}  # waiting families the rows cover
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
        family_at, volunteer_at = self._update(facts)
        f, v = family_at[self._row_family], volunteer_at[self._row_volunteer]
        p = prepared
        family_ok = np.zeros(len(p.families), dtype=bool)
        family_ok[passing(facts, len(p.families), FAMILY_RULES, by_family=True)] = True
        volunteer_ok = np.zeros(len(p.volunteers), dtype=bool)
        volunteer_ok[passing(facts, len(p.volunteers), VOLUNTEER_RULES, by_family=False)] = True
        rows = np.flatnonzero(family_ok[f] & volunteer_ok[v])
        nowhere = np.full(rows.size, np.nan)
        rows = rows[pair_rejections(facts, f[rows], v[rows], nowhere, ROUND_RULES) == 0]
        rows = rows[np.lexsort((v[rows], f[rows]))]
        f, v, km = f[rows], v[rows], self._row_km[rows]
        changing = terms_of(p, f, v, km, ROUND_TERMS)
        terms = {
            name: changing[name] if name in changing else self._row_terms[name][rows]
            for name in TERMS
        }
        return candidates_of(facts, f, v, km, terms)

    def _update(self, facts: RuleFacts) -> tuple[Index, Index]:
        """Drop the rows of people gone or changed, add those of people new or changed; the
        round's index of every family and volunteer code (-1: not in the round's rows)."""
        p = facts.prepared
        waiting = np.flatnonzero(p.family_waiting)
        families = {p.families[i].id: p.families[i] for i in waiting}
        volunteers = {v.id: v for v in p.volunteers}
        new_f = [i for i in waiting if not _same(self._families, p.families[i])]
        new_v = [j for j, v in enumerate(p.volunteers) if not _same(self._volunteers, v)]
        old_f = np.array(
            [i for i in waiting if _same(self._families, p.families[i])], dtype=np.intp
        )
        for id_ in families:
            self._family_code.setdefault(id_, len(self._family_code))
        for id_ in volunteers:
            self._volunteer_code.setdefault(id_, len(self._volunteer_code))
        family_at = np.full(len(self._family_code), -1, dtype=np.intp)
        volunteer_at = np.full(len(self._volunteer_code), -1, dtype=np.intp)
        for i in old_f:
            family_at[self._family_code[p.families[i].id]] = i
        unchanged_v = np.setdiff1d(np.arange(len(p.volunteers)), new_v)
        for j in unchanged_v:
            volunteer_at[self._volunteer_code[p.volunteers[j].id]] = j
        keep = (family_at[self._row_family] >= 0) & (volunteer_at[self._row_volunteer] >= 0)

        everyone = np.arange(len(p.volunteers), dtype=np.intp)
        f1, v1, km1 = pairs_among(facts, np.array(new_f, dtype=np.intp), everyone, KEPT_RULES)
        f2, v2, km2 = pairs_among(facts, old_f, np.array(new_v, dtype=np.intp), KEPT_RULES)
        f, v, km = np.concatenate([f1, f2]), np.concatenate([v1, v2]), np.concatenate([km1, km2])
        terms = terms_of(p, f, v, km, KEPT_TERMS)
        family_codes = np.full(len(p.families), -1, dtype=np.int64)
        family_codes[waiting] = [self._family_code[p.families[i].id] for i in waiting]
        volunteer_codes = np.array(
            [self._volunteer_code[x.id] for x in p.volunteers], dtype=np.int64
        )
        self._row_family = np.concatenate([self._row_family[keep], family_codes[f]])
        self._row_volunteer = np.concatenate([self._row_volunteer[keep], volunteer_codes[v]])
        self._row_km = np.concatenate([self._row_km[keep], km])
        self._row_terms = {
            name: np.concatenate([self._row_terms[name][keep], terms[name]]) for name in KEPT_TERMS
        }
        self._families, self._volunteers = families, volunteers
        family_at[family_codes[waiting]] = waiting
        volunteer_at[volunteer_codes] = everyone
        return family_at, volunteer_at


def _same(cached: dict[str, Family] | dict[str, Volunteer], person: Family | Volunteer) -> bool:
    """Whether the rows kept for ``person`` still hold: the very same record as last round."""
    before = cached.get(person.id)
    return before is person or before == person
