"""Every CSV the engine writes is safe to open in a spreadsheet, and reads back unchanged."""

from __future__ import annotations

import csv
import io

import pytest
from builders import family, round_of, volunteer
from hypothesis import given
from hypothesis import strategies as st

from matcher import solve
from matcher.io.cells import Kind, read_cell
from matcher.io.results import proposals_csv, shortlists_csv, unmatched_csv
from matcher.io.tabular import csv_text, protected, unprotected


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+31 6 1234", "'+31 6 1234"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-", "'-"),
        ("-3.5", "-3.5"),  # a number stays a number
        ("-3,5", "-3,5"),
        ("+2", "+2"),
        ("-1e3", "-1e3"),
        (-3.5, "-3.5"),
        ("V0001", "V0001"),
        ("a=b", "a=b"),
        ("'quoted", "'quoted"),
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_a_quote(value: object, written: str) -> None:
    assert protected(value) == written
    assert _cells(csv_text(["h"], [[value]]))[1] == [written]


@given(st.text(max_size=30))
def test_protected_text_reads_back_as_written(text: str) -> None:
    assert unprotected(protected(text)) == text
    # and through a whole CSV file and the engine's cell reader
    table = _cells(csv_text(["h"], [[text]]))
    assert read_cell(table[1][0], Kind.TEXT) == text.strip()


def test_results_csv_files_protect_every_cell() -> None:
    round_ = round_of([volunteer("V1")], [family("F1"), family("F2")])
    result = solve(round_)
    proposal = result.proposals[0]
    hostile = proposal.model_construct(
        **{**dict(proposal), "reasons": ["=1+2", "@SUM(A1)"], "slot": "-x"}
    )
    unmatched = result.unmatched[0]
    shouting = unmatched.model_construct(**{**dict(unmatched), "message": "+cmd|' /C calc'!A0"})
    edited = result.model_construct(
        **{**dict(result), "proposals": [hostile], "unmatched": [shouting]}
    )
    proposals = dict(zip(*_cells(proposals_csv(edited)), strict=True))
    assert proposals["reasons"] == "'=1+2; @SUM(A1)"
    assert proposals["slot"] == "'-x"
    assert not proposals["quality"].startswith("'")  # numbers stay numbers
    unmatched_row = dict(zip(*_cells(unmatched_csv(edited)), strict=True))
    assert unmatched_row["message"] == "'+cmd|' /C calc'!A0"
    for text in (proposals_csv(edited), unmatched_csv(edited), shortlists_csv(edited.shortlists)):
        for row in _cells(text):
            assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
