"""The ``matcher`` command group, its exit codes and what its commands share.

Exit codes: 0 success; 1 a file could not be read or written, or another command was changing
the round (nothing changed); 2 bad input or usage, or a decision that no longer holds (message
on stderr, nothing written); 3 the solver found no solution (time limit reached first, or an
invalid model).
"""

from __future__ import annotations

import logging
import sys
from datetime import date

import click

from matcher.i18n import LANGUAGES, from_environment
from matcher.io.file_store import FileRoundStore
from matcher.io.problems import MAX_SHOWN, InputError, _shortened
from matcher.lifecycle.decisions import DecisionError
from matcher.result import SolveResult
from matcher.usecases.store import StoreBusy
from matcher.wording import Wording, wording

EXIT_IO = 1
EXIT_BAD_INPUT = 2
EXIT_NO_SOLUTION = 3

ROUND_ARGUMENT = click.argument("round_path", metavar="ROUND", type=str)


class _Group(click.Group):
    """Turn bad input into a clear message and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except InputError as error:
            click.echo(problems_text(error, words_of(ctx)), err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except DecisionError as error:
            click.echo(words_of(ctx).gettext("error: {error}").format(error=error), err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except StoreBusy as error:
            click.echo(words_of(ctx).gettext("error: {error}").format(error=error), err=True)
            ctx.exit(EXIT_IO)
        except OSError as error:
            message = words_of(ctx).gettext("error: could not read or write a file: {error}")
            click.echo(message.format(error=error), err=True)
            ctx.exit(EXIT_IO)


def problems_text(error: InputError, words: Wording) -> str:
    """Bad input with its framing (``error:``, row, field) in the reader's language; file and
    field names stay as the user wrote them, the problem itself as the check describes it."""
    _ = words.gettext
    lines = []
    for problem in error.problems[:MAX_SHOWN]:
        where = [problem.file]
        if problem.row is not None:
            where.append(_("row {row}").format(row=problem.row))
        if problem.field is not None:
            where.append(_("field '{field}'").format(field=_shortened(problem.field)))
        lines.append(f"{', '.join(where)}: {problem.message}")
    if len(error.problems) > MAX_SHOWN:
        more = len(error.problems) - MAX_SHOWN
        lines.append(_("... and {n} more problems").format(n=more))
    return _("error: {error}").format(error="\n".join(lines))


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


LANGUAGE_META = "matcher.language"


def _remember_language(ctx: click.Context, _param: click.Parameter, language: str) -> str:
    ctx.meta[LANGUAGE_META] = language  # shared by the command's context and its group's
    return language


LANGUAGE_OPTION = click.option(
    "--lang",
    "language",
    type=click.Choice(LANGUAGES),
    default=lambda: from_environment(),
    show_default="from the locale (LC_ALL, LC_MESSAGES, LANG), else en",
    callback=_remember_language,
    help="Language of what people read: messages, reasons, report.html, the xlsx headers.",
)


def words_of(ctx: click.Context) -> Wording:
    """The wording the command was asked for (``--lang``), else the locale's."""
    return wording(ctx.meta.get(LANGUAGE_META) or from_environment())


def store_of(round_path: str) -> FileRoundStore:
    """The round at ``round_path`` (``-``: JSON on stdin), dated today when it has no date."""
    return FileRoundStore(round_path, today=date.today(), stdin=sys.stdin)


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
