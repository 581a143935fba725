"""The ``matcher`` command group, its exit codes and what its commands share.

Exit codes: 0 success; 1 a file could not be read or written (nothing changed); 2 bad input or
usage (message on stderr, nothing written); 3 the solver found no solution (time limit reached
first, or an invalid model).
"""

from __future__ import annotations

import logging
import sys
from dataclasses import replace

import click
from pydantic import ValidationError

from matcher.domain.prepared import PreparedRound
from matcher.domain.round import SolverSettings
from matcher.io.rounds import InputError, load_and_prepare
from matcher.lifecycle.decisions import DecisionError
from matcher.solve.engine import solve_prepared
from matcher.solve.result import SolveResult

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


def solve_round(round_path: str, overrides: dict[str, object]) -> SolveResult:
    """Load, validate and solve a round, with solver settings from the command line on top."""
    return solve_round_prepared(round_path, overrides)[1]


def solve_round_prepared(
    round_path: str, overrides: dict[str, object]
) -> tuple[PreparedRound, SolveResult]:
    """``solve_round``, also giving the prepared round."""
    round_, prepared = load_and_prepare(round_path, stdin=sys.stdin)
    settings = {key: value for key, value in overrides.items() if value is not None}
    if settings:
        try:
            solver = SolverSettings.model_validate(round_.solver.model_dump() | settings)
        except ValidationError as error:  # e.g. --time-limit nan, which FloatRange lets through
            first = error.errors()[0]
            option = "--" + str(first["loc"][0]).removesuffix("_s").replace("_", "-")
            raise click.BadParameter(str(first["msg"]), param_hint=option) from None
        prepared = replace(prepared, round=round_.model_copy(update={"solver": solver}))
    return prepared, solve_prepared(prepared)


FAMILY_OPTION = click.option("--family", "family_id", required=True, help="The family's id.")
FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Human table, or machine-readable JSON or CSV.",
)


COORDINATOR_OPTION = click.option(
    "--coordinator",
    default="coordinator",
    show_default=True,
    help="Who decides (an id, kept in the decision log).",
)


def require_family(result: SolveResult, family_id: str) -> None:
    if not any(s.family_id == family_id for s in result.shortlists) and not any(
        p.family_id == family_id for p in result.proposals
    ):
        raise click.BadParameter(
            f"no waiting family with id {family_id!r} in this round", param_hint="--family"
        )
