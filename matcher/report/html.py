"""One self-contained HTML page per round: a summary in the coordinator's terms (families
matched, quality of the proposals, why others wait, whether the choice is proven best; the solver's
own figures folded away in technical details), a map of the proposals, score breakdowns,
unmatched families with their reasons, shortlists, and charts. Charts are inline SVG drawn by
matplotlib, so the page needs no network and no script; it shows ids, never names."""

from __future__ import annotations

import html
import io
from collections import Counter
from collections.abc import Iterable

import matplotlib
from matplotlib.figure import Figure

from matcher.domain.prepared import PreparedRound
from matcher.domain.round import QUALITY_TERMS
from matcher.domain.slots import SLOT_NAMES
from matcher.result import SolveResult, SolveStatus, UnmatchedReason

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid #ddd; }
th { background: #f4f4f4; } .bar { background: #4c78a8; height: 0.6rem; display: inline-block; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; }
.figures svg { max-width: 100%; height: auto; }
.summary td:first-child { font-weight: 600; width: 14rem; }
"""


def round_report(prepared: PreparedRound, result: SolveResult) -> str:
    """The page as one HTML string."""
    with matplotlib.rc_context({"svg.hashsalt": "matcher", "svg.fonttype": "none"}):
        figures = [_map(prepared, result), _distances(result), _slots(prepared)]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Matching round {result.reference_date}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Matching round of {result.reference_date}</h1>",
        _summary(result),
        _technical(result),
        "<h2>Map and charts</h2>",
        '<div class="figures">' + "".join(figures) + "</div>",
        "<h2>Proposals</h2>",
        _proposals(result),
        "<h2>Score breakdown</h2>",
        _breakdown(result),
        "<h2>Families without a proposal</h2>",
        _rows_table(
            ["family", "reason", "explanation"],
            [[u.family_id, u.reason.replace("_", " "), u.message] for u in result.unmatched],
        ),
        "<h2>Shortlists</h2>",
        _shortlists(result),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


STATUS_WORDS = {
    SolveStatus.OPTIMAL: "proven optimal: no other choice of proposals does better by these rules",
    SolveStatus.FEASIBLE: "good, but not proven optimal: the time limit came first",
    SolveStatus.INFEASIBLE: "no possible set of proposals: the rules rule out every choice",
    SolveStatus.TIME_LIMIT_NO_SOLUTION: "no proposals: the time limit came before any solution",
    SolveStatus.INVALID: "no proposals: the solver refused the round as invalid",
}
"""The solver's status as a coordinator reads it."""

REASON_WORDS = {
    UnmatchedReason.NOT_ELIGIBLE: "not eligible for a match",
    UnmatchedReason.NO_ELIGIBLE_VOLUNTEER: "no volunteer who fits the rules",
    UnmatchedReason.OUTCOMPETED: "every volunteer who could help is proposed to another family",
    UnmatchedReason.POOR_FIT: "only volunteers below the minimum quality",
}
"""Why families have no proposal, in words (the reasons' counts in the summary)."""


def _summary(result: SolveResult) -> str:
    """Families matched, how good the proposals are, why the others wait, and whether the
    choice is proven best; the solver's numbers stay in the technical details."""
    r = result.report
    share = f" ({r.families_matched / r.families_waiting:.0%})" if r.families_waiting else ""
    rows = [
        ["Families matched", f"{r.families_matched} of {r.families_waiting} waiting{share}"],
        *_quality_rows(result),
    ]
    reasons = Counter(u.reason for u in result.unmatched)
    if reasons:
        rows.append(
            [
                "Why families wait",
                "; ".join(
                    f"{n} {'family' if n == 1 else 'families'}: {REASON_WORDS[reason]}"
                    for reason, n in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
                ),
            ]
        )
    rows.append(["Result", STATUS_WORDS[r.status]])
    return _rows_table([], rows, css="summary")


def _quality_rows(result: SolveResult) -> list[list[str]]:
    """The average quality of the proposals (0 = poor fit, 1 = perfect fit) and its spread."""
    spread = result.report.proposal_quality
    if spread is None or not result.proposals:
        return [["Proposal quality", "no proposals"]]
    average = sum(p.scores.quality for p in result.proposals) / len(result.proposals)
    minimum = result.report.policy.min_quality
    return [
        [
            "Proposal quality",
            f"average {average:.2f}, on a scale from 0 (poor fit) to 1 (perfect fit)"
            + (f" (minimum allowed {minimum:g})" if minimum else ""),
        ],
        [
            "Spread of quality",
            f"a quarter of the proposals below {spread.lower_quartile:.2f}, half below "
            f"{spread.median:.2f}, a quarter above {spread.upper_quartile:.2f} "
            f"(lowest {spread.minimum:.2f}, highest {spread.maximum:.2f})",
        ],
    ]


def _technical(result: SolveResult) -> str:
    """The solver's own figures, folded away: for whoever tunes or checks the solver."""
    r = result.report
    table = _rows_table(
        [],
        [
            ["Solver", f"{r.backend}, status {r.status}"],
            ["Objective / proven bound", f"{r.objective} / {r.bound} (gap {r.gap_text()})"],
            ["Eligible pairs", str(r.candidate_pairs)],
        ],
        css="summary",
    )
    return f"<details><summary>Technical details</summary>{table}</details>"


def _proposals(result: SolveResult) -> str:
    return _rows_table(
        ["family", "volunteer", "half-day", "km", "quality", "", "why"],
        [
            [
                p.family_id,
                p.volunteer_id,
                p.slot,
                f"{p.distance_km:.1f}",
                f"{p.scores.quality:.2f}",
                f'<span class="bar" style="width:{p.scores.quality * 6:.1f}rem"></span>',
                "; ".join(html.escape(reason) for reason in p.reasons),
            ]
            for p in result.proposals
        ],
        raw_columns={5, 6},
    )


def _breakdown(result: SolveResult) -> str:
    return _rows_table(
        ["family", *(term.replace("_", " ") for term in QUALITY_TERMS), "quality"],
        [
            [
                p.family_id,
                *(_score(getattr(p.scores, term)) for term in QUALITY_TERMS),
                _score(p.scores.quality),
            ]
            for p in result.proposals
        ],
    )


def _shortlists(result: SolveResult) -> str:
    return _rows_table(
        ["family", "rank", "volunteer", "quality", "km", "proposed to"],
        [
            [
                s.family_id,
                str(rank),
                a.volunteer_id,
                f"{a.quality:.2f}",
                f"{a.distance_km:.1f}",
                " ".join(a.proposed_to) or "-",
            ]
            for s in result.shortlists
            for rank, a in enumerate(s.alternatives, start=1)
        ],
    )


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _rows_table(
    header: list[str],
    rows: Iterable[list[str]],
    raw_columns: set[int] | None = None,
    css: str = "",
) -> str:
    raw = raw_columns or set()
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{cell if i in raw else html.escape(cell)}</td>" for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    header_row = f"<thead><tr>{head}</tr></thead>" if header else ""
    return f'<table class="{css}">{header_row}<tbody>{body}</tbody></table>'


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _map(prepared: PreparedRound, result: SolveResult) -> str:
    """Families (circles), volunteers (squares) and proposed pairs (lines) on their postcodes."""
    figure = Figure(figsize=(6, 6))
    axis = figure.subplots()
    v_index, f_index = prepared.volunteer_index, prepared.family_index
    for p in result.proposals:
        f, v = f_index[p.family_id], v_index[p.volunteer_id]
        axis.plot(
            [prepared.family_lon[f], prepared.volunteer_lon[v]],
            [prepared.family_lat[f], prepared.volunteer_lat[v]],
            color="#4c78a8",
            lw=1,
        )
    matched = {p.family_id for p in result.proposals}
    waiting = [i for i, f in enumerate(prepared.families) if prepared.family_waiting[i]]
    for label, marker, color, indices, lats, lons in (
        (
            "volunteer",
            "s",
            "#f58518",
            range(len(prepared.volunteers)),
            prepared.volunteer_lat,
            prepared.volunteer_lon,
        ),
        (
            "family, proposed",
            "o",
            "#54a24b",
            [i for i in waiting if prepared.families[i].id in matched],
            prepared.family_lat,
            prepared.family_lon,
        ),
        (
            "family, no proposal",
            "o",
            "#e45756",
            [i for i in waiting if prepared.families[i].id not in matched],
            prepared.family_lat,
            prepared.family_lon,
        ),
    ):
        chosen = list(indices)
        axis.scatter(lons[chosen], lats[chosen], marker=marker, s=14, color=color, label=label)
    axis.set_aspect(1 / 0.62)  # about cos(52 degrees): km look alike both ways
    axis.set(title="Proposals on the map", xlabel="longitude", ylabel="latitude")
    axis.legend(fontsize=7, loc="best")
    figure.tight_layout()
    return _svg(figure)


def _distances(result: SolveResult) -> str:
    figure = Figure(figsize=(5, 3.2))
    axis = figure.subplots()
    axis.hist([p.distance_km for p in result.proposals] or [0.0], bins=12, color="#4c78a8")
    axis.set(title="Distance of the proposed pairs", xlabel="km", ylabel="pairs")
    figure.tight_layout()
    return _svg(figure)


def _slots(prepared: PreparedRound) -> str:
    """For each half-day: waiting families free then, and volunteers with a free place then."""
    waiting = [f for i, f in enumerate(prepared.families) if prepared.family_waiting[i]]
    demand = [sum(1 for f in waiting if s in f.slots) for s in SLOT_NAMES]
    free = prepared.volunteer_free_slots * (prepared.volunteer_free_capacity > 0)
    offer = [int(((free >> i) & 1).sum()) for i in range(len(SLOT_NAMES))]
    figure = Figure(figsize=(9, 3.2))
    axis = figure.subplots()
    positions = range(len(SLOT_NAMES))
    axis.bar([x - 0.2 for x in positions], demand, width=0.4, label="families waiting")
    axis.bar([x + 0.2 for x in positions], offer, width=0.4, label="volunteers with a place")
    axis.set_xticks(list(positions), SLOT_NAMES, rotation=60, fontsize=7)
    axis.set(title="Half-days in demand and on offer", ylabel="people")
    axis.legend(fontsize=7)
    figure.tight_layout()
    return _svg(figure)
