"""Result workbooks: every cell is data (text that looks like a formula stays text), dates are
real dates, and the same result gives the same bytes."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
from builders import family, round_of, volunteer

from matcher import solve
from matcher.io.results import results_xlsx, unmatched_csv, workbook_bytes

ADVERSARIAL = [
    "=1+1",
    '=HYPERLINK("http://example.org","click")',
    "+31 6 1234 5678",
    "-2+3",
    "@SUM(A1:A2)",
    "=cmd|' /C calc'!A0",
]


def _cells(xlsx: bytes, sheet: str) -> list[list[openpyxl.cell.cell.Cell]]:
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx))
    return [list(row) for row in workbook[sheet].iter_rows()]


def test_text_that_looks_like_a_formula_is_written_as_text() -> None:
    xlsx = workbook_bytes(
        {"Sheet": (["id", "reason"], [[text, text] for text in ADVERSARIAL])}, date(2026, 11, 24)
    )
    rows = _cells(xlsx, "Sheet")[1:]
    assert [[cell.value for cell in row] for row in rows] == [[t, t] for t in ADVERSARIAL]
    assert {cell.data_type for row in rows for cell in row} == {"s"}


def test_an_adversarial_reason_stays_text_in_results_and_csv() -> None:
    round_ = round_of([volunteer()], [family(), family("F2")])
    result = solve(round_)
    assert len(result.unmatched) == 1
    # The models refuse such text (see test_hostile_results); the writers must hold even so,
    # so the hostile result is built without validation.
    unmatched = result.unmatched[0]
    hostile_unmatched = type(unmatched).model_construct(
        **(dict(unmatched) | {"message": ADVERSARIAL[1]})
    )
    hostile = type(result).model_construct(**(dict(result) | {"unmatched": [hostile_unmatched]}))
    message = _cells(results_xlsx(hostile), "Unmatched")[1][2]
    assert (message.value, message.data_type) == (ADVERSARIAL[1], "s")
    assert ADVERSARIAL[1].replace('"', '""') in unmatched_csv(hostile)


def test_dates_are_excel_dates_and_numbers_are_numbers() -> None:
    xlsx = workbook_bytes(
        {"Plan": (["family_id", "date", "visits"], [["F1", date(2026, 12, 25), 3]])},
        date(2026, 11, 24),
    )
    header, row = _cells(xlsx, "Plan")
    assert [cell.font.bold for cell in header] == [True, True, True]
    assert row[1].is_date and row[1].value == datetime(2026, 12, 25)
    assert (row[2].value, row[2].data_type) == (3, "n")


def test_the_same_tables_give_the_same_bytes() -> None:
    sheets = {"A": (["x", "y"], [["a", 1.5], ["b", None]])}
    assert workbook_bytes(sheets, date(2026, 11, 24)) == workbook_bytes(sheets, date(2026, 11, 24))
