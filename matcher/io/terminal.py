"""Human-readable text for the terminal: the round summary, one family's explanation, a
shortlist, and what ``validate`` found."""

from __future__ import annotations

import json

from matcher.domain.prepared import PreparedRound
from matcher.explain.unmatched import REASON_NAMES
from matcher.result import SolveResult, SolveStatus, UnmatchedReason
from matcher.wording import Wording, wording

MAX_ROWS = 40


def summary_text(result: SolveResult, words: Wording | None = None) -> str:
    """The solve summary: status, objective, bound and gap, then a table of proposals."""
    words = words or wording()
    _ = words.gettext
    r = result.report
    proven = _("proven optimal") if r.status == SolveStatus.OPTIMAL else _("NOT proven optimal")
    mean = (
        sum(p.scores.quality for p in result.proposals) / len(result.proposals)
        if result.proposals
        else 0.0
    )
    gap = words.percent(r.gap, 2) if r.has_solution else _("no solution")
    lines = [
        _("Round of {day}: {waiting} families waiting, {pairs} eligible pairs").format(
            day=words.long_day(result.reference_date),
            waiting=r.families_waiting,
            pairs=r.candidate_pairs,
        ),
        _(
            "Status    {status} ({backend}, {proven}); objective {objective}, bound {bound}, "
            "gap {gap}; solved in {seconds} s"
        ).format(
            status=r.status,
            backend=r.backend,
            proven=proven,
            objective=r.objective,
            bound=r.bound,
            gap=gap,
            seconds=words.fixed(result.runtime_s, 3),
        ),
        _("Matched   {matched} of {waiting} families, mean quality {mean}").format(
            matched=r.families_matched, waiting=r.families_waiting, mean=words.fixed(mean, 3)
        ),
        "",
        _table(
            [_("family"), _("volunteer"), _("slot"), "km", _("quality")],
            [
                [
                    p.family_id,
                    p.volunteer_id,
                    words.slot(p.slot),
                    words.fixed(p.distance_km),
                    words.fixed(p.scores.quality, 3),
                ]
                for p in result.proposals
            ],
            words,
        ),
    ]
    if result.unmatched:
        kinds: dict[UnmatchedReason, int] = {}
        for u in result.unmatched:
            kinds[u.reason] = kinds.get(u.reason, 0) + 1
        listing = ", ".join(f"{n} {_(REASON_NAMES[kind])}" for kind, n in kinds.items())
        lines += [
            "",
            _("Unmatched {n}: {listing}").format(n=len(result.unmatched), listing=listing),
        ]
    return "\n".join(lines)


def explain_text(result: SolveResult, family_id: str, words: Wording | None = None) -> str:
    """Why a family got its proposal (score breakdown and reasons), or why none."""
    words = words or wording()
    _ = words.gettext
    lines = []
    for p in result.proposals:
        if p.family_id == family_id:
            lines.append(
                _("{family}: propose volunteer {volunteer} on {slot}").format(
                    family=family_id, volunteer=p.volunteer_id, slot=words.slot(p.slot)
                )
            )
            if p.other_shared_slots:
                lines.append(
                    _("  also possible: {slots}").format(
                        slots=words.slots(p.other_shared_slots, ", ")
                    )
                )
            scores = p.scores.model_dump(exclude={"quality"})
            breakdown = ", ".join(
                f"{name} {words.fixed(value, 2)}"
                for name, value in scores.items()
                if value is not None
            )
            lines.append(
                _("  quality {quality} = weighted mean of {breakdown}").format(
                    quality=words.fixed(p.scores.quality, 3), breakdown=breakdown
                )
            )
            lines.extend(f"  - {reason}" for reason in p.reasons)
    for u in result.unmatched:
        if u.family_id == family_id:
            lines.append(
                _("{family}: no proposal ({reason})").format(
                    family=family_id, reason=_(REASON_NAMES[u.reason])
                )
            )
            lines.append(f"  {u.message}")
    lines += ["", shortlist_text(result, family_id, words)]
    return "\n".join(lines)


def family_json(result: SolveResult, family_id: str) -> str:
    """The proposal or unmatched entry and the shortlist of one family, as JSON."""
    document = {
        "family_id": family_id,
        "proposal": next(
            (p.model_dump(mode="json") for p in result.proposals if p.family_id == family_id),
            None,
        ),
        "unmatched": next(
            (u.model_dump(mode="json") for u in result.unmatched if u.family_id == family_id),
            None,
        ),
        "shortlist": next(
            (s.model_dump(mode="json") for s in result.shortlists if s.family_id == family_id),
            None,
        ),
    }
    return json.dumps(document, indent=2) + "\n"


def shortlist_text(result: SolveResult, family_id: str, words: Wording | None = None) -> str:
    """The family's best eligible volunteers as a table."""
    words = words or wording()
    _ = words.gettext
    alternatives = next((s.alternatives for s in result.shortlists if s.family_id == family_id), [])
    if not alternatives:
        return _("Shortlist for {family}: no eligible volunteer.").format(family=family_id)
    return (
        _("Shortlist for {family}:").format(family=family_id)
        + "\n"
        + _table(
            [
                _("rank"),
                _("volunteer"),
                _("quality"),
                "km",
                _("shared half-days"),
                _("proposed to"),
            ],
            [
                [
                    str(rank),
                    a.volunteer_id,
                    words.fixed(a.quality, 3),
                    words.fixed(a.distance_km),
                    words.slots(a.shared_slots),
                    " ".join(a.proposed_to) or "-",
                ]
                for rank, a in enumerate(alternatives, start=1)
            ],
            words,
        )
    )


def validation_text(prepared: PreparedRound, words: Wording | None = None) -> str:
    """What a valid round holds."""
    words = words or wording()
    r = prepared.round
    return words.gettext(
        "valid round of {day}: {volunteers} volunteers, {families} families ({waiting} "
        "waiting), {active} active matches, {declined} declined pairs, {exclusions} exclusions"
    ).format(
        day=words.long_day(r.reference_date),
        volunteers=len(r.volunteers),
        families=len(r.families),
        waiting=int(prepared.family_waiting.sum()),
        active=len(r.active_matches),
        declined=len(r.declined_pairs),
        exclusions=len(r.exclusions),
    )


def _table(header: list[str], rows: list[list[str]], words: Wording) -> str:
    shown = rows[:MAX_ROWS]
    widths = [max(len(cell) for cell in column) for column in zip(header, *shown, strict=False)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in (header, *shown)
    ]
    if len(rows) > MAX_ROWS:
        lines.append(
            words.gettext("... and {n} more (see the CSV files)").format(n=len(rows) - MAX_ROWS)
        )
    return "\n".join(lines)
