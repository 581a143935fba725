"""Round files: JSON and CSV folders round-trip; writes are atomic."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from builders import family, round_of, volunteer

from matcher.io.atomic import write_files_atomic
from matcher.io.csv_round import write_round_csv
from matcher.io.problems import InputError
from matcher.io.rounds import load_round
from matcher.synthetic.generate import Area, generate_round


def test_a_generated_round_round_trips_through_csv(tmp_path: Path) -> None:
    round_ = generate_round(
        Area(places=("Zwolle",)), 20, 25, seed=4, reference_date=date(2026, 11, 24)
    )
    round_ = round_.model_copy(
        update={
            "weights": round_.weights.model_copy(update={"themes": 3.0}),
            "exclusions": round_.declined_pairs,
        }
    )
    write_round_csv(round_, tmp_path / "r")
    assert load_round(tmp_path / "r") == round_


def test_hand_made_round_with_coordinates_and_ages_round_trips(tmp_path: Path) -> None:
    round_ = round_of(
        [volunteer(max_travel_km=12.5, languages=["nl", "tzm"])],
        [
            family(
                children=[{"age_years": 1.5}, {"birth_date": "2020-02-29"}],
                themes=["divorce:low"],
                no_pets="hard",
                volunteer_gender="female",
            )
        ],
        policy={"same_place": "area", "max_distance_km": 15},
    )
    write_round_csv(round_, tmp_path / "r")
    assert load_round(tmp_path / "r") == round_


def test_semicolons_and_a_byte_order_mark_are_accepted(tmp_path: Path) -> None:
    write_round_csv(round_of([volunteer()], [family()]), tmp_path / "r")
    for name in ("volunteers.csv", "families.csv"):
        path = tmp_path / "r" / name
        text = path.read_text().replace(",", ";")
        path.write_text("\ufeff" + text, encoding="utf-8")
    assert load_round(tmp_path / "r").volunteers[0].id == "V1"


def test_a_missing_required_file_is_named(tmp_path: Path) -> None:
    write_round_csv(round_of([volunteer()], [family()]), tmp_path / "r")
    (tmp_path / "r" / "families.csv").unlink()
    with pytest.raises(InputError, match=r"families\.csv: required, but not found"):
        load_round(tmp_path / "r")


def test_atomic_writes_change_nothing_when_one_file_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("old a")
    second.write_text("old b")
    real_open = Path.open

    def failing_open(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self.name.startswith(".b.csv."):
            raise OSError(28, "No space left on device")
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", failing_open)
    with pytest.raises(OSError):
        write_files_atomic({first: "new a", second: "new b"})
    assert first.read_text() == "old a" and second.read_text() == "old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


def test_atomic_writes_keep_usual_permissions(tmp_path: Path) -> None:
    write_files_atomic({tmp_path / "x.csv": "x"})
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "x.csv").stat().st_mode & 0o777 == 0o666 & ~umask


def _workbook(tmp_path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "round.xlsx"
    workbook.save(path)
    return path


DUTCH_VOLUNTEERS = [
    ["id", "postcode", "talen", "dagdelen", "capaciteit", "training_afgerond", "VOG"],
    ["V1", "3511 AB", "nl ar", "ma-ochtend di-middag", 2, "ja", True],
]
DUTCH_FAMILIES = [
    ["id", "postcode", "talen", "spreekt nederlands", "dagdelen", "kinderen", "aangemeld"],
    ["F1", "3512", "ar", "nee", "ma-ochtend", 2, date(2026, 9, 1)],
]


def test_a_round_reads_from_excel_with_dutch_sheets_and_headers(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path,
        {
            "Vrijwilligers": DUTCH_VOLUNTEERS,
            "Gezinnen": DUTCH_FAMILIES,
            "Instellingen": [["sleutel", "waarde"], ["reference_date", date(2026, 11, 24)]],
        },
    )
    round_ = load_round(path)
    assert round_.volunteers[0].languages == ("nl", "ar")
    assert round_.volunteers[0].slots == ("mon-morning", "tue-afternoon")
    assert round_.families[0].speaks_dutch is False
    assert str(round_.families[0].registered) == "2026-09-01"
    assert str(round_.reference_date) == "2026-11-24"


def test_excel_errors_name_sheet_row_and_column(tmp_path: Path) -> None:
    bad = [DUTCH_FAMILIES[0], [*DUTCH_FAMILIES[1][:4], "zo-nacht", *DUTCH_FAMILIES[1][5:]]]
    path = _workbook(tmp_path, {"Vrijwilligers": DUTCH_VOLUNTEERS, "Gezinnen": bad})
    with pytest.raises(InputError) as error:
        load_round(path)
    assert "round.xlsx, sheet 'Gezinnen', row 2, field 'dagdelen': unknown slot 'zo-nacht'" in str(
        error.value
    )
    missing = _workbook(tmp_path, {"Vrijwilligers": DUTCH_VOLUNTEERS})
    with pytest.raises(InputError, match="sheet 'families': required, but not found"):
        load_round(missing)
