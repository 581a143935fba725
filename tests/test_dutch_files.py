"""Files stay the user's own: Dutch or English names, headers and words read forgivingly, and a
changed round written back in the dialect it was read in."""

from __future__ import annotations

import json
import logging
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from builders import family, round_of, volunteer
from cli_runs import run

from matcher import solve
from matcher.domain.vocab import (
    DUTCH_WORDS,
    YES_NO_WORDS,
    AgeGroup,
    Gender,
    Strength,
    Theme,
    ThemePriority,
    TravelMode,
    canonical_language,
    language_name,
    word_key,
)
from matcher.io.cells import Kind, Style, write_cell
from matcher.io.csv_round import SETTING_WORDS, write_round_csv
from matcher.io.headers import DUTCH_COLLECTIONS, DUTCH_COLUMNS
from matcher.io.problems import InputError
from matcher.io.rounds import load_and_prepare, load_round

VRIJWILLIGERS = (
    "ID;Postcode;Talen;Dagdelen;Capaciteit;Max reisafstand km;Vervoer;Geslacht;Rookt;"
    "Training afgerond;VOG\n"
    "V1;3511 AB;nl ar;di-ochtend wo-middag;1;7,5;fiets;vrouw;nee;ja;ja\n"
    "V2;3512 CD;nl ar;di-ochtend;2;;OV;Man;Nee;Ja;JA\n"
)
GEZINNEN = (
    "ID;Postcode;Talen;Spreekt Nederlands;Dagdelen;Kinderen;Thema's;Voorkeur geslacht;"
    "Aangemeld;Herkoppeling\n"
    "F1;3511 AB;;ja;di-ochtend;1,5;huilen_slapen:hoog;vrouw;2026-09-01;nee\n"
    "F2;3512 EF;ar;nee;di-ochtend wo-middag;3,5| 7;;;2026-10-01;nee\n"
    "F3;3512 CD;;ja;wo-middag;0,5;;;2026-10-15;nee\n"
)
LOPENDE = """\
Gezin ID;Vrijwilliger ID;Dagdeel
F1;V1;di-ochtend
"""
INSTELLINGEN = """\
sleutel;waarde
reference_date;2026-11-24
weights.distance;2,5
policy.same_place;Uit
"""


def _dutch_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "ronde"
    folder.mkdir()
    for name, text in {
        "Vrijwilligers.csv": VRIJWILLIGERS,
        "Gezinnen.csv": GEZINNEN,
        "Lopende koppelingen.csv": LOPENDE,
        "Instellingen.csv": INSTELLINGEN,
    }.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _texts(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.csv"))}


def test_a_dutch_csv_folder_reads_with_dutch_words_and_decimal_commas(tmp_path: Path) -> None:
    round_ = load_round(_dutch_folder(tmp_path))
    v1, v2 = round_.volunteers
    assert v1.max_travel_km == 7.5
    assert (v1.travel_mode, v2.travel_mode) == (TravelMode.BIKE, TravelMode.PUBLIC_TRANSPORT)
    assert (v1.gender, v2.gender) == (Gender.FEMALE, Gender.MALE)
    assert v2.training_complete and not v2.smokes
    f1, f2, _ = round_.families
    assert [c.age_years for c in f1.children] == [1.5]
    assert [c.age_years for c in f2.children] == [3.5, 7]
    assert f1.themes[0].theme == Theme.CRYING_SLEEP
    assert f1.themes[0].priority == ThemePriority.HIGH
    assert round_.active_matches[0].slot == "tue-morning"
    assert round_.weights.distance == 2.5
    assert round_.policy.same_place == "off"


@pytest.mark.parametrize(
    ("enum", "word", "value"),
    [
        (Gender, "Vrouw", "female"),
        (Gender, "MAN", "male"),
        (Gender, "anders", "other"),
        (TravelMode, "lopen", "walk"),
        (TravelMode, "Fiets", "bike"),
        (TravelMode, "openbaar vervoer", "public_transport"),
        (TravelMode, "ov", "public_transport"),
        (TravelMode, "auto", "car"),
        (TravelMode, "Public Transport", "public_transport"),
        (Strength, "zacht", "soft"),
        (ThemePriority, "laag", "low"),
        (AgeGroup, "Zwangerschap", "pregnancy"),
        (Theme, "Geldzorgen", "money_worries"),
        (Theme, "alleenstaande ouder", "single_parent"),
    ],
)
def test_every_vocabulary_takes_its_dutch_words_in_any_case(
    enum: type, word: str, value: str
) -> None:
    assert enum(word) == value


def test_ja_is_japanese_in_a_language_column(tmp_path: Path) -> None:
    folder = _dutch_folder(tmp_path)
    text = VRIJWILLIGERS.replace("V2;3512 CD;nl ar;", "V2;3512 CD;ja;")
    (folder / "Vrijwilligers.csv").write_text(text, encoding="utf-8")
    assert load_round(folder).volunteers[1].languages == ("ja",)


def test_a_workbook_takes_dutch_words_and_forgiving_sheet_names(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    sheets = {
        " VRIJWILLIGERS ": [
            ["Id", "Postcode", "TALEN", "dagdelen", "Vervoer", "Training-afgerond", "vog"],
            ["V1", "3511 AB", "nl", "di-ochtend", "Auto", "JA", "waar"],
        ],
        "gezinnen": [
            [" ID ", "postcode", "kinderen", "aangemeld", "Coördinator"],
            ["F1", "3511 AB", "2,5; 4", "2026-09-01", "C1"],
        ],
        "Coördinatoren": [["id", "Dagdelen"], ["C1", "ma-ochtend"]],
    }
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(tmp_path / "ronde.xlsx")
    round_ = load_round(tmp_path / "ronde.xlsx", today=date(2026, 11, 24))
    assert round_.volunteers[0].travel_mode == TravelMode.CAR
    assert round_.volunteers[0].vog_complete
    assert [c.age_years for c in round_.families[0].children] == [2.5, 4]
    assert round_.families[0].coordinator == "C1"
    assert round_.coordinators[0].slots == ("mon-morning",)


@pytest.mark.parametrize("title", ["Coördinatoren", "coordinatoren", "COORDINATORS"])
def test_sheet_and_file_names_ignore_case_accents_and_spaces(tmp_path: Path, title: str) -> None:
    folder = _dutch_folder(tmp_path)
    (folder / f"{title}.csv").write_text("id;dagdelen\nC1;ma-ochtend\n", encoding="utf-8")
    assert load_round(folder).coordinators[0].id == "C1"


def test_lock_files_are_passed_over_and_the_extension_may_be_upper_case(tmp_path: Path) -> None:
    folder = _dutch_folder(tmp_path)
    (folder / "Gezinnen.csv").rename(folder / "GEZINNEN.CSV")
    (folder / "~$Vrijwilligers.csv").write_text("not a table", encoding="utf-8")
    assert len(load_round(folder).families) == 3


def test_headers_ignore_case_accents_and_spaces(tmp_path: Path) -> None:
    folder = _dutch_folder(tmp_path)
    (folder / "Lopende koppelingen.csv").write_text(
        " Family ID ;VRIJWILLIGER-id;slot\nF1;V1;di-ochtend\n", encoding="utf-8"
    )
    assert load_round(folder).active_matches[0].volunteer_id == "V1"


def test_unknown_files_sheets_and_columns_are_warned_about_by_name(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _dutch_folder(tmp_path)
    (folder / "notities.csv").write_text("x\n1\n", encoding="utf-8")
    text = VRIJWILLIGERS.replace("Rookt;", "Favoriete kleur;").replace(";VOG\n", ";VOG;\n")
    text = text.replace(";ja;ja\n", ";ja;ja;x\n")
    (folder / "Vrijwilligers.csv").write_text(text, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        round_ = load_round(folder)
    assert not round_.volunteers[0].smokes
    assert "notities.csv: unknown file, ignored" in caplog.text
    assert "Vrijwilligers.csv: unknown column 'Favoriete kleur' ignored" in caplog.text
    assert "Vrijwilligers.csv: cells in column L have no header and are ignored" in caplog.text
    book = openpyxl.Workbook()
    book.active.title = "Vrijwilligers"
    book.active.append(["id", "talen", "postcode", "training_afgerond", "vog"])
    book.create_sheet("Blad2")
    book.create_sheet("Gezinnen").append(["id", "postcode", "kinderen", "aangemeld"])
    book.save(tmp_path / "r.xlsx")
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        load_round(tmp_path / "r.xlsx", today=date(2026, 11, 24))
    assert "unknown sheet 'Blad2' ignored" in caplog.text


def test_personal_data_columns_are_still_refused(tmp_path: Path) -> None:
    folder = _dutch_folder(tmp_path)
    text = VRIJWILLIGERS.replace("Rookt;", "Achter-naam;")
    (folder / "Vrijwilligers.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="field 'Achter-naam': looks like personal data"):
        load_round(folder)


def test_errors_name_the_column_as_the_user_wrote_it(tmp_path: Path) -> None:
    folder = _dutch_folder(tmp_path)
    text = VRIJWILLIGERS.replace("di-ochtend;2;", "di-ochtend;veel;")
    (folder / "Vrijwilligers.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"Vrijwilligers.csv, row 3, field 'Capaciteit'"):
        load_round(folder)
    (folder / "Vrijwilligers.csv").write_text(VRIJWILLIGERS, encoding="utf-8")
    (folder / "Lopende koppelingen.csv").write_text(LOPENDE.replace("F1;V1", "F1;V9"), "utf-8")
    with pytest.raises(InputError, match=r"koppelingen.csv, row 2, field 'Vrijwilliger ID'"):
        load_and_prepare(folder)


def test_a_list_of_ages_with_an_ambiguous_comma_is_refused(tmp_path: Path) -> None:
    folder = _dutch_folder(tmp_path)
    (folder / "Gezinnen.csv").write_text(GEZINNEN.replace("3,5| 7", "3,5,7"), "utf-8")
    with pytest.raises(InputError) as error:
        load_round(folder)
    message = str(error.value)
    assert "Gezinnen.csv, row 3, field 'Kinderen': ambiguous list of ages '3,5,7'" in message
    assert "'3,5; 7'" in message


def test_a_dutch_folder_round_trips_through_decide_and_end(tmp_path: Path) -> None:
    folder = _dutch_folder(tmp_path)
    before = _texts(folder)
    out = tmp_path / "out"
    assert run("solve", str(folder), "--out", str(out)).exit_code == 0
    proposals = json.loads((out / "result.json").read_text())["proposals"]
    proposed = next(p for p in proposals if p["family_id"] == "F2")
    assert proposed["slot"] == "tue-morning"
    done = run(
        "decide", str(folder), "--result", str(out / "result.json"), "--family", "F2", "--accept"
    )
    assert done.exit_code == 0, done.output
    after = _texts(folder)
    volunteer_id = proposed["volunteer_id"]
    expected = before | {
        "Lopende koppelingen.csv": LOPENDE + f"F2;{volunteer_id};di-ochtend\n",
    }
    assert after == expected
    ended = run(
        "end", str(folder), "--family", "F1", "--reason", "volunteer_stopped", "--date",
        "2026-12-01",
    )  # fmt: skip
    assert ended.exit_code == 0, ended.output
    # The family keeps its registration date and waits again from the end date; the volunteer
    # stopped; the pair is never proposed again. New columns and files are named in Dutch.
    families = GEZINNEN.replace("Herkoppeling\n", "Herkoppeling;wacht_sinds\n")
    families = families.replace("vrouw;2026-09-01;nee", "vrouw;2026-09-01;ja;2026-12-01")
    volunteers = VRIJWILLIGERS.replace("VOG\n", "VOG;status;gestopt_op\n", 1)
    volunteers = volunteers.replace(
        "fiets;vrouw;nee;ja;ja", "fiets;vrouw;nee;ja;ja;gestopt;2026-12-01"
    )
    assert _texts(folder) == expected | {
        "Gezinnen.csv": families,
        "Vrijwilligers.csv": volunteers,
        "Lopende koppelingen.csv": LOPENDE.replace("F1;V1", f"F2;{volunteer_id}"),
        "Instellingen.csv": INSTELLINGEN.replace("2026-11-24", "2026-12-01"),
        "afgewezen_koppelingen.csv": "gezin_id;vrijwilliger_id\nF1;V1\n",
    }


def test_a_new_file_in_a_dutch_folder_is_dutch(tmp_path: Path) -> None:
    folder = _dutch_folder(tmp_path)
    (folder / "Lopende koppelingen.csv").unlink()
    out = tmp_path / "out"
    assert run("solve", str(folder), "--out", str(out)).exit_code == 0
    result = out / "result.json"
    done = run("decide", str(folder), "--result", str(result), "--family", "F2", "--decline")
    assert done.exit_code == 0, done.output
    declined = (folder / "afgewezen_koppelingen.csv").read_text(encoding="utf-8")
    assert declined.splitlines()[0] == "gezin_id;vrijwilliger_id"


def test_an_english_folder_stays_english(tmp_path: Path) -> None:
    folder = tmp_path / "round"
    round_ = round_of(
        [volunteer("V1", slots=["tue-morning"])],
        [family("F1", slots=["tue-morning"]), family("F2", slots=["tue-morning"])],
    )
    write_round_csv(round_, folder)
    before = _texts(folder)
    out = tmp_path / "out"
    assert run("solve", str(folder), "--out", str(out)).exit_code == 0
    family_id = json.loads((out / "result.json").read_text())["proposals"][0]["family_id"]
    result = str(out / "result.json")
    done = run("decide", str(folder), "--result", result, "--family", family_id, "--accept")
    assert done.exit_code == 0, done.output
    after = _texts(folder)
    assert after["active_matches.csv"] == (
        f"family_id,volunteer_id,slot\n{family_id},V1,tue-morning\n"
    )
    assert {k: v for k, v in after.items() if k != "active_matches.csv"} == before


def test_values_are_written_in_the_files_style() -> None:
    dutch = Style(dutch=True, decimal_comma=True)
    assert write_cell(True, Kind.BOOL, dutch) == "ja"
    assert write_cell(7.5, Kind.NUMBER, dutch) == "7,5"
    assert write_cell("female", Kind.WORD, dutch) == "vrouw"
    assert write_cell("public_transport", Kind.WORD, dutch) == "ov"
    assert write_cell(["sun-evening", "tue-morning"], Kind.WORDS, dutch) == "zo-avond di-ochtend"
    ages = [{"birth_date": None, "age_years": 3.5}, {"birth_date": "2024-01-02", "age_years": None}]
    assert write_cell(ages, Kind.AGES, dutch) == "3,5 2024-01-02"
    themes = [{"theme": "crying_sleep", "priority": "high"}]
    assert write_cell(themes, Kind.WORDS, dutch) == "huilen_slapen:hoog"
    assert write_cell(7.5, Kind.NUMBER) == "7.5"
    assert write_cell("female", Kind.WORD) == "female"


@pytest.mark.parametrize(
    ("code", "canonical"),
    [("ar", "ar"), ("ara", "ar"), ("AR", "ar"), ("dut", "nl"), ("nld", "nl"), ("fre", "fr"),
     ("per", "fa"), ("arb", "arb"), ("rif", "rif"), ("tzm", "tzm"), ("xx", None)],
)  # fmt: skip
def test_language_codes_become_one_canonical_code(code: str, canonical: str | None) -> None:
    assert canonical_language(code.lower()) == canonical


def test_an_ara_volunteer_matches_an_ar_family_and_the_reason_names_arabic() -> None:
    volunteer_ = volunteer("V1", languages=["ara"])
    family_ = family("F1", languages=["ar"], speaks_dutch=False)
    assert volunteer_.languages == ("ar",)
    assert language_name("ara") == "Arabic"
    result = solve(round_of([volunteer_], [family_]))
    assert [p.family_id for p in result.proposals] == ["F1"]
    assert any("Arabic" in reason for reason in result.proposals[0].reasons)


def test_unknown_language_is_refused_naming_the_standards(tmp_path: Path) -> None:
    folder = _dutch_folder(tmp_path)
    (folder / "Gezinnen.csv").write_text(GEZINNEN.replace(";ar;nee;", ";xyz;nee;"), "utf-8")
    with pytest.raises(InputError, match=r"field 'Talen\.0'.*ISO 639-1, 639-2 or 639-3"):
        load_round(folder)


@pytest.mark.parametrize("command", ["decide", "end"])
def test_help_examples_work_on_a_copy_of_a_shipped_scenario(command: str) -> None:
    help_text = run(command, "--help").output
    assert "cp -r scenarios/location my-round" in help_text
    assert "on a copy" in help_text
    for line in help_text.splitlines():
        if line.strip().startswith(f"matcher {command} "):
            assert "scenarios/" not in line


def test_the_readme_lists_every_dutch_name_and_word() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("#### Dutch files", 1)[1].split("\n## ", 1)[0]
    listed = {word_key(word) for word in re.findall(r"`([^`]+)`", section)}
    words = [*DUTCH_COLLECTIONS, *DUTCH_COLUMNS, *YES_NO_WORDS]
    words += [word for table in SETTING_WORDS.values() for word in table]
    words += [word for table in DUTCH_WORDS.values() for word in table]
    assert [word for word in words if word not in listed] == []
