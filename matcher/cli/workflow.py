"""The round workflow: decide on proposals, end matches, plan dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import click

from matcher import usecases
from matcher.cli.app import COORDINATOR_OPTION, FAMILY_OPTION, LANGUAGE_OPTION, main, store_of
from matcher.io.atomic import write_files_atomic
from matcher.io.result_file import read_result
from matcher.io.results import plan_xlsx
from matcher.lifecycle.decisions import EndReason
from matcher.result import Language
from matcher.wording import wording


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
@LANGUAGE_OPTION
def decide(
    round_path: str,
    result_path: str,
    family_id: str,
    accept: bool,
    coordinator: str,
    language: Language,
) -> None:
    """Record the introduction's outcome for a family's proposal in the ROUND's files.

    \b
    Example (on a copy, so the shipped round stays as it is):
      cp -r scenarios/location my-round && matcher solve my-round --out proposals
      matcher decide my-round --result proposals/result.json --family F0003 --accept
    """
    proposal = usecases.decide(
        store_of(round_path),
        read_result(Path(result_path)),
        family_id,
        accepted=accept,
        coordinator=coordinator,
        now=datetime.now(UTC),
    )
    words = wording(language)
    _ = words.gettext
    message = (
        _("{family} with {volunteer} accepted: visits on {slot}")
        if accept
        else _("{family} with {volunteer} declined")
    )
    click.echo(
        message.format(
            family=family_id, volunteer=proposal.volunteer_id, slot=words.slot(proposal.slot)
        )
    )


@main.command()
@click.argument("round_path", metavar="ROUND", type=click.Path(exists=False))
@FAMILY_OPTION
@click.option(
    "--reason",
    type=click.Choice([r.value for r in EndReason]),
    required=True,
    help="volunteer_stopped: the volunteer leaves the programme (their status becomes stopped); "
    "volunteer_continues: only this match ends. Both put the family back on the list with "
    "re-match priority, never again with this volunteer. family_copes, aged_out and "
    "family_stopped close the family.",
)
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    help="When the match ended (default: today).",
)
@COORDINATOR_OPTION
@LANGUAGE_OPTION
def end(
    round_path: str,
    family_id: str,
    reason: str,
    day: datetime | None,
    coordinator: str,
    language: Language,
) -> None:
    """End a family's active match in the ROUND's files.

    \b
    Example (on a copy, so the shipped round stays as it is):
      cp -r scenarios/location my-round
      matcher end my-round --family F0031 --reason volunteer_stopped
    """
    now = datetime.now(UTC)
    when = day.date() if day else date.today()
    ended = usecases.end(
        store_of(round_path),
        family_id,
        EndReason(reason),
        when,
        coordinator=coordinator,
        now=now,
    )
    words = wording(language)
    _ = words.gettext
    volunteer = ended.volunteer_id
    if not ended.waiting_again:
        click.echo(
            _("{family}: match ended ({reason}); the family is closed on {day}").format(
                family=family_id, reason=reason, day=words.long_day(when)
            )
        )
        return
    click.echo(
        _(
            "{family}: match ended ({reason}) on {day}; waiting again with re-match priority, "
            "not again with {volunteer}"
        ).format(family=family_id, reason=reason, day=words.long_day(when), volunteer=volunteer)
    )
    if ended.reason == EndReason.VOLUNTEER_STOPPED:
        click.echo(
            _("{volunteer} stopped on {day}").format(volunteer=volunteer, day=words.long_day(when))
        )
    if ended.volunteer_still_visits:
        click.echo(
            _("{volunteer} still has active matches with {families}: end them too").format(
                volunteer=volunteer, families=", ".join(ended.volunteer_still_visits)
            )
        )


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
@LANGUAGE_OPTION
def plan(
    round_path: str,
    result_path: str,
    start: datetime | None,
    weeks: int,
    review_weeks: int,
    out: str,
    language: Language,
) -> None:
    """Plan dated introductions and weekly visits for a solve's proposals, as JSON, Excel and
    iCalendar files (one per coordinator and per volunteer).

    \b
    Example:
      matcher plan scenarios/location --result matcher-output/result.json --weeks 4
    """
    from matcher.schedule.ics import calendars

    words = wording(language)
    result = read_result(Path(result_path))
    dated = usecases.plan(
        store_of(round_path), result, start.date() if start else None, weeks, review_weeks
    )
    folder = Path(out)
    files: dict[Path, str | bytes] = {
        folder / "plan.json": dated.model_dump_json(indent=2) + "\n",
        folder / "plan.xlsx": plan_xlsx(result, dated, words),
    }
    for owner, ics in calendars(dated).items():
        files[folder / "calendars" / f"{owner}.ics"] = ics
    write_files_atomic(files)
    _ = words.gettext
    click.echo(
        _(
            "Planned {introductions} introductions ({status}); {unplanned} unplanned. Wrote "
            "{folder}/plan.json, plan.xlsx and {calendars} calendars."
        ).format(
            introductions=len(dated.introductions),
            status=dated.status,
            unplanned=len(dated.unplanned),
            folder=folder,
            calendars=len(files) - 2,
        )
    )
    for unplanned in dated.unplanned:
        click.echo(
            _("  {family} unplanned: {reason}").format(
                family=unplanned.family_id, reason=unplanned.reason
            )
        )
