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

from matcher.i18n import N_
from matcher.result import Competitor, Unmatched, UnmatchedReason
from matcher.scoring.candidates import Candidates, best_fit_order
from matcher.scoring.nearest import Hit, nearest_picks
from matcher.scoring.rule_counts import rule_counts
from matcher.scoring.rules import RULES, Rule, rules_in
from matcher.wording import ENGLISH, Wording, wording

NEAR_MISSES = 3
LISTED_COMPETITORS = 3  # in the message; the result lists them all, best fit first

Row = Mapping[int, int]
"""The rejection mask of each volunteer a message names (by volunteer index)."""


def build_unmatched(
    candidates: Candidates, chosen: list[int], language: str = ENGLISH
) -> list[Unmatched]:
    """An entry per waiting family without a proposal, in input order, its message in
    ``language``."""
    words = wording(language)
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
            result[f] = _outcompeted(c, f, competitors, counts, words)
        elif c.poor_fits[f]:
            result[f] = _poor_fit(c, f, counts, words)
        elif counts.get(Rule.AGE_LIMIT, 0) == len(p.volunteers) > 0:
            result[f] = _not_eligible(c, f, counts, words)
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
        result[f] = _no_volunteer(c, f, row, counts, leads, words)
    return [result[f] for f in unmatched.tolist()]


REASON_NAMES = {
    UnmatchedReason.NOT_ELIGIBLE: N_("not eligible"),
    UnmatchedReason.NO_ELIGIBLE_VOLUNTEER: N_("no eligible volunteer"),
    UnmatchedReason.OUTCOMPETED: N_("outcompeted"),
    UnmatchedReason.POOR_FIT: N_("poor fit"),
}
"""Why a family has no proposal, in a word or two (for tables and summaries)."""


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

RULE_NAMES: dict[str, str] = {
    Rule.NOT_READY: N_("training_or_vog"),
    Rule.NO_CAPACITY: N_("no_capacity"),
    Rule.AGE_LIMIT: N_("age_limit"),
    Rule.FORBIDDEN: N_("declined_or_excluded"),
    Rule.LANGUAGE: N_("language"),
    Rule.TRAVEL: N_("travel"),
    Rule.AVAILABILITY: N_("availability"),
    Rule.GENDER: N_("gender_preference"),
    Rule.PETS: N_("pets"),
    Rule.SMOKING: N_("smoking"),
    Rule.SAME_PLACE: N_("same_place"),
    POOR_FIT: N_("min_quality"),
}
"""The ``rejected_by`` keys as the messages name them (in English, the keys themselves)."""


def _poor_fit(c: Candidates, f: int, counts: dict[str, int], words: Wording) -> Unmatched:
    """Every volunteer who passes the hard rules fits below the minimum quality."""
    minimum = c.prepared.round.policy.min_quality
    n = int(c.poor_fits[f])
    return Unmatched(
        family_id=c.prepared.families[f].id,
        reason=UnmatchedReason.POOR_FIT,
        message=words.ngettext(
            "The volunteers who could help are a poor fit (quality below {minimum}): "
            "{n} volunteer passes every rule, the best at quality {best}.",
            "The volunteers who could help are a poor fit (quality below {minimum}): "
            "{n} volunteers pass every rule, the best at quality {best}.",
            n,
        ).format(minimum=words.short(minimum), n=n, best=words.fixed(c.best_poor_fit[f], 3)),
        rejected_by=counts,
        competitors=[],
    )


def _not_eligible(c: Candidates, f: int, counts: dict[str, int], words: Wording) -> Unmatched:
    _ = words.gettext
    p = c.prepared
    stage = p.family_stages[f]
    family = p.families[f]
    if stage.youngest_age is not None:
        message = _(
            "Not eligible for the programme: the youngest child is {age} years, at or above "
            "the programme's age limit of {limit}."
        ).format(age=words.fixed(stage.youngest_age), limit=family.age_limit)
    else:
        message = _(
            "Not eligible for the programme: the pregnancy is at {weeks} weeks; support starts "
            "at {start} weeks."
        ).format(
            weeks=words.fixed(stage.pregnancy_weeks or 0.0, 0),
            start=p.round.policy.min_pregnancy_weeks,
        )
    return Unmatched(
        family_id=family.id,
        reason=UnmatchedReason.NOT_ELIGIBLE,
        message=message,
        rejected_by=counts,
        competitors=[],
    )


Nearest = list[tuple[float, int]]
Leads = tuple[int, Nearest, Nearest]  # speakers of the family's language, nearest, near misses


def _no_volunteer(
    c: Candidates, f: int, row: Row, counts: dict[str, int], leads: Leads, words: Wording
) -> Unmatched:
    _ = words.gettext
    p = c.prepared
    total = len(p.volunteers)
    if total == 0:
        message = _("There are no volunteers in this round.")
    else:
        ruled_out = ", ".join(f"{_(RULE_NAMES[rule])} {n}" for rule, n in counts.items())
        message = _("No eligible volunteer among {total}; ruled out by: {rules}.").format(
            total=total, rules=ruled_out
        )
        speakers, nearest_speaker, near_misses = leads
        message += _language_note(c, f, speakers, nearest_speaker, words)
        message += _near_misses(c, f, row, near_misses, words)
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


def _language_note(c: Candidates, f: int, speakers: int, nearest: Nearest, words: Wording) -> str:
    """For a family that speaks no Dutch: how many volunteers share a language, and why not them."""
    _ = words.gettext
    p = c.prepared
    if p.families[f].speaks_dutch or not p.round.policy.require_common_language:
        return ""
    names = words.joined(
        (
            words.language_name(code)
            for i, code in enumerate(p.languages)
            if p.family_languages[f, i]
        ),
        _("or"),
    )
    if speakers == 0:
        return " " + _("No volunteer speaks {languages}.").format(languages=names)
    [(km, _v)] = nearest
    return " " + _("Volunteers who speak {languages}: {n}, the nearest {km} km away.").format(
        languages=names, n=speakers, km=words.fixed(km)
    )


def _near_misses(c: Candidates, f: int, row: Row, nearest: Nearest, words: Wording) -> str:
    """Volunteers who fail one rule only (the nearest few): the coordinator's best leads."""
    _ = words.gettext
    p = c.prepared
    if not nearest:
        return ""
    leads = []
    for km, v in nearest:
        rule = rules_in(int(row[v]))[0]
        volunteer = p.volunteers[v].id
        leads.append(
            _("{volunteer} fails only {rule} ({km} km, limit {limit} km)").format(
                volunteer=volunteer,
                rule=_(RULE_NAMES[rule]),
                km=words.fixed(km),
                limit=words.short(p.volunteer_max_km[v]),
            )
            if rule == Rule.TRAVEL
            else _("{volunteer} fails only {rule}").format(
                volunteer=volunteer, rule=_(RULE_NAMES[rule])
            )
        )
    return " " + _("Closest: {leads}.").format(leads="; ".join(leads))


def _outcompeted(
    c: Candidates,
    f: int,
    competitors: list[Competitor],
    counts: dict[str, int],
    words: Wording,
) -> Unmatched:
    _, ngettext = words.gettext, words.ngettext
    p = c.prepared
    n = len(competitors)
    listing = ", ".join(
        _("{volunteer} (for {families})").format(
            volunteer=x.volunteer_id, families=", ".join(x.proposed_to)
        )
        if x.proposed_to
        else x.volunteer_id
        for x in competitors[:LISTED_COMPETITORS]
    )
    if n > LISTED_COMPETITORS:
        listing = _("{listing} and {n} more").format(listing=listing, n=n - LISTED_COMPETITORS)
    if any(not x.proposed_to for x in competitors):  # possible only short of the optimum
        message = _(
            "The volunteers who could help are taken or have no shared half-day left: more "
            "capacity is needed here. {n} could help, best fit first: {listing}."
        ).format(n=n, listing=listing)
    elif n == 1:
        [only] = competitors
        message = ngettext(
            "The only volunteer who could help is full: more capacity is needed here. "
            "{volunteer} is proposed to {families}, whose match weighs more "
            "(a longer wait, a re-match or a better fit).",
            "The only volunteer who could help is full: more capacity is needed here. "
            "{volunteer} is proposed to {families}, whose matches weigh more "
            "(a longer wait, a re-match or a better fit).",
            len(only.proposed_to),
        ).format(volunteer=only.volunteer_id, families=", ".join(only.proposed_to))
    else:
        message = _(
            "Every volunteer who could help is full: more capacity is needed here. {n} could "
            "help, all proposed to families whose matches weigh more (a longer wait, a re-match "
            "or a better fit); best fit first: {listing}."
        ).format(n=n, listing=listing)
    return Unmatched(
        family_id=p.families[f].id,
        reason=UnmatchedReason.OUTCOMPETED,
        message=message,
        rejected_by=counts,
        competitors=competitors,
    )
