"""The what-if comparison as Markdown: baseline and levers side by side, with intervals."""

from __future__ import annotations

from matcher.simulate.advice import Advice
from matcher.simulate.measures import breakdown, summarise, unmatched_reasons, waiting_list
from matcher.simulate.runner import SimulationResult
from matcher.simulate.weeks import Case


def markdown_report(
    result: SimulationResult,
    charts: dict[str, str] | None = None,
    advice: list[Advice] | None = None,
) -> str:
    """A report a planner can read: comparison, waiting list over time, who waits; with
    ``charts`` (file name -> title), the charts are shown after the comparison; with
    ``advice``, the recruitment advice closes the report."""
    sim = result.simulation
    horizon = sim.horizon_weeks
    variants = list(result.replications)
    count = len(result.replications[variants[0]])
    summaries = {name: summarise(reps, horizon) for name, reps in result.replications.items()}
    lines = [
        "# What-if simulation",
        "",
        f"{horizon} weeks from {sim.start_date}, {count} replications per variant (seeds "
        f"{sim.seed}..{sim.seed + count - 1}, the same for every variant); a matching round "
        f"every {sim.cadence_weeks} weeks unless a lever changes it. Figures are means over "
        "replications with 95 % confidence intervals.",
        "",
        "## Baseline and levers",
        "",
        _table(
            ["measure", *variants],
            [
                [name, *(str(summaries[v][name]) for v in variants)]
                for name in summaries[variants[0]]
            ],
        ),
        "",
        *(f"![{title}]({name})\n" for name, title in (charts or {}).items()),
        "## Waiting list over time",
        "",
    ]
    lists = {v: waiting_list(reps) for v, reps in result.replications.items()}
    lines.append(
        _table(
            ["week", *variants],
            [[str(w), *(f"{lists[v][w].mean:.1f}" for v in variants)] for w in lists[variants[0]]],
        )
    )
    baseline = result.replications[variants[0]]
    for title, key in (("home language", _language), ("place", _place)):
        groups = breakdown(baseline, horizon, key)
        lines += ["", f"## Who waits in the baseline, by {title}", ""]
        lines.append(
            _table(
                [
                    title,
                    "families per replication",
                    "median wait (weeks)",
                    "matched within 8 weeks",
                ],
                [
                    [
                        name,
                        f"{g['families per replication']:.1f}",
                        f"{g['median wait (weeks)']:.1f}",
                        f"{g['matched within 8 weeks']:.0%}",
                    ]
                    for name, g in groups.items()
                ],
            )
        )
    reasons = unmatched_reasons(baseline)
    lines += ["", "## Unmatched in the last round of the baseline (per replication)", ""]
    lines.append(
        _table(
            ["reason", "families"],
            [[reason.replace("_", " "), f"{n:.1f}"] for reason, n in reasons.items()],
        )
        if reasons
        else "Nobody was left unmatched."
    )
    if advice:
        lines += ["", "## Recruitment advice", "", advice[0].sentence(), ""]
        lines.append(
            _table(
                ["one more volunteer", "waiting list drop (families)", "matched within 8 weeks"],
                [
                    [a.profile, str(a.waiting_list_drop), f"{a.within_8_weeks_gain.mean:+.1%}"]
                    for a in advice
                ],
            )
        )
    return "\n".join(lines) + "\n"


def _language(case: Case) -> str:
    return case.language


def _place(case: Case) -> str:
    return case.place


def _table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)
