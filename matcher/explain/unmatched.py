"""Why a waiting family got no proposal: not eligible, no eligible volunteer (and which rules
ruled them out), only volunteers below the minimum quality, or eligible volunteers went to
families whose matches weigh more. Each message says the practical thing first, then the detail.

The candidate pairs hold only the pairs within reach; the full picture is computed exactly here,
for the unmatched families only and without a family x volunteer grid: how many volunteers each
rule rules out from histograms of the volunteers' facts (``rule_counts``), the nearest speaker
of a language and the nearest volunteers failing one rule by a search around each family
(``nearest_picks``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from matcher.domain.vocab import language_name
from matcher.result import Competitor, Unmatched, UnmatchedReason
from matcher.scoring.candidates import Candidates, best_fit_order
from matcher.scoring.nearest import Hit, nearest_picks
from matcher.scoring.rule_counts import rule_counts
from matcher.scoring.rules import RULES, Rule, rules_in

NEAR_MISSES = 3
LISTED_COMPETITORS = 3  # in the message; the result lists them all, best fit first

Row = Mapping[int, int]
"""The rejection mask of each volunteer a message names (by volunteer index)."""


def build_unmatched(candidates: Candidates, chosen: list[int]) -> list[Unmatched]:
    """An entry per waiting family without a proposal, in input order."""
    c = candidates
    p = c.prepared
    matched = np.zeros(len(p.families), dtype=bool)
    matched[c.family[chosen]] = True
    proposed_to: defaultdict[int, list[str]] = defaultdict(list)
    for pair in chosen:
        proposed_to[int(c.volunteer[pair])].append(p.families[int(c.family[pair])].id)
    best_first = best_fit_order(c)  # by family, best fit first
    first_of = np.searchsorted(c.family[best_first], np.arange(len(p.families) + 1))

    unmatched = np.flatnonzero(p.family_waiting & ~matched)
    competitor_of = _competitors(c, best_first, first_of, unmatched, proposed_to)
    per_rule = rule_counts(c.facts, unmatched)
    result: dict[int, Unmatched] = {}
    without: list[tuple[int, dict[str, int], int]] = []  # no eligible volunteer; speakers
    for i, f in enumerate(unmatched.tolist()):
        counts = {str(rule): int(per_rule[rule][i]) for rule in RULES if per_rule[rule][i]}
        if c.poor_fits[f]:
            counts[POOR_FIT] = int(c.poor_fits[f])
        if first_of[f] < first_of[f + 1]:
            eligible = c.volunteer[best_first[first_of[f] : first_of[f + 1]]]
            competitors: list[Competitor] = competitor_of[eligible].tolist()
            result[f] = _outcompeted(c, f, competitors, counts)
        elif c.poor_fits[f]:
            result[f] = _poor_fit(c, f, counts)
        elif counts.get(Rule.AGE_LIMIT, 0) == len(p.volunteers) > 0:
            result[f] = _not_eligible(c, f, counts)
        else:
            speakers = _speakers(c, f, len(p.volunteers) - int(per_rule[Rule.LANGUAGE][i]))
            without.append((f, counts, speakers))
    for (f, counts, speakers), (nearest_speaker, near_misses) in zip(
        without, _leads(c, [(f, speakers) for f, _, speakers in without]), strict=True
    ):
        row = {v: mask for _, v, mask in near_misses}
        leads = (
            speakers,
            [(km, v) for km, v, _ in nearest_speaker],
            [(km, v) for km, v, _ in near_misses],
        )
        result[f] = _no_volunteer(c, f, row, counts, leads)
    return [result[f] for f in unmatched.tolist()]


def _competitors(
    c: Candidates,
    best_first: NDArray[np.intp],
    first_of: NDArray[np.intp],
    unmatched: NDArray[np.intp],
    proposed_to: Mapping[int, list[str]],
) -> NDArray[np.object_]:
    """One ``Competitor`` per volunteer eligible for an unmatched family (by volunteer index),
    shared by every family that lists them."""
    p = c.prepared
    ranges = [best_first[first_of[f] : first_of[f + 1]] for f in unmatched.tolist()]
    listed = np.unique(c.volunteer[np.concatenate([np.zeros(0, dtype=np.intp), *ranges])])
    competitor_of = np.empty(len(p.volunteers), dtype=object)
    for v in listed.tolist():
        # Built without re-validation: all from the round.
        competitor_of[v] = Competitor.model_construct(
            volunteer_id=p.volunteers[v].id, proposed_to=list(proposed_to.get(v, ()))
        )
    return competitor_of


def _leads(c: Candidates, families: list[tuple[int, int]]) -> list[tuple[list[Hit], list[Hit]]]:
    """For families without an eligible volunteer, given how many volunteers share a language
    with each: the nearest of those speakers (when there are any) and the nearest volunteers
    who fail one rule only."""
    if c.facts.volunteer_count == 0:
        return [([], []) for _ in families]
    asked = [f for f, speakers in families if speakers]
    speakers = dict(
        zip(asked, nearest_picks(c.facts, asked, 1, (Rule.LANGUAGE,), _none), strict=True)
    )
    everyone = [f for f, _ in families]
    singles = nearest_picks(c.facts, everyone, NEAR_MISSES, RULES, _one_rule)
    return [(speakers.get(f, []), near) for f, near in zip(everyone, singles, strict=True)]


def _none(mask: NDArray[np.uint16]) -> NDArray[np.bool_]:
    """Rejection masks without any rule."""
    accepted: NDArray[np.bool_] = mask == 0
    return accepted


def _one_rule(mask: NDArray[np.uint16]) -> NDArray[np.bool_]:
    """Rejection masks with exactly one rule."""
    accepted: NDArray[np.bool_] = (mask != 0) & ((mask & (mask - 1)) == 0)
    return accepted


POOR_FIT = "min_quality"
"""The ``rejected_by`` key counting the volunteers below the policy's minimum quality."""


def _poor_fit(c: Candidates, f: int, counts: dict[str, int]) -> Unmatched:
    """Every volunteer who passes the hard rules fits below the minimum quality."""
    minimum = c.prepared.round.policy.min_quality
    n = int(c.poor_fits[f])
    who = "1 volunteer passes" if n == 1 else f"{n} volunteers pass"
    return Unmatched(
        family_id=c.prepared.families[f].id,
        reason=UnmatchedReason.POOR_FIT,
        message=(
            f"The volunteers who could help are a poor fit (quality below {minimum:g}): "
            f"{who} every rule, the best at quality {c.best_poor_fit[f]:.3f}."
        ),
        rejected_by=counts,
        competitors=[],
    )


def _not_eligible(c: Candidates, f: int, counts: dict[str, int]) -> Unmatched:
    p = c.prepared
    stage = p.family_stages[f]
    family = p.families[f]
    if stage.youngest_age is not None:
        why = (
            f"the youngest child is {stage.youngest_age:.1f} years, at or above the "
            f"programme's age limit of {family.age_limit}"
        )
    else:
        weeks = stage.pregnancy_weeks or 0.0
        why = (
            f"the pregnancy is at {weeks:.0f} weeks; support starts at "
            f"{p.round.policy.min_pregnancy_weeks} weeks"
        )
    return Unmatched(
        family_id=family.id,
        reason=UnmatchedReason.NOT_ELIGIBLE,
        message=f"Not eligible for the programme: {why}.",
        rejected_by=counts,
        competitors=[],
    )


Nearest = list[tuple[float, int]]
Leads = tuple[int, Nearest, Nearest]  # speakers of the family's language, nearest, near misses


def _no_volunteer(
    c: Candidates, f: int, row: Row, counts: dict[str, int], leads: Leads
) -> Unmatched:
    p = c.prepared
    total = len(p.volunteers)
    if total == 0:
        message = "There are no volunteers in this round."
    else:
        ruled_out = ", ".join(f"{rule} {n}" for rule, n in counts.items())
        message = f"No eligible volunteer among {total}; ruled out by: {ruled_out}."
        speakers, nearest_speaker, near_misses = leads
        message += _language_note(c, f, speakers, nearest_speaker)
        message += _near_misses(c, f, row, near_misses)
    return Unmatched(
        family_id=p.families[f].id,
        reason=UnmatchedReason.NO_ELIGIBLE_VOLUNTEER,
        message=message,
        rejected_by=counts,
        competitors=[],
    )


def _speakers(c: Candidates, f: int, sharing: int) -> int:
    """Volunteers who share a language with a family that speaks no Dutch (0 otherwise), of
    the ``sharing`` ones who break no language rule."""
    p = c.prepared
    if p.families[f].speaks_dutch or not p.round.policy.require_common_language:
        return 0
    return sharing


def _language_note(c: Candidates, f: int, speakers: int, nearest: Nearest) -> str:
    """For a family that speaks no Dutch: how many volunteers share a language, and why not them."""
    p = c.prepared
    if p.families[f].speaks_dutch or not p.round.policy.require_common_language:
        return ""
    names = " or ".join(
        language_name(code) for i, code in enumerate(p.languages) if p.family_languages[f, i]
    )
    if speakers == 0:
        return f" No volunteer speaks {names}."
    [(km, _)] = nearest
    return f" Volunteers who speak {names}: {speakers}, the nearest {km:.1f} km away."


def _near_misses(c: Candidates, f: int, row: Row, nearest: Nearest) -> str:
    """Volunteers who fail one rule only (the nearest few): the coordinator's best leads."""
    p = c.prepared
    if not nearest:
        return ""
    leads = []
    for km, v in nearest:
        rule = rules_in(int(row[v]))[0]
        detail = (
            f" ({km:.1f} km, limit {p.volunteer_max_km[v]:g} km)" if rule == Rule.TRAVEL else ""
        )
        leads.append(f"{p.volunteers[v].id} fails only {rule}{detail}")
    return " Closest: " + "; ".join(leads) + "."


def _outcompeted(
    c: Candidates,
    f: int,
    competitors: list[Competitor],
    counts: dict[str, int],
) -> Unmatched:
    p = c.prepared
    n = len(competitors)
    listing = ", ".join(
        f"{x.volunteer_id} (for {', '.join(x.proposed_to)})" if x.proposed_to else x.volunteer_id
        for x in competitors[:LISTED_COMPETITORS]
    )
    if n > LISTED_COMPETITORS:
        listing += f" and {n - LISTED_COMPETITORS} more"
    why = "families whose matches weigh more (a longer wait, a re-match or a better fit)"
    if any(not x.proposed_to for x in competitors):  # possible only short of the optimum
        message = (
            "The volunteers who could help are taken or have no shared half-day left: more "
            f"capacity is needed here. {n} could help, best fit first: {listing}."
        )
    elif n == 1:
        [only] = competitors
        whose = "whose match weighs" if len(only.proposed_to) == 1 else "whose matches weigh"
        message = (
            "The only volunteer who could help is full: more capacity is needed here. "
            f"{only.volunteer_id} is proposed to {', '.join(only.proposed_to)}, {whose} more "
            "(a longer wait, a re-match or a better fit)."
        )
    else:
        message = (
            "Every volunteer who could help is full: more capacity is needed here. "
            f"{n} could help, all proposed to {why}; best fit first: {listing}."
        )
    return Unmatched(
        family_id=p.families[f].id,
        reason=UnmatchedReason.OUTCOMPETED,
        message=message,
        rejected_by=counts,
        competitors=competitors,
    )
