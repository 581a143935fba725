"""Human-readable text for the terminal: the round summary, one family's explanation, a
shortlist, and what ``validate`` found."""

from __future__ import annotations

import json

from matcher.domain.prepared import PreparedRound
from matcher.result import SolveResult, SolveStatus

MAX_ROWS = 40


def summary_text(result: SolveResult) -> str:
    """The solve summary: status, objective, bound and gap, then a table of proposals."""
    r = result.report
    proven = "proven optimal" if r.status == SolveStatus.OPTIMAL else "NOT proven optimal"
    mean = (
        sum(p.scores.quality for p in result.proposals) / len(result.proposals)
        if result.proposals
        else 0.0
    )
    lines = [
        f"Round of {result.reference_date}: {r.families_waiting} families waiting, "
        f"{r.candidate_pairs} eligible pairs",
        f"Status    {r.status} ({r.backend}, {proven}); objective {r.objective}, "
        f"bound {r.bound}, gap {r.gap_text()}; solved in {result.runtime_s:.3f} s",
        f"Matched   {r.families_matched} of {r.families_waiting} families, mean quality {mean:.3f}",
        "",
        _table(
            ["family", "volunteer", "slot", "km", "quality"],
            [
                [
                    p.family_id,
                    p.volunteer_id,
                    p.slot,
                    f"{p.distance_km:.1f}",
                    f"{p.scores.quality:.3f}",
                ]
                for p in result.proposals
            ],
        ),
    ]
    if result.unmatched:
        kinds: dict[str, int] = {}
        for u in result.unmatched:
            kinds[u.reason] = kinds.get(u.reason, 0) + 1
        listing = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in kinds.items())
        lines += ["", f"Unmatched {len(result.unmatched)}: {listing}"]
    return "\n".join(lines)


def explain_text(result: SolveResult, family_id: str) -> str:
    """Why a family got its proposal (score breakdown and reasons), or why none."""
    lines = []
    for p in result.proposals:
        if p.family_id == family_id:
            lines.append(f"{family_id}: propose volunteer {p.volunteer_id} on {p.slot}")
            if p.other_shared_slots:
                lines.append(f"  also possible: {', '.join(p.other_shared_slots)}")
            scores = p.scores.model_dump(exclude={"quality"})
            breakdown = ", ".join(
                f"{name} {value:.2f}" for name, value in scores.items() if value is not None
            )
            lines.append(f"  quality {p.scores.quality:.3f} = weighted mean of {breakdown}")
            lines.extend(f"  - {reason}" for reason in p.reasons)
    for u in result.unmatched:
        if u.family_id == family_id:
            lines.append(f"{family_id}: no proposal ({u.reason.replace('_', ' ')})")
            lines.append(f"  {u.message}")
    lines += ["", shortlist_text(result, family_id)]
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


def shortlist_text(result: SolveResult, family_id: str) -> str:
    """The family's best eligible volunteers as a table."""
    alternatives = next((s.alternatives for s in result.shortlists if s.family_id == family_id), [])
    if not alternatives:
        return f"Shortlist for {family_id}: no eligible volunteer."
    return f"Shortlist for {family_id}:\n" + _table(
        ["rank", "volunteer", "quality", "km", "shared half-days", "proposed to"],
        [
            [
                str(rank),
                a.volunteer_id,
                f"{a.quality:.3f}",
                f"{a.distance_km:.1f}",
                " ".join(a.shared_slots),
                " ".join(a.proposed_to) or "-",
            ]
            for rank, a in enumerate(alternatives, start=1)
        ],
    )


def validation_text(prepared: PreparedRound) -> str:
    """What a valid round holds."""
    r = prepared.round
    waiting = int(prepared.family_waiting.sum())
    return (
        f"valid round of {r.reference_date}: {len(r.volunteers)} volunteers, "
        f"{len(r.families)} families ({waiting} waiting), {len(r.active_matches)} active "
        f"matches, {len(r.declined_pairs)} declined pairs, {len(r.exclusions)} exclusions"
    )


def _table(header: list[str], rows: list[list[str]]) -> str:
    shown = rows[:MAX_ROWS]
    widths = [max(len(cell) for cell in column) for column in zip(header, *shown, strict=False)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in (header, *shown)
    ]
    if len(rows) > MAX_ROWS:
        lines.append(f"... and {len(rows) - MAX_ROWS} more (see the CSV files)")
    return "\n".join(lines)
