"""Matching commands: solve, explain, shortlist, validate, schema, scenario generate."""

from __future__ import annotations

import json
import math
import sys
from datetime import date, datetime
from pathlib import Path

import click

from matcher.cli.app import (
    EXIT_NO_SOLUTION,
    FAMILY_OPTION,
    FORMAT_OPTION,
    LANGUAGE_OPTION,
    ROUND_ARGUMENT,
    main,
    require_family,
    store_of,
)
from matcher.domain.round import MAX_PEOPLE, MAX_SEED, Backend, Round
from matcher.i18n import N_
from matcher.io.atomic import write_files_atomic
from matcher.io.csv_round import write_round_csv
from matcher.io.result_file import read_result
from matcher.io.results import (
    proposals_csv,
    result_json,
    results_xlsx,
    shortlists_csv,
    unmatched_csv,
)
from matcher.io.terminal import (
    explain_text,
    family_json,
    shortlist_text,
    summary_text,
    validation_text,
)
from matcher.result import Alternative, ChangeReason, Language, SolveResult
from matcher.synthetic.generate import Area, generate_round
from matcher.usecases.matching import solve_round, validate_round
from matcher.wording import Wording, wording


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
    callback=lambda _ctx, _param, value: _finite(value),
    help="Seconds the whole solve may take (CP-SAT backend).",
)
@click.option("--workers", type=click.IntRange(1, 64), help="CP-SAT threads (1 = deterministic).")
@click.option("--seed", type=click.IntRange(0, MAX_SEED), help="CP-SAT random seed.")
@click.option("--report", is_flag=True, help="Also write report.html (map, charts, tables).")
@click.option(
    "--previous",
    "previous_path",
    metavar="RESULT.json",
    help="The result of an earlier solve of this round: keep its proposals unless changing "
    "them matches more families or gains more than the stability margin.",
)
@click.option(
    "--stability-margin",
    type=click.FloatRange(0, 1),
    callback=lambda _ctx, _param, value: _finite(value),
    help="Quality (0..1) a change of a previous proposal must gain [default: 0.05].",
)
@LANGUAGE_OPTION
def solve(
    round_path: str,
    out: str,
    backend: str | None,
    time_limit: float | None,
    workers: int | None,
    seed: int | None,
    report: bool,
    previous_path: str | None,
    stability_margin: float | None,
    language: Language,
) -> None:
    """Propose matches and weekly slots for a ROUND; write them as CSV and JSON.

    \b
    Example:
      matcher solve scenarios/town.json --out town-proposals/
      cat round.json | matcher solve - --out - > result.json
      matcher solve scenarios/town.json --previous town-proposals/result.json --out new/
    """
    previous = None if previous_path is None else read_result(Path(previous_path))
    solved = solve_round(
        store_of(round_path),
        {
            "backend": backend,
            "time_limit_s": time_limit,
            "workers": workers,
            "seed": seed,
            "stability_margin": stability_margin,
        },
        previous,
        language,
    )
    result = solved.result
    words = wording(language)
    if not result.report.has_solution:
        _no_solution(result, out, words)
    if out == "-":
        click.echo(result_json(result), nl=False)
    else:
        folder = Path(out)
        files: dict[Path, str | bytes] = {
            folder / "proposals.csv": proposals_csv(result),
            folder / "unmatched.csv": unmatched_csv(result),
            folder / "shortlists.csv": shortlists_csv(result.shortlists),
            folder / "result.json": result_json(result),
            folder / "results.xlsx": results_xlsx(result, words),
        }
        if report:
            from matcher.report.html import round_report  # matplotlib: only when asked for

            files[folder / "report.html"] = round_report(solved.prepared, result, words)
        write_files_atomic(files)
        click.echo(summary_text(result, words))
        click.echo(_quality_and_stability(result, words))
        paths = ", ".join(str(path) for path in files)
        click.echo(words.gettext("Wrote {paths}").format(paths=paths))


LISTED_CHANGES = 10


def _quality_and_stability(result: SolveResult, words: Wording) -> str:
    """The spread of the proposals' quality, and what a re-solve kept of the previous result."""
    _ = words.gettext
    r = result.report
    lines = [""]
    if r.proposal_quality is not None:
        q = r.proposal_quality
        lines.append(
            _(
                "Quality   min {minimum}, quartiles {lower} / {median} / {upper}, max {maximum}"
            ).format(
                minimum=words.fixed(q.minimum, 3),
                lower=words.fixed(q.lower_quartile, 3),
                median=words.fixed(q.median, 3),
                upper=words.fixed(q.upper_quartile, 3),
                maximum=words.fixed(q.maximum, 3),
            )
            + (
                _(" (minimum {minimum})").format(minimum=words.short(r.policy.min_quality))
                if r.policy.min_quality
                else ""
            )
        )
    if r.stability is not None:
        st = r.stability
        reasons: dict[ChangeReason, int] = {}
        for change in st.changes:
            reasons[change.reason] = reasons.get(change.reason, 0) + 1
        why = ", ".join(f"{n} {_(CHANGE_WORDS[reason])}" for reason, n in reasons.items())
        lines.append(
            _(
                "Previous  kept {kept} of {previous} proposals, {changed} changed (margin {margin})"
            ).format(
                kept=st.kept,
                previous=st.previous_proposals,
                changed=st.changed,
                margin=words.short(st.margin),
            )
            + (f": {why}" if why else "")
        )
        nobody = _("none")
        lines += [
            f"  {c.family_id}: {c.previous_volunteer_id} -> {c.volunteer_id or nobody}: {c.message}"
            for c in st.changes[:LISTED_CHANGES]
        ]
        if len(st.changes) > LISTED_CHANGES:
            more = len(st.changes) - LISTED_CHANGES
            lines.append(_("  ... and {n} more (see result.json)").format(n=more))
    return "\n".join(lines)


CHANGE_WORDS = {
    ChangeReason.NOT_WAITING: N_("not waiting"),
    ChangeReason.NOT_POSSIBLE: N_("not possible"),
    ChangeReason.BETTER_FIT: N_("better fit"),
    ChangeReason.OTHER_FAMILIES: N_("other families"),
}
"""Why a previous proposal was not kept, in a word or two."""


def _finite(value: float | None) -> float | None:
    """click's FloatRange lets NaN through."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter("must be a number of seconds")
    return value


def _no_solution(result: SolveResult, out: str, words: Wording) -> None:
    """Without a solution there are no proposals, and no family was outcompeted: write only
    the result (its report says what happened) and exit with code 3."""
    if out == "-":
        click.echo(result_json(result), nl=False)
    else:
        write_files_atomic({Path(out) / "result.json": result_json(result)})
    click.echo(
        words.gettext(
            "error: the solver found no solution ({status}); no proposals were made. "
            "Give it more time (--time-limit) or use the default flow backend."
        ).format(status=result.report.status),
        err=True,
    )
    sys.exit(EXIT_NO_SOLUTION)


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
@LANGUAGE_OPTION
def explain(round_path: str, family_id: str, fmt: str, language: Language) -> None:
    """Explain the proposal for one family of a ROUND, or why it has none.

    \b
    Example:
      matcher explain scenarios/location --family F0007
    """
    result = solve_round(store_of(round_path), language=language).result
    require_family(result, family_id)
    if fmt == "json":
        click.echo(family_json(result, family_id), nl=False)
    else:
        click.echo(explain_text(result, family_id, wording(language)))


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
@LANGUAGE_OPTION
def shortlist(round_path: str, family_id: str, size: int, fmt: str, language: Language) -> None:
    """List the best eligible volunteers for one family of a ROUND.

    \b
    Example:
      matcher shortlist scenarios/town.json --family F0012 -k 3
    """
    result = solve_round(store_of(round_path), {"shortlist_size": size}, language=language).result
    require_family(result, family_id)
    lists = [s for s in result.shortlists if s.family_id == family_id]
    if fmt == "json":
        click.echo(lists[0].model_dump_json(indent=2) if lists else "null")
    elif fmt == "csv":
        click.echo(shortlists_csv(lists), nl=False)
    else:
        words = wording(language)
        click.echo(shortlist_text(result, family_id, words))
        alternatives = lists[0].alternatives if lists else []
        click.echo(_proposed_line(result, family_id, alternatives, words))


def _proposed_line(
    result: SolveResult, family_id: str, alternatives: list[Alternative], words: Wording
) -> str:
    """Which volunteer the solve proposes to the family, and where they stand on the list."""
    _ = words.gettext
    proposal = next((p for p in result.proposals if p.family_id == family_id), None)
    if proposal is None:
        return _("Proposed: nobody ({family} has no proposal in this round).").format(
            family=family_id
        )
    rank = next((i for i, a in enumerate(alternatives, start=1) if a.proposed), None)
    where = (
        _("rank {rank}").format(rank=rank)
        if rank
        else _("not among the best {n}").format(n=len(alternatives))
    )
    return _("Proposed: {volunteer} ({where}), on {slot}.").format(
        volunteer=proposal.volunteer_id, where=where, slot=words.slot(proposal.slot)
    )


@main.command()
@ROUND_ARGUMENT
@LANGUAGE_OPTION
def validate(round_path: str, language: Language) -> None:
    """Check a ROUND without solving it: types, ids, postcodes, locked matches.

    \b
    Example:
      matcher validate scenarios/location && echo valid
    """
    click.echo(validation_text(validate_round(store_of(round_path)), wording(language)))


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
@click.option("--volunteers", type=click.IntRange(0, MAX_PEOPLE), default=25, show_default=True)
@click.option("--families", type=click.IntRange(0, MAX_PEOPLE), default=30, show_default=True)
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
    _write_round(round_, out)


@main.command()
@ROUND_ARGUMENT
@click.argument("out", metavar="OUT", type=str)
def convert(round_path: str, out: str) -> None:
    """Write a ROUND (JSON, CSV folder or .xlsx) as a JSON file or a CSV folder OUT (a new
    path: an existing file or folder is never replaced).

    \b
    Example:
      matcher convert ronde.xlsx ronde/
    """
    round_ = validate_round(store_of(round_path)).round
    if out != "-" and Path(out).exists():
        raise click.BadParameter(f"{out} already exists: give a new path", param_hint="OUT")
    _write_round(round_, out)
    if out != "-":
        click.echo(f"Wrote {out}")


def _write_round(round_: Round, out: str) -> None:
    """A round to stdout (``-``), a ``.json`` file, or a folder of CSV files."""
    if out == "-":
        click.echo(round_.model_dump_json(indent=2, exclude_defaults=True) + "\n", nl=False)
    elif out.endswith(".json"):
        write_files_atomic({Path(out): round_.model_dump_json(indent=2, exclude_defaults=True)})
    else:
        write_round_csv(round_, Path(out))
