"""The what-if comparison as Markdown: baseline and levers side by side, with intervals.

Text that comes from the scenario (lever names, places) is escaped where it enters Markdown.
Every other word comes from the engine's catalog, in the language asked for (English by default),
with numbers and dates written the way that language writes them.
"""

from __future__ import annotations

from matcher.i18n import N_
from matcher.simulate.advice import Advice, advice_section
from matcher.simulate.markdown import escape
from matcher.simulate.markdown import table as _table
from matcher.simulate.measures import (
    Key,
    TimeToMatch,
    matching_curve,
    summarise,
    time_to_match,
    unmatched_reasons,
    waiting_list,
)
from matcher.simulate.replication import Case
from matcher.simulate.runner import SimulationResult
from matcher.simulate.texts import Texts

REASONS = {
    "not_eligible": N_("not eligible"),
    "no_eligible_volunteer": N_("no eligible volunteer"),
    "outcompeted": N_("outcompeted"),
    "poor_fit": N_("poor fit"),
}
"""The report's words for each unmatched reason (``matcher.result.UnmatchedReason``)."""


def markdown_report(
    result: SimulationResult,
    charts: dict[str, str] | None = None,
    advice: list[Advice] | None = None,
    texts: Texts | None = None,
) -> str:
    """A report a planner can read: comparison, waiting list over time, who waits; with
    ``charts`` (file name -> title), the charts are shown after the comparison; with
    ``advice``, the recruitment advice closes the report. In the language of ``texts``
    (default English)."""
    t = texts or Texts()
    sections = [
        _introduction(result, t),
        _comparison(result, t),
        _charts(charts or {}),
        _waiting_over_time(result, t),
        _who_waits(
            result,
            t.gettext("Who waits, by home language"),
            t.gettext("home language"),
            _language,
            t,
        ),
        _who_waits(result, t.gettext("Who waits, by place"), t.gettext("place"), _place, t),
        _unmatched(result, t),
        advice_section(advice, t) if advice else "",
    ]
    return "\n\n".join(s for s in sections if s) + "\n"


def _introduction(result: SimulationResult, t: Texts) -> str:
    sim = result.simulation
    count = len(next(iter(result.replications.values())))
    return (
        "# "
        + t.gettext("What-if simulation")
        + "\n\n"
        + t.gettext(
            "{weeks} weeks from {start}, {count} replications per variant (seeds {first}..{last}, "
            "the same for every variant); a matching round every {cadence} weeks unless a lever "
            "changes it. Time to match counts from referral; the intake takes {intake} week(s) "
            "before a family joins the waiting list. It is estimated as time-to-event "
            "(Aalen-Johansen): families still waiting at the end are censored, families who gave "
            'up or aged out are competing events, so a median is "not reached" when fewer than '
            "half were matched. Figures with 95 % intervals from a percentile bootstrap over "
            "replications."
        ).format(
            weeks=sim.horizon_weeks,
            start=t.date(sim.start_date),
            count=count,
            first=sim.seed,
            last=sim.seed + count - 1,
            cadence=sim.cadence_weeks,
            intake=sim.intake_weeks,
        )
    )


def _comparison(result: SimulationResult, t: Texts) -> str:
    sim = result.simulation
    variants = list(result.replications)
    summaries = {
        name: summarise(reps, sim.horizon_weeks, sim.seed)
        for name, reps in result.replications.items()
    }
    table = _table(
        [t.gettext("measure"), *(escape(t.variant(v)) for v in variants)],
        [
            [t.gettext(name), *(summaries[v][name].text(t) for v in variants)]
            for name in summaries[variants[0]]
        ],
    )
    return "## " + t.gettext("Baseline and levers") + "\n\n" + table + _arrival_week_note(result, t)


def _arrival_week_note(result: SimulationResult, t: Texts) -> str:
    """Say what a wait of 0 weeks means, where there is one."""
    horizon = result.simulation.horizon_weeks
    curves = {name: matching_curve(reps, horizon) for name, reps in result.replications.items()}
    shares = {name: float(curve[0]) for name, curve in curves.items() if curve[0] > 0}
    if not shares:
        return ""
    where = ", ".join(
        f"{escape(t.variant(name))} {t.share(share)}" for name, share in shares.items()
    )
    return "\n\n" + t.gettext(
        "A time to match of 0 weeks means matched in the week of referral (the intake took "
        "less than a week): {shares} of families."
    ).format(shares=where)


def _charts(charts: dict[str, str]) -> str:
    return "\n\n".join(f"![{escape(title)}]({name})" for name, title in charts.items())


def _waiting_over_time(result: SimulationResult, t: Texts) -> str:
    variants = list(result.replications)
    seed = result.simulation.seed
    lists = {v: waiting_list(reps, seed=seed) for v, reps in result.replications.items()}
    table = _table(
        [t.gettext("week"), *(escape(t.variant(v)) for v in variants)],
        [[str(w), *(t.number(lists[v][w].mean, 1) for v in variants)] for w in lists[variants[0]]],
    )
    return "## " + t.gettext("Waiting list over time (mean families waiting)") + "\n\n" + table


def _who_waits(result: SimulationResult, heading: str, title: str, key: Key, t: Texts) -> str:
    sim = result.simulation
    rows = []
    for variant, reps in result.replications.items():
        groups = time_to_match(reps, sim.horizon_weeks, sim.seed, key)
        for name, group in sorted(groups.items(), key=lambda item: -item[1].families):
            rows.append([escape(name), escape(t.variant(variant)), *_group_cells(group, t)])
    header = [
        title,
        t.gettext("variant"),
        t.gettext("families per replication"),
        t.gettext("median time to match (weeks)"),
        t.gettext("matched within 8 weeks"),
        t.gettext("withdrew"),
    ]
    return f"## {heading}\n\n" + _table(header, rows)


def _group_cells(group: TimeToMatch, t: Texts) -> list[str]:
    return [
        t.number(group.families, 1),
        group.median.text(t),
        group.within[8].text(t),
        group.withdrew.text(t),
    ]


def _unmatched(result: SimulationResult, t: Texts) -> str:
    reasons = unmatched_reasons(next(iter(result.replications.values())))
    body = (
        _table(
            [t.gettext("reason"), t.gettext("families")],
            [[t.gettext(REASONS[reason]), t.number(n, 1)] for reason, n in reasons.items()],
        )
        if reasons
        else t.gettext("Nobody was left unmatched.")
    )
    return (
        "## "
        + t.gettext("Unmatched in the last round of the baseline (per replication)")
        + ("\n\n" + body)
    )


def _language(case: Case) -> str:
    return case.language


def _place(case: Case) -> str:
    return case.place
