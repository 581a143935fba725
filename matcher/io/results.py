"""Solve results as files: proposals, unmatched families and shortlists as CSV and as one Excel
workbook; the whole result as JSON (the same JSON as ``SolveResult.model_dump_json``).

Every cell is written as data: a text that starts with ``=``, ``+``, ``-`` or ``@`` stays text in
the workbook (never a formula), and dates are real Excel dates.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from matcher.domain.round import QUALITY_TERMS
from matcher.i18n import N_
from matcher.io.tabular import csv_text
from matcher.result import Shortlist, SolveResult
from matcher.schedule.availability import PART_TIMES
from matcher.wording import Wording, wording

if TYPE_CHECKING:
    from matcher.schedule.plan import Plan


def result_json(result: SolveResult) -> str:
    """The full result as indented JSON, ending in a newline."""
    return result.model_dump_json(indent=2) + "\n"


TableData = tuple[list[str], list[list[object]]]


def proposals_table(result: SolveResult) -> TableData:
    """One row per proposal with its score breakdown and reasons."""
    header = [
        "family_id",
        "volunteer_id",
        "slot",
        "other_shared_slots",
        "distance_km",
        "quality",
        *QUALITY_TERMS,
        "family_priority",
        "reasons",
    ]
    rows: list[list[object]] = [
        [
            p.family_id,
            p.volunteer_id,
            p.slot,
            " ".join(p.other_shared_slots),
            p.distance_km,
            p.scores.quality,
            *(_cell(getattr(p.scores, term)) for term in QUALITY_TERMS),
            p.family_priority,
            "; ".join(p.reasons),
        ]
        for p in result.proposals
    ]
    return header, rows


def unmatched_table(result: SolveResult) -> TableData:
    """One row per waiting family without a proposal, with the reason."""
    header = ["family_id", "reason", "message", "rejected_by", "competitors"]
    rows: list[list[object]] = [
        [
            u.family_id,
            u.reason,
            u.message,
            " ".join(f"{rule}={n}" for rule, n in u.rejected_by.items()),
            " ".join(c.volunteer_id for c in u.competitors),
        ]
        for u in result.unmatched
    ]
    return header, rows


def shortlists_table(shortlists: list[Shortlist]) -> TableData:
    """One row per family and alternative volunteer, best first."""
    header = [
        "family_id",
        "rank",
        "volunteer_id",
        "quality",
        "distance_km",
        "shared_slots",
        "proposed_to",
    ]
    rows: list[list[object]] = [
        [
            s.family_id,
            rank,
            a.volunteer_id,
            a.quality,
            a.distance_km,
            " ".join(a.shared_slots),
            " ".join(a.proposed_to),
        ]
        for s in shortlists
        for rank, a in enumerate(s.alternatives, start=1)
    ]
    return header, rows


def proposals_csv(result: SolveResult) -> str:
    """The proposals as CSV."""
    return csv_text(*proposals_table(result))


def unmatched_csv(result: SolveResult) -> str:
    """The unmatched families as CSV."""
    return csv_text(*unmatched_table(result))


def shortlists_csv(shortlists: list[Shortlist]) -> str:
    """The shortlists as CSV."""
    return csv_text(*shortlists_table(shortlists))


def results_xlsx(result: SolveResult, words: Wording | None = None) -> bytes:
    """Proposals, shortlists and unmatched families as one workbook, a sheet each, its sheet
    names and headers in ``words``' language (default: the result's)."""
    return workbook_bytes(
        for_people(
            {
                "Proposals": proposals_table(result),
                "Shortlists": shortlists_table(result.shortlists),
                "Unmatched": unmatched_table(result),
            },
            words or wording(result.language),
        ),
        result.reference_date,
    )


PEOPLE_WORDS = {
    name: name
    for name in (
        N_("Proposals"),
        N_("Shortlists"),
        N_("Unmatched"),
        N_("Introductions"),
        N_("Visits"),
        N_("Skipped visits"),
        N_("Moved visits"),
        N_("Unplanned"),
        N_("family_id"),
        N_("volunteer_id"),
        N_("coordinator_id"),
        N_("slot"),
        N_("other_shared_slots"),
        N_("shared_slots"),
        N_("distance_km"),
        N_("quality"),
        N_("language"),
        N_("distance"),
        N_("availability"),
        N_("child_ages"),
        N_("themes"),
        N_("preferences"),
        N_("family_priority"),
        N_("reasons"),
        N_("reason"),
        N_("message"),
        N_("rejected_by"),
        N_("competitors"),
        N_("rank"),
        N_("proposed_to"),
        N_("date"),
        N_("part"),
        N_("start"),
        N_("end"),
        N_("first_visit"),
        N_("review"),
        N_("visits_skipped"),
        N_("visits_moved"),
        N_("moved_to"),
    )
}
"""The workbooks' sheet names and column headers, each a message of the catalogs: the
workbooks are for people and speak their language; the CSV files and JSON keep these English
names, which other tools read. A name missing here is a ``KeyError`` when a workbook is
written, so no header is left out of the catalogs."""


def for_people(sheets: dict[str, TableData], words: Wording) -> dict[str, TableData]:
    """``sheets`` with their names and headers in ``words``' language (rows unchanged)."""
    _ = words.gettext
    return {
        _(PEOPLE_WORDS[title]): ([_(PEOPLE_WORDS[name]) for name in header], rows)
        for title, (header, rows) in sheets.items()
    }


MAX_WIDTH = 60
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "hh:mm"


def workbook_bytes(sheets: dict[str, TableData], day: date) -> bytes:
    """A workbook with one sheet per (header, rows): header in bold and frozen, columns as wide
    as their longest value (at most 60). Written row by row (constant memory), every value as
    data: text as text, numbers as numbers, dates as dates, times as times. Its stored dates
    are ``day`` (the round's date), so the same tables give the same bytes."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    workbook.set_properties({"created": datetime(day.year, day.month, day.day)})
    bold = workbook.add_format({"bold": True})
    dated = workbook.add_format({"num_format": DATE_FORMAT})
    clock = workbook.add_format({"num_format": TIME_FORMAT})
    for title, (header, rows) in sheets.items():
        sheet = workbook.add_worksheet(title)
        for column, width in enumerate(_widths(header, rows)):
            sheet.set_column(column, column, width)
        sheet.freeze_panes(1, 0)
        for column, name in enumerate(header):
            sheet.write_string(0, column, name, bold)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                _write(sheet, number, column, value, dated, clock)
    workbook.close()
    return buffer.getvalue()


def _write(
    sheet: Worksheet,
    row: int,
    column: int,
    value: object,
    dated: Format,
    clock: Format,
) -> None:
    """One cell as data: never a formula, whatever the text; a ``time`` as an Excel time."""
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value)
    elif isinstance(value, datetime | date):
        sheet.write_datetime(row, column, value, dated)
    elif isinstance(value, time):
        sheet.write_datetime(row, column, value, clock)
    else:
        sheet.write_string(row, column, str(value))


def _widths(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[int]:
    """Column widths: the longest value's text (dates as yyyy-mm-dd), plus 2, at most 60."""
    longest = [len(name) for name in header]
    for row in rows:
        for column, value in enumerate(row[: len(header)]):
            length = len(_text(value))
            if length > longest[column]:
                longest[column] = length
    return [min(width + 2, MAX_WIDTH) for width in longest]


def _text(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()[:10]
    if isinstance(value, time):
        return value.isoformat()[:5]
    return str(value or "")


def plan_tables(plan: Plan) -> dict[str, TableData]:
    """The dated plan as tables: introductions, visit series, skipped and moved visits,
    unplanned. Dates are ``date`` values and the start and end of each half-day ``time``
    values, which the workbook writes as Excel dates and times."""
    return {
        "Introductions": (
            ["family_id", "volunteer_id", "coordinator_id", "date", "part", "start", "end"],
            [
                [
                    i.family_id,
                    i.volunteer_id,
                    i.coordinator_id or "",
                    i.day,
                    i.part,
                    *PART_TIMES[i.part],
                ]
                for i in plan.introductions
            ],
        ),
        "Visits": (
            [
                "family_id",
                "volunteer_id",
                "slot",
                "start",
                "end",
                "first_visit",
                "review",
                "visits_skipped",
                "visits_moved",
            ],
            [
                [
                    v.family_id,
                    v.volunteer_id,
                    v.slot,
                    *PART_TIMES[v.slot.split("-")[1]],
                    v.first,
                    v.review,
                    len(v.skipped),
                    len(v.moved),
                ]
                for v in plan.visits
            ],
        ),
        "Skipped visits": (
            ["family_id", "volunteer_id", "date", "reason"],
            [
                [v.family_id, v.volunteer_id, s.day, s.reason]
                for v in plan.visits
                for s in v.skipped
            ],
        ),
        "Moved visits": (
            ["family_id", "volunteer_id", "date", "moved_to", "part", "start", "end", "reason"],
            [
                [
                    v.family_id,
                    v.volunteer_id,
                    m.day,
                    m.to_day,
                    m.to_part,
                    *PART_TIMES[m.to_part],
                    m.reason,
                ]
                for v in plan.visits
                for m in v.moved
            ],
        ),
        "Unplanned": (
            ["family_id", "reason"],
            [[u.family_id, u.reason] for u in plan.unplanned],
        ),
    }


def plan_xlsx(result: SolveResult, plan: Plan, words: Wording | None = None) -> bytes:
    """Proposals, shortlists, unmatched families and the dated plan in one workbook, its sheet
    names and headers in ``words``' language (default: the result's)."""
    sheets = {
        "Proposals": proposals_table(result),
        "Shortlists": shortlists_table(result.shortlists),
        "Unmatched": unmatched_table(result),
        **plan_tables(plan),
    }
    return workbook_bytes(
        for_people(sheets, words or wording(result.language)), result.reference_date
    )


def _cell(value: float | None) -> str | float:
    return "" if value is None else value
