"""The what-if comparison as Markdown: baseline and levers side by side, with intervals.

Text that comes from the scenario (lever names, places) is escaped where it enters Markdown.
"""

from __future__ import annotations

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


def markdown_report(
    result: SimulationResult,
    charts: dict[str, str] | None = None,
    advice: list[Advice] | None = None,
) -> str:
    """A report a planner can read: comparison, waiting list over time, who waits; with
    ``charts`` (file name -> title), the charts are shown after the comparison; with
    ``advice``, the recruitment advice closes the report."""
    sections = [
        _introduction(result),
        _comparison(result),
        _charts(charts or {}),
        _waiting_over_time(result),
        _who_waits(result, "home language", _language),
        _who_waits(result, "place", _place),
        _unmatched(result),
        advice_section(advice) if advice else "",
    ]
    return "\n\n".join(s for s in sections if s) + "\n"


def _introduction(result: SimulationResult) -> str:
    sim = result.simulation
    count = len(next(iter(result.replications.values())))
    return (
        "# What-if simulation\n\n"
        f"{sim.horizon_weeks} weeks from {sim.start_date}, {count} replications per variant "
        f"(seeds {sim.seed}..{sim.seed + count - 1}, the same for every variant); a matching "
        f"round every {sim.cadence_weeks} weeks unless a lever changes it. Time to match counts "
        f"from referral; the intake takes {sim.intake_weeks} week(s) before a family joins the "
        "waiting list. It is estimated as time-to-event (Aalen-Johansen): families still "
        "waiting at the end are censored, families who gave up or aged out are competing "
        'events, so a median is "not reached" when fewer than half were matched. Figures '
        "with 95 % intervals from a percentile bootstrap over replications."
    )


def _comparison(result: SimulationResult) -> str:
    sim = result.simulation
    variants = list(result.replications)
    summaries = {
        name: summarise(reps, sim.horizon_weeks, sim.seed)
        for name, reps in result.replications.items()
    }
    table = _table(
        ["measure", *(escape(v) for v in variants)],
        [[name, *(str(summaries[v][name]) for v in variants)] for name in summaries[variants[0]]],
    )
    return "## Baseline and levers\n\n" + table + _arrival_week_note(result)


def _arrival_week_note(result: SimulationResult) -> str:
    """Say what a wait of 0 weeks means, where there is one."""
    horizon = result.simulation.horizon_weeks
    curves = {name: matching_curve(reps, horizon) for name, reps in result.replications.items()}
    shares = {name: float(curve[0]) for name, curve in curves.items() if curve[0] > 0}
    if not shares:
        return ""
    where = ", ".join(f"{escape(name)} {share:.0%}" for name, share in shares.items())
    return (
        "\n\nA time to match of 0 weeks means matched in the week of referral (the intake "
        f"took less than a week): {where} of families."
    )


def _charts(charts: dict[str, str]) -> str:
    return "\n\n".join(f"![{escape(title)}]({name})" for name, title in charts.items())


def _waiting_over_time(result: SimulationResult) -> str:
    variants = list(result.replications)
    seed = result.simulation.seed
    lists = {v: waiting_list(reps, seed=seed) for v, reps in result.replications.items()}
    table = _table(
        ["week", *(escape(v) for v in variants)],
        [[str(w), *(f"{lists[v][w].mean:.1f}" for v in variants)] for w in lists[variants[0]]],
    )
    return "## Waiting list over time (mean families waiting)\n\n" + table


def _who_waits(result: SimulationResult, title: str, key: Key) -> str:
    sim = result.simulation
    rows = []
    for variant, reps in result.replications.items():
        groups = time_to_match(reps, sim.horizon_weeks, sim.seed, key)
        for name, group in sorted(groups.items(), key=lambda item: -item[1].families):
            rows.append([escape(name), escape(variant), *_group_cells(group)])
    header = [
        title,
        "variant",
        "families per replication",
        "median time to match (weeks)",
        "matched within 8 weeks",
        "withdrew",
    ]
    return f"## Who waits, by {title}\n\n" + _table(header, rows)


def _group_cells(group: TimeToMatch) -> list[str]:
    return [f"{group.families:.1f}", str(group.median), str(group.within[8]), str(group.withdrew)]


def _unmatched(result: SimulationResult) -> str:
    reasons = unmatched_reasons(next(iter(result.replications.values())))
    body = (
        _table(
            ["reason", "families"],
            [[reason.replace("_", " "), f"{n:.1f}"] for reason, n in reasons.items()],
        )
        if reasons
        else "Nobody was left unmatched."
    )
    return "## Unmatched in the last round of the baseline (per replication)\n\n" + body


def _language(case: Case) -> str:
    return case.language


def _place(case: Case) -> str:
    return case.place
