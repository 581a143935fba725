"""Charts for the what-if report (matplotlib, SVG): the waiting list over time, the spread of
waiting times, and who waits longest."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from matcher.simulate.measures import breakdown, share_matched_within, waiting_list
from matcher.simulate.runner import SimulationResult


def write_plots(result: SimulationResult, folder: Path, stem: str) -> dict[str, str]:
    """Write the charts as ``{stem}-*.svg`` into ``folder``; their titles by file name."""
    horizon = result.simulation.horizon_weeks
    charts = {
        f"{stem}-waiting-list.svg": ("Waiting list over time", _waiting_list(result)),
        f"{stem}-waits.svg": (
            "Share of families matched within so many weeks",
            _waits(result, horizon),
        ),
        f"{stem}-languages.svg": (
            "Median wait by home language (baseline)",
            _languages(result, horizon),
        ),
    }
    for name, (_, figure) in charts.items():
        figure.savefig(folder / name, metadata={"Date": None})
    return {name: title for name, (title, _) in charts.items()}


def _waiting_list(result: SimulationResult) -> Figure:
    figure = Figure(figsize=(8, 4))
    axis = figure.subplots()
    for name, replications in result.replications.items():
        series = waiting_list(replications, every=1)
        weeks = list(series)
        axis.plot(weeks, [series[w].mean for w in weeks], label=name)
        axis.fill_between(
            weeks, [series[w].low for w in weeks], [series[w].high for w in weeks], alpha=0.15
        )
    axis.set(xlabel="week", ylabel="families waiting (mean, 95 % CI)")
    axis.legend(fontsize=7)
    figure.tight_layout()
    return figure


def _waits(result: SimulationResult, horizon: int) -> Figure:
    figure = Figure(figsize=(8, 4))
    axis = figure.subplots()
    weeks = list(range(27))
    for name, replications in result.replications.items():
        shares = [share_matched_within(replications, horizon, w) for w in weeks]
        axis.step(weeks, shares, where="post", label=name)
    axis.set(xlabel="weeks since arrival", ylabel="share of families matched", ylim=(0, 1))
    axis.legend(fontsize=7)
    figure.tight_layout()
    return figure


def _languages(result: SimulationResult, horizon: int) -> Figure:
    baseline = next(iter(result.replications.values()))
    groups = breakdown(baseline, horizon, lambda case: case.language)
    figure = Figure(figsize=(8, 4))
    axis = figure.subplots()
    names = list(groups)
    axis.bar(names, [groups[n]["median wait (weeks)"] for n in names])
    axis.set(xlabel="home language (ISO 639)", ylabel="median wait (weeks)")
    figure.tight_layout()
    return figure
