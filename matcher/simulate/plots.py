"""Charts for the what-if report (matplotlib, SVG): the waiting list over time, the share of
families matched within so many weeks, and who is matched in time by home language.

The SVG files are byte-identical for the same input: a fixed ``svg.hashsalt`` makes matplotlib's
element ids depend on content only, and the date is left out of the metadata. They are written
atomically, like every other output. Titles and axis labels come from the engine's catalog, in
the language asked for (English by default).
"""

from __future__ import annotations

import io

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from matcher.i18n import number
from matcher.simulate.measures import matching_curve, time_to_match, waiting_list
from matcher.simulate.runner import SimulationResult
from matcher.simulate.texts import ENGLISH, Texts

HASH_SALT = "matcher-what-if"


def render_plots(
    result: SimulationResult, stem: str, texts: Texts | None = None
) -> dict[str, tuple[str, bytes]]:
    """Every chart as (title, SVG bytes), by file name, labelled in the language of ``texts``."""
    t = texts or Texts()
    horizon = result.simulation.horizon_weeks
    figures = {
        f"{stem}-waiting-list.svg": (t.gettext("Waiting list over time"), _waiting_list(result, t)),
        f"{stem}-waits.svg": (
            t.gettext("Share of families matched within so many weeks of referral"),
            _waits(result, horizon, t),
        ),
        f"{stem}-languages.svg": (
            t.gettext("Matched within 8 weeks by home language"),
            _languages(result, horizon, t),
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


def _ticks(axis: Axes, t: Texts, x: bool = True) -> None:
    """Numbers on the axes as the reader's language writes them (nl: ``0,2``); English keeps
    matplotlib's own."""
    if t.language == ENGLISH:
        return
    formatter = FuncFormatter(lambda value, _: number(value, t.language, 2))
    axis.yaxis.set_major_formatter(formatter)
    if x:
        axis.xaxis.set_major_formatter(formatter)


def _waiting_list(result: SimulationResult, t: Texts) -> Figure:
    figure = Figure(figsize=(8, 4))
    axis = figure.subplots()
    seed = result.simulation.seed
    for name, replications in result.replications.items():
        series = waiting_list(replications, every=1, seed=seed)
        weeks = list(series)
        axis.plot(weeks, [series[w].mean for w in weeks], label=label(t.variant(name)))
        if not any(v.low != v.low for v in series.values()):  # NaN: no interval
            axis.fill_between(
                weeks, [series[w].low for w in weeks], [series[w].high for w in weeks], alpha=0.15
            )
    axis.set(xlabel=t.gettext("week"), ylabel=t.gettext("families waiting (mean, 95 % interval)"))
    _ticks(axis, t)
    axis.legend(fontsize=7)
    figure.tight_layout()
    return figure


def _waits(result: SimulationResult, horizon: int, t: Texts) -> Figure:
    figure = Figure(figsize=(8, 4))
    axis = figure.subplots()
    for name, replications in result.replications.items():
        curve = matching_curve(replications, horizon)[:27]
        axis.step(range(len(curve)), curve, where="post", label=label(t.variant(name)))
    axis.set(
        xlabel=t.gettext("weeks since referral"),
        ylabel=t.gettext("share matched (Aalen-Johansen)"),
        ylim=(0, 1),
    )
    _ticks(axis, t)
    axis.legend(fontsize=7)
    figure.tight_layout()
    return figure


def _languages(result: SimulationResult, horizon: int, t: Texts) -> Figure:
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
            label=label(t.variant(name)),
        )
    axis.set_xticks([j + 0.4 - width / 2 for j in range(len(languages))], languages)
    axis.set(
        xlabel=t.gettext("home language (ISO 639)"),
        ylabel=t.gettext("matched within 8 weeks"),
        ylim=(0, 1),
    )
    _ticks(axis, t, x=False)
    axis.legend(fontsize=7)
    figure.tight_layout()
    return figure
