"""The command line in Dutch and English: ``--lang``, the locale's language by default, and
the files for people (report.html, the workbooks) in that language; the CSV and JSON files
keep their machine headers."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from matcher.cli import main

LOCATION = Path(__file__).resolve().parents[1] / "scenarios" / "location"
DUTCH_LOCALE = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": "nl_NL.UTF-8"}
NO_LOCALE = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": None}


def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=NO_LOCALE if env is None else env)


@pytest.fixture(scope="module")
def dutch_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    out = tmp_path_factory.mktemp("nl") / "out"
    return run("solve", str(LOCATION), "--out", str(out), "--report", "--lang", "nl"), out


def test_solve_with_lang_nl_prints_a_dutch_summary(dutch_output: tuple[Result, Path]) -> None:
    result, out = dutch_output
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Ronde van 24 november 2026: 30 wachtende gezinnen, 387 mogelijke koppels"
    assert lines[1].startswith("Status    optimal (flow, bewezen optimaal); doelwaarde ")
    assert lines[2] == "Gekoppeld 20 van 30 gezinnen, gemiddelde kwaliteit 0,744"
    assert lines[4].split() == ["gezin", "vrijwilliger", "dagdeel", "km", "kwaliteit"]
    assert lines[5].split() == ["F0001", "V0015", "ma-middag", "6,5", "0,810"]
    assert (
        "Zonder voorstel 10: 7 voorrang aan andere gezinnen, 1 buiten het programma, 2 geen "
        in (result.output)
    )
    assert f"Geschreven: {out / 'proposals.csv'}, " in result.output


def test_the_dutch_report_has_lang_nl_dutch_numbers_and_dates(
    dutch_output: tuple[Result, Path],
) -> None:
    page = (dutch_output[1] / "report.html").read_text()
    assert '<html lang="nl">' in page
    assert "<h1>Koppelronde van 24 november 2026</h1>" in page
    assert "<td>Gezinnen gekoppeld</td><td>20 van 30 wachtend (67%)</td>" in page
    assert "<td>6,5</td><td>0,81</td>" in page
    assert "beiden spreken Nederlands; 6,5 km (grens van de vrijwilliger 19,7 km)" in page
    assert "<h2>Gezinnen zonder voorstel</h2>" in page
    assert re.search(r">52,\d\d</text>", page)  # the map's latitudes
    assert "ma-middag" in page
    assert "Proposals" not in page and "both speak" not in page


def test_the_dutch_workbook_has_dutch_sheets_and_headers_the_csv_files_do_not(
    dutch_output: tuple[Result, Path],
) -> None:
    out = dutch_output[1]
    workbook = openpyxl.load_workbook(out / "results.xlsx")
    assert workbook.sheetnames == ["Voorstellen", "Keuzelijsten", "Zonder voorstel"]
    header = [cell.value for cell in workbook["Voorstellen"][1]]
    assert header[:6] == [
        "gezin_id",
        "vrijwilliger_id",
        "dagdeel",
        "andere_gedeelde_dagdelen",
        "afstand_km",
        "kwaliteit",
    ]
    assert header[-1] == "redenen"
    assert [cell.value for cell in workbook["Zonder voorstel"][1]] == [
        "gezin_id",
        "reden",
        "toelichting",
        "uitgesloten_door",
        "concurrenten",
    ]
    assert (out / "proposals.csv").read_text().startswith("family_id,volunteer_id,slot,")
    assert (out / "unmatched.csv").read_text().startswith("family_id,reason,message,")
    document = json.loads((out / "result.json").read_text())
    assert document["language"] == "nl"
    assert document["proposals"][0]["reasons"][0] == "beiden spreken Nederlands"


def test_the_language_follows_the_locale_and_lang_overrides_it(tmp_path: Path) -> None:
    dutch = run("validate", str(LOCATION), env=DUTCH_LOCALE)
    assert dutch.output.startswith("geldige ronde van 24 november 2026: 25 vrijwilligers, ")
    english = run("validate", str(LOCATION), "--lang", "en", env=DUTCH_LOCALE)
    assert english.output.startswith("valid round of 2026-11-24: 25 volunteers, ")
    assert run("validate", str(LOCATION)).output == english.output
    assert run("validate", str(LOCATION), "--lang", "de").exit_code == 2


def test_bad_input_is_framed_in_dutch_and_keeps_the_users_field_names(tmp_path: Path) -> None:
    folder = tmp_path / "round"
    shutil.copytree(LOCATION, folder)
    families = folder / "gezinnen.csv"
    (folder / "families.csv").rename(families)
    lines = families.read_text().splitlines()
    lines[0] = lines[0].replace("speaks_dutch", "spreekt_nederlands")
    lines[2] = lines[2].replace(",yes,", ",misschien,", 1)
    families.write_text("\n".join(lines) + "\n")
    result = run("validate", str(folder), "--lang", "nl")
    assert result.exit_code == 2
    assert result.output.startswith(f"fout: {families}, rij 3, veld 'spreekt_nederlands': ")
    english = run("validate", str(folder))
    assert english.output.startswith(f"error: {families}, row 3, field 'spreekt_nederlands': ")


def test_decide_end_and_plan_in_dutch(dutch_output: tuple[Result, Path], tmp_path: Path) -> None:
    folder = tmp_path / "round"
    shutil.copytree(LOCATION, folder)
    result = str(dutch_output[1] / "result.json")
    accepted = run(
        "decide", str(folder), "--result", result, "--family", "F0001", "--accept", "--lang", "nl"
    )
    assert accepted.output == "F0001 met V0015 geaccepteerd: bezoeken op ma-middag\n"
    ended = run(
        "end",
        str(folder),
        "--family",
        "F0001",
        "--reason",
        "family_copes",
        "--date",
        "2026-12-01",
        "--lang",
        "nl",
    )
    assert ended.output == (
        "F0001: koppeling beëindigd (family_copes); het gezin is afgesloten op 1 december 2026\n"
    )
    plan = run(
        "plan", str(LOCATION), "--result", result, "--out", str(tmp_path / "plan"), "--lang", "nl"
    )
    assert plan.exit_code == 0, plan.output
    assert plan.output.startswith(
        "18 kennismakingen gepland (optimal); 2 niet gepland. Geschreven: "
    )
    workbook = openpyxl.load_workbook(tmp_path / "plan" / "plan.xlsx")
    assert workbook.sheetnames[:5] == [
        "Voorstellen",
        "Keuzelijsten",
        "Zonder voorstel",
        "Kennismakingen",
        "Bezoeken",
    ]
    assert [cell.value for cell in workbook["Kennismakingen"][1]] == [
        "gezin_id",
        "vrijwilliger_id",
        "coördinator_id",
        "datum",
        "dagdeel",
        "begin",
        "einde",
    ]


def test_explain_and_recommend_in_dutch() -> None:
    explained = run("explain", str(LOCATION), "--family", "F0001", "--lang", "nl")
    assert explained.output.startswith("F0001: stel vrijwilliger V0015 voor op ma-middag\n")
    assert "  - beiden spreken Nederlands\n" in explained.output
    assert "Keuzelijst voor F0001:\nplaats  vrijwilliger  kwaliteit  km " in explained.output
    recommended = run("recommend", str(LOCATION), "F0001", "-k", "2", "--lang", "nl")
    assert recommended.exit_code == 0, recommended.output
    assert "vrijwilligers kunnen worden voorgesteld" in recommended.output
    assert "Waarom:\n  V0015: beiden spreken Nederlands; 6,5 km" in recommended.output
