"""Charts for the what-if report (matplotlib, SVG): the waiting list over time, the share of
families matched within so many weeks, and who is matched in time by home language.

The SVG files are byte-identical for the same input: a fixed ``svg.hashsalt`` makes matplotlib's
element ids depend on content only, and the date is left out of the metadata. They are written
atomically, like every other output.
"""

from __future__ import annotations

import io

import matplotlib as mpl
from matplotlib.figure import Figure

from matcher.simulate.measures import matching_curve, time_to_match, waiting_list
from matcher.simulate.runner import SimulationResult

HASH_SALT = "matcher-what-if"


def render_plots(result: SimulationResult, stem: str) -> dict[str, tuple[str, bytes]]:
    """Every chart as (title, SVG bytes), by file name."""
    horizon = result.simulation.horizon_weeks
    figures = {
        f"{stem}-waiting-list.svg": ("Waiting list over time", _waiting_list(result)),
        f"{stem}-waits.svg": (
            "Share of families matched within so many weeks of referral",
            _waits(result, horizon),
        ),
        f"{stem}-languages.svg": (
            "Matched within 8 weeks by home language",
            _languages(result, horizon),
        ),
    }
    return {name: (title, _svg(figure)) for name, (title, figure) in figures.items()}


def _svg(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    with mpl.rc_context({"svg.hashsalt": HASH_SALT}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def label(text: str) -> str:
    """Scenario text as a literal chart label (a ``$`` would start matplotlib's mathtext)."""
    return text.replace("$", r"\$")


def _waiting_list(result: SimulationResult) -> Figure:
    figure = Figure(figsize=(8, 4))
    axis = figure.subplots()
    seed = result.simulation.seed
    for name, replications in result.replications.items():
        series = waiting_list(replications, every=1, seed=seed)
        weeks = list(series)
        axis.plot(weeks, [series[w].mean for w in weeks], label=label(name))
        if not any(v.low != v.low for v in series.values()):  # NaN: no interval
            axis.fill_between(
                weeks, [series[w].low for w in weeks], [series[w].high for w in weeks], alpha=0.15
            )
    axis.set(xlabel="week", ylabel="families waiting (mean, 95 % interval)")
    axis.legend(fontsize=7)
    figure.tight_layout()
    return figure


def _waits(result: SimulationResult, horizon: int) -> Figure:
    figure = Figure(figsize=(8, 4))
    axis = figure.subplots()
    for name, replications in result.replications.items():
        curve = matching_curve(replications, horizon)[:27]
        axis.step(range(len(curve)), curve, where="post", label=label(name))
    axis.set(
        xlabel="weeks since referral",
        ylabel="share matched (Aalen-Johansen)",
        ylim=(0, 1),
    )
    axis.legend(fontsize=7)
    figure.tight_layout()
    return figure


def _languages(result: SimulationResult, horizon: int) -> Figure:
    figure = Figure(figsize=(8, 4))
    axis = figure.subplots()
    variants = list(result.replications)
    groups = {
        name: time_to_match(reps, horizon, result.simulation.seed, lambda case: case.language)
        for name, reps in result.replications.items()
    }
    languages = sorted({code for g in groups.values() for code in g})
    width = 0.8 / len(variants)
    for i, name in enumerate(variants):
        shares = [
            groups[name][code].within[8] if code in groups[name] else None for code in languages
        ]
        xs = [j + i * width for j, s in enumerate(shares) if s is not None]
        values = [s for s in shares if s is not None]
        axis.bar(
            xs,
            [s.mean for s in values],
            width,
            yerr=[
                [max(s.mean - s.low, 0) if s.low == s.low else 0 for s in values],
                [max(s.high - s.mean, 0) if s.high == s.high else 0 for s in values],
            ],
            label=label(name),
        )
    axis.set_xticks([j + 0.4 - width / 2 for j in range(len(languages))], languages)
    axis.set(xlabel="home language (ISO 639)", ylabel="matched within 8 weeks", ylim=(0, 1))
    axis.legend(fontsize=7)
    figure.tight_layout()
    return figure
