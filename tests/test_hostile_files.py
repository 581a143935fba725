"""Hostile and broken round files: each is refused with exit code 2 and a message naming the
file (and row and field where there is one), never a traceback, a hang or a silent loss."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import family, round_of, volunteer
from cli_runs import refused, run
from openpyxl.chart import BarChart, Reference

from matcher.io.csv_round import write_round_csv
from matcher.io.problems import InputError
from matcher.io.rounds import load_round


def _json_round(tmp_path: Path) -> tuple[Path, dict[str, object]]:
    document = json.loads(round_of([volunteer()], [family()]).model_dump_json())
    return tmp_path / "round.json", document


@pytest.mark.parametrize(
    ("collection", "field", "value"),
    [
        ("volunteers", "slots", [["mon-morning"]]),
        ("families", "slots", [{"day": "mon"}]),
        ("volunteers", "languages", [["nl"]]),
        ("families", "children", [[2]]),
        ("families", "themes", [None]),
        ("volunteers", "slots", None),
    ],
)
def test_lists_and_nulls_inside_list_fields_are_refused(
    tmp_path: Path, collection: str, field: str, value: object
) -> None:
    path, document = _json_round(tmp_path)
    document[collection][0][field] = value  # type: ignore[index]
    path.write_text(json.dumps(document))
    refused(run("validate", str(path)), f"round.json, field '{collection}[0].{field}")


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    refused(run("validate", str(path)), "deep.json: nested too deeply")


def test_numbers_with_thousands_of_digits_and_nan_are_refused(tmp_path: Path) -> None:
    path, document = _json_round(tmp_path)
    text = json.dumps(document)
    path.write_text(text.replace('"capacity": 1', '"capacity": 1' + "0" * 5000))
    refused(run("validate", str(path)), "round.json: invalid JSON: a number has too many digits")
    path.write_text(text.replace('"capacity": 1', '"capacity": NaN'))
    refused(run("validate", str(path)), "round.json: invalid JSON: NaN is not a number")


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "round.json"
    path.write_bytes(b'{"volunteers": "\xff\xfe"}')
    refused(run("validate", str(path)), "round.json: not UTF-8 text")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("weights,3\nweights.distance,2\n", "conflicts with 'weights' (row 2)"),
        ("weights.distance,2\nweights,3\n", "conflicts with 'weights.distance' (row 2)"),
        ("weights.distance,2\nweights.distance,3\n", "conflicts with 'weights.distance'"),
        ("weights.distance,2\nvolunteers,3\n", "unknown setting"),
    ],
)
def test_conflicting_settings_are_refused(tmp_path: Path, rows: str, message: str) -> None:
    write_round_csv(round_of([volunteer()], [family()]), tmp_path / "r")
    settings = tmp_path / "r" / "settings.csv"
    settings.write_text("key,value\n" + rows)
    refused(run("validate", str(tmp_path / "r")), "settings.csv, row 3", message)


# --- Excel -------------------------------------------------------------------------------------

VOLUNTEERS = [
    ["id", "postcode", "languages", "slots", "training_complete", "vog_complete"],
    *[[f"V{i}", "3511", "nl", "mon-morning", "yes", "yes"] for i in range(1, 26)],
]
FAMILIES = [
    ["id", "postcode", "slots", "children", "registered"],
    ["F1", "3512", "mon-morning", "2", "2026-09-01"],
]


def _workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewrite(xlsx: bytes, part: str, change: object) -> bytes:
    """The workbook with one part's XML changed by ``change(text) -> text``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == part:
                data = change(data.decode()).encode()  # type: ignore[operator]
            target.writestr(entry, data)
    return out.getvalue()


def _dimension(ref: str) -> object:
    return lambda text: re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{ref}"', text)


GOOD = _workbook({"volunteers": VOLUNTEERS, "families": FAMILIES})


@pytest.mark.parametrize(
    "content",
    [b"", GOOD[: len(GOOD) // 2], GOOD[:200] + bytes(200) + GOOD[400:], b"PK\x03\x04" + bytes(60)],
    ids=["empty", "truncated", "zeroed", "bad-header"],
)
def test_broken_workbooks_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "round.xlsx"
    path.write_bytes(content)
    refused(run("validate", str(path)), "round.xlsx: not a readable .xlsx workbook")


def test_corrupt_sheet_xml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "round.xlsx"
    path.write_bytes(_rewrite(GOOD, "xl/worksheets/sheet1.xml", lambda text: text[:-40]))
    refused(run("validate", str(path)), "round.xlsx: not a readable .xlsx workbook")


def test_a_chart_sheet_named_like_a_data_sheet_is_refused(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "families"
    for row in FAMILIES:
        sheet.append(row)
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=5, min_row=1, max_row=2))
    workbook.create_chartsheet("volunteers").add_chart(chart)
    path = tmp_path / "round.xlsx"
    workbook.save(path)
    refused(run("validate", str(path)), "sheet 'volunteers': is a chart sheet")


def test_a_sheet_claiming_the_whole_grid_reads_only_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "round.xlsx"
    path.write_bytes(_rewrite(GOOD, "xl/worksheets/sheet1.xml", _dimension("A1:XFD1048576")))
    assert len(load_round(path).volunteers) == 25


def test_a_stale_dimension_does_not_drop_rows(tmp_path: Path) -> None:
    path = tmp_path / "round.xlsx"
    path.write_bytes(_rewrite(GOOD, "xl/worksheets/sheet1.xml", _dimension("A1:F5")))
    assert len(load_round(path).volunteers) == 25


def test_a_cell_far_to_the_right_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "round.xlsx"
    far = lambda text: text.replace(  # noqa: E731
        "</row>", '<c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>', 2
    )
    path.write_bytes(_rewrite(GOOD, "xl/worksheets/sheet1.xml", far))
    refused(run("validate", str(path)), "sheet 'volunteers', row 1", "cell XFD")


def test_formulas_in_data_cells_are_refused(tmp_path: Path) -> None:
    rows = [VOLUNTEERS[0], ["V1", "3511", "nl", "mon-morning", "=1=1", "yes"]]
    path = tmp_path / "round.xlsx"
    path.write_bytes(_workbook({"volunteers": rows, "families": FAMILIES}))
    refused(run("validate", str(path)), "sheet 'volunteers', row 2", "cell E2 holds a formula")


def test_a_zip_bomb_is_refused_unread(tmp_path: Path) -> None:
    big = _rewrite(GOOD, "xl/worksheets/sheet1.xml", lambda text: text + " " * (65 * 1024 * 1024))
    path = tmp_path / "round.xlsx"
    path.write_bytes(big)
    refused(run("validate", str(path)), "round.xlsx: too large")


def test_two_sheets_for_one_collection_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "round.xlsx"
    sheets = {"volunteers": VOLUNTEERS, "Vrijwilligers": VOLUNTEERS, "families": FAMILIES}
    path.write_bytes(_workbook(sheets))
    with pytest.raises(InputError, match="'volunteers' and 'Vrijwilligers' both hold volunteers"):
        load_round(path)


def test_a_part_in_an_unsupported_compression_method_is_refused(tmp_path: Path) -> None:
    data = bytearray(GOOD)
    # Every local header and central directory entry names its method at a fixed offset;
    # 99 (AES) is one zipfile cannot read.
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = data.find(signature)
        while at >= 0:
            data[at + offset : at + offset + 2] = (99).to_bytes(2, "little")
            at = data.find(signature, at + 4)
    path = tmp_path / "round.xlsx"
    path.write_bytes(bytes(data))
    refused(run("validate", str(path)), "round.xlsx: not a readable .xlsx workbook")


def test_a_repeated_json_key_is_refused(tmp_path: Path) -> None:
    path, document = _json_round(tmp_path)
    text = json.dumps(document)
    path.write_text(text.replace('"volunteers": [', '"families": [], "volunteers": [', 1))
    refused(
        run("validate", str(path)), "round.json: invalid JSON: the key 'families' appears twice"
    )


@pytest.mark.parametrize("extra", ["id", "capaciteit"])
def test_a_repeated_column_is_refused(tmp_path: Path, extra: str) -> None:
    write_round_csv(round_of([volunteer()], [family()]), tmp_path / "r")
    path = tmp_path / "r" / "volunteers.csv"
    lines = path.read_text().splitlines()
    path.write_text(f"{lines[0]},{extra}\n{lines[1]},2\n")
    refused(run("validate", str(tmp_path / "r")), "volunteers.csv, row 1", "column appears twice")
