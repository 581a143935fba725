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
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import ScalarFormatter

from matcher.domain.prepared import PreparedRound
from matcher.domain.round import QUALITY_TERMS
from matcher.domain.slots import SLOT_NAMES
from matcher.explain.unmatched import REASON_NAMES
from matcher.i18n import N_
from matcher.result import SolveResult, SolveStatus, UnmatchedReason
from matcher.wording import Wording, wording

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


def round_report(prepared: PreparedRound, result: SolveResult, words: Wording | None = None) -> str:
    """The page as one HTML string, in ``words``' language (default: the result's)."""
    words = words or wording(result.language)
    _ = words.gettext
    with matplotlib.rc_context({"svg.hashsalt": "matcher", "svg.fonttype": "none"}):
        figures = [
            _map(prepared, result, words),
            _distances(result, words),
            _slots(prepared, words),
        ]
    day = words.long_day(result.reference_date)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{words.language}"><head><meta charset="utf-8">',
        "<title>" + html.escape(_("Matching round {day}").format(day=day)) + "</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>" + html.escape(_("Matching round of {day}").format(day=day)) + "</h1>",
        _summary(result, words),
        _technical(result, words),
        _heading(_("Map and charts")),
        '<div class="figures">' + "".join(figures) + "</div>",
        _heading(_("Proposals")),
        _proposals(result, words),
        _heading(_("Score breakdown")),
        _breakdown(result, words),
        _heading(_("Families without a proposal")),
        _rows_table(
            [_("family"), _("reason"), _("explanation")],
            [[u.family_id, _(REASON_NAMES[u.reason]), u.message] for u in result.unmatched],
        ),
        _heading(_("Shortlists")),
        _shortlists(result, words),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


STATUS_WORDS = {
    SolveStatus.OPTIMAL: N_(
        "proven optimal: no other choice of proposals does better by these rules"
    ),
    SolveStatus.FEASIBLE: N_("good, but not proven optimal: the time limit came first"),
    SolveStatus.INFEASIBLE: N_("no possible set of proposals: the rules rule out every choice"),
    SolveStatus.TIME_LIMIT_NO_SOLUTION: N_("no proposals: the time limit came before any solution"),
    SolveStatus.INVALID: N_("no proposals: the solver refused the round as invalid"),
}
"""The solver's status as a coordinator reads it."""

REASON_WORDS = {
    UnmatchedReason.NOT_ELIGIBLE: N_("not eligible for a match"),
    UnmatchedReason.NO_ELIGIBLE_VOLUNTEER: N_("no volunteer who fits the rules"),
    UnmatchedReason.OUTCOMPETED: N_("every volunteer who could help is proposed to another family"),
    UnmatchedReason.POOR_FIT: N_("only volunteers below the minimum quality"),
}
"""Why families have no proposal, in words (the reasons' counts in the summary)."""

TERM_WORDS = {
    "language": N_("language"),
    "distance": N_("distance"),
    "availability": N_("availability"),
    "child_ages": N_("child ages"),
    "themes": N_("themes"),
    "preferences": N_("preferences"),
}
"""The quality terms as column headers (one for each of ``QUALITY_TERMS``)."""


def _summary(result: SolveResult, words: Wording) -> str:
    """Families matched, how good the proposals are, why the others wait, and whether the
    choice is proven best; the solver's numbers stay in the technical details."""
    _, ngettext = words.gettext, words.ngettext
    r = result.report
    share = (
        f" ({words.percent(r.families_matched / r.families_waiting)})" if r.families_waiting else ""
    )
    rows = [
        [
            _("Families matched"),
            _("{matched} of {waiting} waiting").format(
                matched=r.families_matched, waiting=r.families_waiting
            )
            + share,
        ],
        *_quality_rows(result, words),
    ]
    reasons = Counter(u.reason for u in result.unmatched)
    if reasons:
        rows.append(
            [
                _("Why families wait"),
                "; ".join(
                    ngettext("{n} family: {why}", "{n} families: {why}", n).format(
                        n=n, why=_(REASON_WORDS[reason])
                    )
                    for reason, n in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
                ),
            ]
        )
    rows.append([_("Result"), _(STATUS_WORDS[r.status])])
    return _rows_table([], rows, css="summary")


def _quality_rows(result: SolveResult, words: Wording) -> list[list[str]]:
    """The average quality of the proposals (0 = poor fit, 1 = perfect fit) and its spread."""
    _ = words.gettext
    spread = result.report.proposal_quality
    if spread is None or not result.proposals:
        return [[_("Proposal quality"), _("no proposals")]]
    average = sum(p.scores.quality for p in result.proposals) / len(result.proposals)
    minimum = result.report.policy.min_quality
    return [
        [
            _("Proposal quality"),
            _("average {average}, on a scale from 0 (poor fit) to 1 (perfect fit)").format(
                average=words.fixed(average, 2)
            )
            + (
                _(" (minimum allowed {minimum})").format(minimum=words.short(minimum))
                if minimum
                else ""
            ),
        ],
        [
            _("Spread of quality"),
            _(
                "a quarter of the proposals below {lower}, half below {median}, a quarter "
                "above {upper} (lowest {lowest}, highest {highest})"
            ).format(
                lower=words.fixed(spread.lower_quartile, 2),
                median=words.fixed(spread.median, 2),
                upper=words.fixed(spread.upper_quartile, 2),
                lowest=words.fixed(spread.minimum, 2),
                highest=words.fixed(spread.maximum, 2),
            ),
        ],
    ]


def _technical(result: SolveResult, words: Wording) -> str:
    """The solver's own figures, folded away: for whoever tunes or checks the solver."""
    _ = words.gettext
    r = result.report
    gap = words.percent(r.gap, 2) if r.has_solution else _("no solution")
    table = _rows_table(
        [],
        [
            [
                _("Solver"),
                _("{backend}, status {status}").format(backend=r.backend, status=r.status),
            ],
            [
                _("Objective / proven bound"),
                _("{objective} / {bound} (gap {gap})").format(
                    objective=r.objective, bound=r.bound, gap=gap
                ),
            ],
            [_("Eligible pairs"), str(r.candidate_pairs)],
        ],
        css="summary",
    )
    summary = html.escape(_("Technical details"))
    return f"<details><summary>{summary}</summary>{table}</details>"


def _proposals(result: SolveResult, words: Wording) -> str:
    _ = words.gettext
    return _rows_table(
        [_("family"), _("volunteer"), _("half-day"), "km", _("quality"), "", _("why")],
        [
            [
                p.family_id,
                p.volunteer_id,
                words.slot(p.slot),
                words.fixed(p.distance_km),
                words.fixed(p.scores.quality, 2),
                f'<span class="bar" style="width:{p.scores.quality * 6:.1f}rem"></span>',
                "; ".join(html.escape(reason) for reason in p.reasons),
            ]
            for p in result.proposals
        ],
        raw_columns={5, 6},
    )


def _breakdown(result: SolveResult, words: Wording) -> str:
    _ = words.gettext
    return _rows_table(
        [_("family"), *(_(TERM_WORDS[term]) for term in QUALITY_TERMS), _("quality")],
        [
            [
                p.family_id,
                *(_score(getattr(p.scores, term), words) for term in QUALITY_TERMS),
                _score(p.scores.quality, words),
            ]
            for p in result.proposals
        ],
    )


def _shortlists(result: SolveResult, words: Wording) -> str:
    _ = words.gettext
    return _rows_table(
        [_("family"), _("rank"), _("volunteer"), _("quality"), "km", _("proposed to")],
        [
            [
                s.family_id,
                str(rank),
                a.volunteer_id,
                words.fixed(a.quality, 2),
                words.fixed(a.distance_km),
                " ".join(a.proposed_to) or "-",
            ]
            for s in result.shortlists
            for rank, a in enumerate(s.alternatives, start=1)
        ],
    )


def _heading(text: str) -> str:
    return f"<h2>{html.escape(text)}</h2>"


def _score(value: float | None, words: Wording) -> str:
    return "-" if value is None else words.fixed(value, 2)


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


class _SignedFormatter(ScalarFormatter):
    """Matplotlib's tick labels with another decimal sign."""

    def __init__(self, sign: str) -> None:
        super().__init__()
        self.sign = sign

    def __call__(self, x: float, pos: int | None = None) -> str:
        return str(super().__call__(x, pos)).replace(".", self.sign)


def _decimal_sign(axis: Axes, words: Wording, x: bool = True) -> None:
    """Tick labels of the y axis (and the x axis unless ``x`` is false: named ticks) with the
    language's decimal sign; English keeps matplotlib's own."""
    if words.decimal_sign != ".":
        if x:
            axis.xaxis.set_major_formatter(_SignedFormatter(words.decimal_sign))
        axis.yaxis.set_major_formatter(_SignedFormatter(words.decimal_sign))


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _map(prepared: PreparedRound, result: SolveResult, words: Wording) -> str:
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
    _ = words.gettext
    for label, marker, color, indices, lats, lons in (
        (
            _("volunteer"),
            "s",
            "#f58518",
            range(len(prepared.volunteers)),
            prepared.volunteer_lat,
            prepared.volunteer_lon,
        ),
        (
            _("family, proposed"),
            "o",
            "#54a24b",
            [i for i in waiting if prepared.families[i].id in matched],
            prepared.family_lat,
            prepared.family_lon,
        ),
        (
            _("family, no proposal"),
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
    axis.set(title=_("Proposals on the map"), xlabel=_("longitude"), ylabel=_("latitude"))
    axis.legend(fontsize=7, loc="best")
    _decimal_sign(axis, words)
    figure.tight_layout()
    return _svg(figure)


def _distances(result: SolveResult, words: Wording) -> str:
    _ = words.gettext
    figure = Figure(figsize=(5, 3.2))
    axis = figure.subplots()
    axis.hist([p.distance_km for p in result.proposals] or [0.0], bins=12, color="#4c78a8")
    axis.set(title=_("Distance of the proposed pairs"), xlabel="km", ylabel=_("pairs"))
    _decimal_sign(axis, words)
    figure.tight_layout()
    return _svg(figure)


def _slots(prepared: PreparedRound, words: Wording) -> str:
    """For each half-day: waiting families free then, and volunteers with a free place then."""
    _ = words.gettext
    waiting = [f for i, f in enumerate(prepared.families) if prepared.family_waiting[i]]
    demand = [sum(1 for f in waiting if s in f.slots) for s in SLOT_NAMES]
    free = prepared.volunteer_free_slots * (prepared.volunteer_free_capacity > 0)
    offer = [int(((free >> i) & 1).sum()) for i in range(len(SLOT_NAMES))]
    figure = Figure(figsize=(9, 3.2))
    axis = figure.subplots()
    positions = range(len(SLOT_NAMES))
    axis.bar([x - 0.2 for x in positions], demand, width=0.4, label=_("families waiting"))
    axis.bar([x + 0.2 for x in positions], offer, width=0.4, label=_("volunteers with a place"))
    axis.set_xticks(
        list(positions), [words.slot(name) for name in SLOT_NAMES], rotation=60, fontsize=7
    )
    axis.set(title=_("Half-days in demand and on offer"), ylabel=_("people"))
    axis.legend(fontsize=7)
    _decimal_sign(axis, words, x=False)
    figure.tight_layout()
    return _svg(figure)
