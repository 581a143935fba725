"""plan.xlsx as Excel sees it: dates are date cells with a date format and the start and end
of each half-day are time cells with a time format, never text."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from typing import Any

import openpyxl
from builders import family, round_of, volunteer
from openpyxl.worksheet.worksheet import Worksheet

from matcher import solve
from matcher.io.results import plan_xlsx
from matcher.schedule.plan import plan_round

DATES = {
    "Introductions": ["date"],
    "Visits": ["first_visit", "review"],
    "Skipped visits": ["date"],
    "Moved visits": ["date", "moved_to"],
}
TIMES = {
    "Introductions": ["start", "end"],
    "Visits": ["start", "end"],
    "Moved visits": ["start", "end"],
}


def _columns(sheet: Worksheet) -> dict[str, list[Any]]:
    rows = list(sheet.iter_rows())
    header = [str(cell.value) for cell in rows[0]]
    return {name: [row[i] for row in rows[1:]] for i, name in enumerate(header)}


def test_dates_and_times_in_the_plan_workbook_are_real_dates_and_times() -> None:
    both = ["mon-morning", "tue-morning"]
    may = {"name": "meivakantie", "start": "2027-04-24", "end": "2027-05-02"}
    round_ = round_of([volunteer(slots=both)], [family(slots=both)], school_holidays=[may])
    result = solve(round_)
    # Monday visits from 8 March 2027: Easter Monday (29 March) moves to Tuesday, 26 April is
    # in the May holiday and skipped.
    plan = plan_round(round_, result.proposals, date(2027, 3, 1), weeks=1, review_weeks=13)
    assert plan.visits[0].slot == "mon-morning"
    assert plan.visits[0].moved and plan.visits[0].skipped
    workbook = openpyxl.load_workbook(io.BytesIO(plan_xlsx(result, plan)))
    seen = 0
    for title, names in DATES.items():
        columns = _columns(workbook[title])
        for name in names:
            for cell in columns[name]:
                assert cell.is_date and isinstance(cell.value, datetime), (title, name)
                assert cell.number_format == "yyyy-mm-dd"
                seen += 1
    for title, names in TIMES.items():
        columns = _columns(workbook[title])
        for name in names:
            for cell in columns[name]:
                assert cell.is_date and isinstance(cell.value, time), (title, name)
                assert cell.number_format == "hh:mm"
                seen += 1
    assert seen >= 10
    introduction = _columns(workbook["Introductions"])
    assert [c.value for c in introduction["start"]] == [time(9, 30)]
    assert [c.value for c in introduction["end"]] == [time(12, 0)]
    moved = _columns(workbook["Moved visits"])
    assert moved["moved_to"][0].value == datetime(2027, 3, 30)
