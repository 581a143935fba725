"""The what-if simulation command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from matcher.cli.app import main
from matcher.i18n import LANGUAGES, from_environment
from matcher.io.atomic import write_files_atomic


@main.command()
@click.argument("scenario_path", metavar="SCENARIO", type=click.Path(dir_okay=False))
@click.option("--replications", type=click.IntRange(1, 10_000), help="Runs per variant.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Local processes (results are identical for any number).",
)
@click.option(
    "--backend",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Local processes, or a Dask cluster (needs --scheduler and the dask extra).",
)
@click.option("--scheduler", help="Address of the Dask scheduler, e.g. tcp://10.0.0.5:8786.")
@click.option(
    "--advice",
    "advice_runs",
    type=click.IntRange(2, 10_000),
    help="Also find which one extra volunteer profile shortens waiting most, with this many "
    "replications per profile.",
)
@click.option(
    "--out", default="-", show_default=True, help="Markdown report file; - prints it to stdout."
)
@click.option(
    "--lang",
    "language",
    type=click.Choice(LANGUAGES),
    help="Language of the report and its charts (default: from the locale, else English).",
)
def simulate(
    scenario_path: str,
    replications: int | None,
    workers: int,
    backend: str,
    scheduler: str | None,
    advice_runs: int | None,
    out: str,
    language: str | None,
) -> None:
    """Simulate a what-if SCENARIO (TOML) week by week with the real matching engine, and
    compare the baseline with its levers (a Markdown report, with SVG charts beside it).

    \b
    Example:
      matcher simulate scenarios/what-if.toml --replications 100 --workers 2 --out what-if.md
      matcher simulate scenarios/what-if.toml --advice 20 --out what-if.md
      matcher simulate scenarios/what-if.toml --backend dask --scheduler tcp://host:8786
      matcher simulate scenarios/what-if.toml --lang nl --out wat-als.md
    """
    from matcher.simulate.plots import render_plots
    from matcher.simulate.report import markdown_report
    from matcher.simulate.texts import Texts
    from matcher.simulate.what_if import load_simulation
    from matcher.usecases.simulation import what_if

    if (backend == "dask") != (scheduler is not None):
        raise click.UsageError("--backend dask and --scheduler go together")
    simulation = load_simulation(Path(scenario_path))
    total = (replications or simulation.replications) * (1 + len(simulation.levers))
    with click.progressbar(length=total, label="replications", file=sys.stderr) as bar:
        done = what_if(simulation, replications, workers, bar.update, scheduler, advice_runs)
    texts = Texts(language or from_environment())
    if out == "-":
        click.echo(markdown_report(done.result, advice=done.advice, texts=texts), nl=False)
    else:
        path = Path(out)
        charts = render_plots(done.result, path.stem, texts)
        titles = {name: title for name, (title, _) in charts.items()}
        files: dict[Path, str | bytes] = {path.parent / n: svg for n, (_, svg) in charts.items()}
        files[path] = markdown_report(done.result, titles, done.advice, texts)
        write_files_atomic(files)  # the report and its charts, all or none
        click.echo(f"Wrote {out} and {len(charts)} charts beside it", err=True)
