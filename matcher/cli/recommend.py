"""The ``recommend`` command: who could help one family now, without solving the round."""

from __future__ import annotations

import click

from matcher.cli.app import ROUND_ARGUMENT, main, store_of
from matcher.errors import RoundError
from matcher.explain.recommendation import Recommendations
from matcher.usecases.recommend import DEFAULT_K, recommend


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
def recommend_command(round_path: str, family_id: str, size: int, as_json: bool) -> None:
    """List the best volunteers who may be proposed to one family of a ROUND, and those who
    fail exactly one hard rule, without solving the round.

    \b
    Example:
      matcher recommend scenarios/region.json F0012 -k 5
      matcher recommend scenarios/location F0003 --json > F0003.json
    """
    prepared = store_of(round_path).read()
    try:
        found = recommend(prepared, family_id, size)
    except RoundError as error:
        raise click.BadParameter(str(error), param_hint="FAMILY_ID") from None
    click.echo(found.model_dump_json(indent=2) if as_json else recommendations_text(found))


def recommendations_text(found: Recommendations) -> str:
    """The recommendations (a table, then each one's reasons) and the near misses."""
    lines = [
        f"{found.family_id}: {found.eligible} of {found.volunteers} volunteers may be proposed"
    ]
    lines += [f"  {note}" for note in found.notes]
    if found.recommendations:
        rows = [
            [
                str(rank),
                r.volunteer_id,
                f"{r.scores.quality:.3f}",
                f"{r.distance_km:.1f}",
                " ".join(r.shared_slots),
            ]
            for rank, r in enumerate(found.recommendations, start=1)
        ]
        lines += ["", _table(["rank", "volunteer", "quality", "km", "shared half-days"], rows)]
        lines += ["", "Why:"]
        lines += [f"  {r.volunteer_id}: {'; '.join(r.reasons)}" for r in found.recommendations]
    if found.near_misses:
        rows = [
            [m.volunteer_id, f"{m.scores.quality:.3f}", f"{m.distance_km:.1f}", m.detail]
            for m in found.near_misses
        ]
        lines += ["", "Fail one rule:", _table(["volunteer", "quality", "km", "fails"], rows)]
    return "\n".join(lines)


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    )
