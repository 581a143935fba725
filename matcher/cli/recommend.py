"""The ``recommend`` command: who could help one family now, without solving the round."""

from __future__ import annotations

import click

from matcher.cli.app import LANGUAGE_OPTION, ROUND_ARGUMENT, main, store_of
from matcher.errors import RoundError
from matcher.explain.recommendation import Recommendations
from matcher.usecases.recommend import DEFAULT_K, recommend
from matcher.wording import Wording, wording


@main.command("recommend")
@ROUND_ARGUMENT
@click.argument("family_id", metavar="FAMILY_ID")
@click.option(
    "-k",
    "size",
    type=click.IntRange(1, 100),
    default=DEFAULT_K,
    show_default=True,
    help="How many volunteers to list, and how many near misses.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@LANGUAGE_OPTION
def recommend_command(
    round_path: str, family_id: str, size: int, as_json: bool, language: str
) -> None:
    """List the best volunteers who may be proposed to one family of a ROUND, and those who
    fail exactly one hard rule, without solving the round.

    \b
    Example:
      matcher recommend scenarios/region.json F0012 -k 5
      matcher recommend scenarios/location F0003 --json > F0003.json
    """
    prepared = store_of(round_path).read()
    try:
        found = recommend(prepared, family_id, size, language)
    except RoundError as error:
        raise click.BadParameter(str(error), param_hint="FAMILY_ID") from None
    if as_json:
        click.echo(found.model_dump_json(indent=2))
    else:
        click.echo(recommendations_text(found, wording(language)))


def recommendations_text(found: Recommendations, words: Wording) -> str:
    """The recommendations (a table, then each one's reasons) and the near misses."""
    _ = words.gettext
    lines = [
        _("{family}: {eligible} of {volunteers} volunteers may be proposed").format(
            family=found.family_id, eligible=found.eligible, volunteers=found.volunteers
        )
    ]
    lines += [f"  {note}" for note in found.notes]
    if found.recommendations:
        rows = [
            [
                str(rank),
                r.volunteer_id,
                words.fixed(r.scores.quality, 3),
                words.fixed(r.distance_km),
                words.slots(r.shared_slots),
            ]
            for rank, r in enumerate(found.recommendations, start=1)
        ]
        header = [_("rank"), _("volunteer"), _("quality"), "km", _("shared half-days")]
        lines += ["", _table(header, rows)]
        lines += ["", _("Why:")]
        lines += [f"  {r.volunteer_id}: {'; '.join(r.reasons)}" for r in found.recommendations]
    if found.near_misses:
        rows = [
            [
                m.volunteer_id,
                words.fixed(m.scores.quality, 3),
                words.fixed(m.distance_km),
                m.detail,
            ]
            for m in found.near_misses
        ]
        header = [_("volunteer"), _("quality"), "km", _("fails")]
        lines += ["", _("Fail one rule:"), _table(header, rows)]
    return "\n".join(lines)


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    )
