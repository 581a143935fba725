"""The ``matcher`` command: a thin click layer over the library.

Exit codes: 0 success; 1 a file could not be read or written (nothing changed); 2 bad input or
usage (message on stderr, nothing written); 3 the solver found no solution (time limit reached
first, or an invalid model).
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import click

from matcher.domain.prepared import PreparedRound
from matcher.domain.round import Backend, Round, SolverSettings
from matcher.io.atomic import write_files_atomic
from matcher.io.csv_round import write_round_csv
from matcher.io.results import (
    plan_xlsx,
    proposals_csv,
    result_json,
    results_xlsx,
    shortlists_csv,
    unmatched_csv,
)
from matcher.io.rounds import InputError, load_and_prepare, load_round
from matcher.io.tables import (
    explain_text,
    family_json,
    shortlist_text,
    summary_text,
    validation_text,
)
from matcher.lifecycle.decisions import (
    Action,
    DecisionError,
    DecisionRecord,
    EndReason,
    end_match,
    find_proposal,
)
from matcher.lifecycle.decisions import accept as accept_proposal
from matcher.lifecycle.decisions import decline as decline_proposal
from matcher.lifecycle.store import load_result, record
from matcher.scenario.generate import Area, generate_round
from matcher.solve.engine import solve_prepared
from matcher.solve.result import SolveResult, SolveStatus

EXIT_IO = 1
EXIT_BAD_INPUT = 2
EXIT_NO_SOLUTION = 3

ROUND_ARGUMENT = click.argument("round_path", metavar="ROUND", type=str)


class _Group(click.Group):
    """Turn bad input into a clear message and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (InputError, DecisionError) as error:
            click.echo(f"error: {error}", err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except OSError as error:
            click.echo(f"error: could not read or write a file: {error}", err=True)
            ctx.exit(EXIT_IO)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="matcher")
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
def main(verbose: bool) -> None:
    """Match home-visiting volunteers to waiting families, provably optimally.

    A ROUND is a JSON file, a folder of CSV files, or - for JSON on stdin.

    \b
    Example:
      matcher solve scenarios/location --out proposals/
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _solve(round_path: str, overrides: dict[str, object]) -> SolveResult:
    """Load, validate and solve a round, with solver settings from the command line on top."""
    return _solve_prepared(round_path, overrides)[1]


def _solve_prepared(
    round_path: str, overrides: dict[str, object]
) -> tuple[PreparedRound, SolveResult]:
    """``_solve``, also giving the prepared round."""
    round_, prepared = load_and_prepare(round_path, stdin=sys.stdin)
    settings = {key: value for key, value in overrides.items() if value is not None}
    if settings:
        solver = SolverSettings.model_validate(round_.solver.model_dump() | settings)
        prepared = replace(prepared, round=round_.model_copy(update={"solver": solver}))
    return prepared, solve_prepared(prepared)


@main.command()
@ROUND_ARGUMENT
@click.option(
    "--out",
    "out",
    default="matcher-output",
    show_default=True,
    help="Folder for proposals.csv, unmatched.csv, shortlists.csv, result.json, results.xlsx "
    "(and report.html with --report); "
    "- prints the result JSON to stdout instead.",
)
@click.option("--backend", type=click.Choice([b.value for b in Backend]), help="Solver backend.")
@click.option(
    "--time-limit",
    type=click.FloatRange(0, 86_400, min_open=True),
    help="Seconds the CP-SAT backend may use.",
)
@click.option("--workers", type=click.IntRange(1, 64), help="CP-SAT threads (1 = deterministic).")
@click.option("--seed", type=click.IntRange(0), help="CP-SAT random seed.")
@click.option("--report", is_flag=True, help="Also write report.html (map, charts, tables).")
def solve(
    round_path: str,
    out: str,
    backend: str | None,
    time_limit: float | None,
    workers: int | None,
    seed: int | None,
    report: bool,
) -> None:
    """Propose matches and weekly slots for a ROUND; write them as CSV and JSON.

    \b
    Example:
      matcher solve scenarios/town.json --out town-proposals/
      cat round.json | matcher solve - --out - > result.json
    """
    prepared, result = _solve_prepared(
        round_path,
        {"backend": backend, "time_limit_s": time_limit, "workers": workers, "seed": seed},
    )
    if out == "-":
        click.echo(result_json(result), nl=False)
    else:
        folder = Path(out)
        files: dict[Path, str | bytes] = {
            folder / "proposals.csv": proposals_csv(result),
            folder / "unmatched.csv": unmatched_csv(result),
            folder / "shortlists.csv": shortlists_csv(result.shortlists),
            folder / "result.json": result_json(result),
            folder / "results.xlsx": results_xlsx(result),
        }
        if report:
            from matcher.report.html import round_report  # matplotlib: only when asked for

            files[folder / "report.html"] = round_report(prepared, result)
        write_files_atomic(files)
        click.echo(summary_text(result))
        click.echo(f"Wrote {', '.join(str(path) for path in files)}")
    if result.report.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        sys.exit(EXIT_NO_SOLUTION)


FAMILY_OPTION = click.option("--family", "family_id", required=True, help="The family's id.")
FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Human table, or machine-readable JSON or CSV.",
)


@main.command()
@ROUND_ARGUMENT
@FAMILY_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Human text or JSON.",
)
def explain(round_path: str, family_id: str, fmt: str) -> None:
    """Explain the proposal for one family of a ROUND, or why it has none.

    \b
    Example:
      matcher explain scenarios/location --family F0007
    """
    result = _solve(round_path, {})
    _require_family(result, family_id)
    if fmt == "json":
        click.echo(family_json(result, family_id), nl=False)
    else:
        click.echo(explain_text(result, family_id))


@main.command()
@ROUND_ARGUMENT
@FAMILY_OPTION
@click.option(
    "-k",
    "size",
    type=click.IntRange(1, 20),
    default=3,
    show_default=True,
    help="How many volunteers to list.",
)
@FORMAT_OPTION
def shortlist(round_path: str, family_id: str, size: int, fmt: str) -> None:
    """List the best eligible volunteers for one family of a ROUND.

    \b
    Example:
      matcher shortlist scenarios/town.json --family F0012 -k 3
    """
    result = _solve(round_path, {"shortlist_size": size})
    _require_family(result, family_id)
    lists = [s for s in result.shortlists if s.family_id == family_id]
    if fmt == "json":
        click.echo(lists[0].model_dump_json(indent=2) if lists else "null")
    elif fmt == "csv":
        click.echo(shortlists_csv(lists), nl=False)
    else:
        click.echo(shortlist_text(result, family_id))


@main.command()
@ROUND_ARGUMENT
def validate(round_path: str) -> None:
    """Check a ROUND without solving it: types, ids, postcodes, locked matches.

    \b
    Example:
      matcher validate scenarios/location && echo valid
    """
    _, prepared = load_and_prepare(round_path, stdin=sys.stdin)
    click.echo(validation_text(prepared))


@main.command()
@click.option(
    "--model",
    type=click.Choice(["round", "result"]),
    default="round",
    show_default=True,
    help="Which document to describe.",
)
def schema(model: str) -> None:
    """Print the JSON Schema of a round (input) or a result (output).

    \b
    Example:
      matcher schema --model result > result.schema.json
    """
    document = Round if model == "round" else SolveResult
    click.echo(json.dumps(document.model_json_schema(), indent=2))


@main.group()
def scenario() -> None:
    """Synthetic rounds on real Dutch postcode geography."""


@scenario.command("generate")
@click.argument("out", metavar="OUT", type=str)
@click.option("--place", "places", multiple=True, help="Municipality or town (repeatable).")
@click.option("--province", "provinces", multiple=True, help="Province (repeatable).")
@click.option("--postcode", "postcodes", multiple=True, help="Four-digit postcode (repeatable).")
@click.option("--volunteers", type=click.IntRange(0), default=25, show_default=True)
@click.option("--families", type=click.IntRange(0), default=30, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--reference-date", type=click.DateTime(["%Y-%m-%d"]), help="The round's date (default: today)."
)
def generate(
    out: str,
    places: tuple[str, ...],
    provinces: tuple[str, ...],
    postcodes: tuple[str, ...],
    volunteers: int,
    families: int,
    seed: int,
    reference_date: datetime | None,
) -> None:
    """Generate a realistic round and write it to OUT: a .json file, a folder of CSV files,
    or - for JSON on stdout.

    \b
    Example:
      matcher scenario generate --place Zwolle --volunteers 25 --families 30 zwolle/
    """
    try:
        area = Area(places=places, provinces=provinces, postcodes=postcodes)
        area.pc4_codes()
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--place/--province/--postcode") from None
    day = reference_date.date() if reference_date else date.today()
    round_ = generate_round(area, volunteers, families, seed=seed, reference_date=day)
    text = round_.model_dump_json(indent=2, exclude_defaults=True) + "\n"
    if out == "-":
        click.echo(text, nl=False)
    elif out.endswith(".json"):
        write_files_atomic({Path(out): text})
    else:
        write_round_csv(round_, Path(out))


def _require_family(result: SolveResult, family_id: str) -> None:
    if not any(s.family_id == family_id for s in result.shortlists) and not any(
        p.family_id == family_id for p in result.proposals
    ):
        raise click.BadParameter(
            f"no waiting family with id {family_id!r} in this round", param_hint="--family"
        )


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
def simulate(
    scenario_path: str,
    replications: int | None,
    workers: int,
    backend: str,
    scheduler: str | None,
    advice_runs: int | None,
    out: str,
) -> None:
    """Simulate a what-if SCENARIO (TOML) week by week with the real matching engine, and
    compare the baseline with its levers (a Markdown report, with SVG charts beside it).

    \b
    Example:
      matcher simulate scenarios/what-if.toml --replications 100 --workers 2 --out what-if.md
      matcher simulate scenarios/what-if.toml --advice 20 --out what-if.md
      matcher simulate scenarios/what-if.toml --backend dask --scheduler tcp://host:8786
    """
    from matcher.simulate.advice import recruitment_advice
    from matcher.simulate.plots import write_plots
    from matcher.simulate.report import markdown_report
    from matcher.simulate.runner import run_simulation
    from matcher.simulate.scenario import load_simulation

    if (backend == "dask") != (scheduler is not None):
        raise click.UsageError("--backend dask and --scheduler go together")
    simulation = load_simulation(Path(scenario_path))
    count = replications or simulation.replications
    total = count * (1 + len(simulation.levers))
    with click.progressbar(length=total, label="replications", file=sys.stderr) as bar:
        result = run_simulation(simulation, count, workers, bar.update, scheduler)
    advice = recruitment_advice(simulation, result, advice_runs, workers) if advice_runs else None
    if out == "-":
        click.echo(markdown_report(result, advice=advice), nl=False)
    else:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        charts = write_plots(result, path.parent, path.stem)
        write_files_atomic({path: markdown_report(result, charts, advice)})
        click.echo(f"Wrote {out} and {len(charts)} charts beside it", err=True)


COORDINATOR_OPTION = click.option(
    "--coordinator",
    default="coordinator",
    show_default=True,
    help="Who decides (an id, kept in the decision log).",
)


@main.command()
@click.argument("round_path", metavar="ROUND", type=click.Path(exists=False))
@click.option(
    "--result",
    "result_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The result.json of the solve that made the proposal.",
)
@FAMILY_OPTION
@click.option(
    "--accept/--decline",
    required=True,
    help="Accept the proposal (it becomes an active match) or decline it (never proposed again).",
)
@COORDINATOR_OPTION
def decide(
    round_path: str, result_path: str, family_id: str, accept: bool, coordinator: str
) -> None:
    """Record the introduction's outcome for a family's proposal in the ROUND's files.

    \b
    Example:
      matcher decide scenarios/location --result matcher-output/result.json \\
          --family F0003 --accept
    """
    proposal = find_proposal(load_result(Path(result_path)).proposals, family_id)
    entry = DecisionRecord(
        time=datetime.now(UTC),
        coordinator=coordinator,
        action=Action.ACCEPT if accept else Action.DECLINE,
        family_id=family_id,
        volunteer_id=proposal.volunteer_id,
        slot=proposal.slot,
    )
    change = accept_proposal if accept else decline_proposal
    record(Path(round_path), lambda round_: change(round_, proposal), entry)
    verb = f"accepted: visits on {proposal.slot}" if accept else "declined"
    click.echo(f"{family_id} with {proposal.volunteer_id} {verb}")


@main.command()
@click.argument("round_path", metavar="ROUND", type=click.Path(exists=False))
@FAMILY_OPTION
@click.option(
    "--reason",
    type=click.Choice([r.value for r in EndReason]),
    required=True,
    help="volunteer_stopped puts the family back on the list with re-match priority; "
    "the others close the family.",
)
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    help="When the match ended (default: today).",
)
@COORDINATOR_OPTION
def end(
    round_path: str, family_id: str, reason: str, day: datetime | None, coordinator: str
) -> None:
    """End a family's active match in the ROUND's files.

    \b
    Example:
      matcher end scenarios/location --family F0031 --reason volunteer_stopped
    """
    when = day.date() if day else date.today()
    updated = record(
        Path(round_path),
        lambda round_: end_match(round_, family_id, EndReason(reason), when),
        DecisionRecord(
            time=datetime.now(UTC),
            coordinator=coordinator,
            action=Action.END,
            family_id=family_id,
            volunteer_id=_volunteer_of(round_path, family_id),
            reason=EndReason(reason),
        ),
    )
    waiting = any(f.id == family_id for f in updated.families)
    click.echo(
        f"{family_id}: match ended ({reason}); "
        + ("waiting again with re-match priority" if waiting else "closed")
    )


def _volunteer_of(round_path: str, family_id: str) -> str:
    for match in load_round(round_path).active_matches:
        if match.family_id == family_id:
            return match.volunteer_id
    raise DecisionError(f"family {family_id!r} has no active match")


@main.command()
@click.argument("round_path", metavar="ROUND", type=click.Path(exists=False))
@click.option(
    "--result",
    "result_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The result.json of the solve whose proposals to plan.",
)
@click.option(
    "--start",
    type=click.DateTime(["%Y-%m-%d"]),
    help="First day to plan (default: the round's date).",
)
@click.option(
    "--weeks",
    type=click.IntRange(1, 26),
    default=4,
    show_default=True,
    help="Weeks in which to hold the introductions.",
)
@click.option(
    "--review-weeks",
    type=click.IntRange(1, 52),
    default=13,
    show_default=True,
    help="Weeks of visits up to the first review.",
)
@click.option(
    "--out",
    default="matcher-plan",
    show_default=True,
    help="Folder for plan.json, plan.xlsx and calendars/*.ics.",
)
def plan(
    round_path: str,
    result_path: str,
    start: datetime | None,
    weeks: int,
    review_weeks: int,
    out: str,
) -> None:
    """Plan dated introductions and weekly visits for a solve's proposals, as JSON, Excel and
    iCalendar files (one per coordinator and per volunteer).

    \b
    Example:
      matcher plan scenarios/location --result matcher-output/result.json --weeks 4
    """
    from matcher.schedule.ics import calendars
    from matcher.schedule.plan import plan_round

    round_, _ = load_and_prepare(round_path, stdin=sys.stdin)
    result = load_result(Path(result_path))
    first = start.date() if start else round_.reference_date
    dated = plan_round(round_, result.proposals, first, weeks, review_weeks)
    folder = Path(out)
    files: dict[Path, str | bytes] = {
        folder / "plan.json": dated.model_dump_json(indent=2) + "\n",
        folder / "plan.xlsx": plan_xlsx(result, dated),
    }
    for owner, ics in calendars(dated).items():
        files[folder / "calendars" / f"{owner}.ics"] = ics
    write_files_atomic(files)
    click.echo(
        f"Planned {len(dated.introductions)} introductions ({dated.status}); "
        f"{len(dated.unplanned)} unplanned. Wrote {folder}/plan.json, plan.xlsx and "
        f"{len(files) - 2} calendars."
    )
