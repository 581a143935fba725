"""The command line, through click's runner: every command, and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import click
import openpyxl
import pytest
from builders import family, round_of, volunteer
from click.testing import CliRunner, Result

from matcher import Round
from matcher.cli import main
from matcher.io.csv_round import write_round_csv


def _round() -> Round:
    return round_of(
        [
            volunteer(
                "V1",
                postcode="3511 AA",
                latitude=None,
                longitude=None,
                slots=["mon-morning", "tue-morning"],
                capacity=2,
            ),
            volunteer("V2", postcode="3512", latitude=None, longitude=None),
        ],
        [
            family("F1", postcode="3513", latitude=None, longitude=None),
            family("F2", postcode="3514", latitude=None, longitude=None, slots=["tue-morning"]),
            family("F3", postcode="3515", latitude=None, longitude=None, rematch=True),
        ],
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "round"
    write_round_csv(_round(), path)
    return path


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def test_solve_writes_its_files_and_prints_a_summary(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("solve", str(folder), "--out", str(out), "--report")
    assert result.exit_code == 0, result.output
    assert "optimal (flow, proven optimal)" in result.output
    assert "Matched   3 of 3 families" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "proposals.csv",
        "report.html",
        "result.json",
        "results.xlsx",
        "shortlists.csv",
        "unmatched.csv",
    ]
    workbook = openpyxl.load_workbook(out / "results.xlsx")
    assert workbook.sheetnames == ["Proposals", "Shortlists", "Unmatched"]
    assert workbook["Proposals"].max_row == 1 + 3
    document = json.loads((out / "result.json").read_text())
    assert document["report"]["status"] == "optimal"
    assert (out / "proposals.csv").read_text().startswith("family_id,volunteer_id,slot,")


def test_the_report_is_written_only_when_asked_for(folder: Path, tmp_path: Path) -> None:
    assert run("solve", str(folder), "--out", str(tmp_path / "plain")).exit_code == 0
    assert not (tmp_path / "plain" / "report.html").exists()


def test_solve_reads_stdin_and_writes_stdout() -> None:
    result = run("solve", "-", "--out", "-", input=_round().model_dump_json())
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["report"]["families_matched"] == 3


def test_json_file_and_csv_folder_give_the_same_result(folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "round.json"
    path.write_text(_round().model_dump_json())
    from_json = run("solve", str(path), "--out", "-").output
    from_csv = run("solve", str(folder), "--out", "-").output
    assert from_json == from_csv


@pytest.mark.parametrize("backend", ["flow", "cpsat"])
def test_same_round_and_seed_give_byte_identical_files(
    backend: str, folder: Path, tmp_path: Path
) -> None:
    for name in ("a", "b"):
        args = ["--out", str(tmp_path / name), "--seed", "3", "--backend", backend, "--report"]
        assert run("solve", str(folder), *args, "--workers", "1").exit_code == 0
    files = (
        "proposals.csv",
        "unmatched.csv",
        "shortlists.csv",
        "result.json",
        "results.xlsx",
        "report.html",
    )
    for file in files:
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_cpsat_backend_from_the_command_line(folder: Path) -> None:
    result = run("solve", str(folder), "--out", "-", "--backend", "cpsat", "--time-limit", "5")
    report = json.loads(result.output)["report"]
    assert report["backend"] == "cpsat" and report["status"] == "optimal"
    assert report["settings"]["time_limit_s"] == 5


def test_no_solution_in_time_exits_3_and_writes_no_proposals(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run(
        "solve", str(folder), "--out", str(out), "--backend", "cpsat", "--time-limit", "1e-6"
    )
    assert done.exit_code == 3
    assert "no solution" in done.stderr and "Traceback" not in done.output
    assert sorted(p.name for p in out.iterdir()) == ["result.json"]
    result = json.loads((out / "result.json").read_text())
    assert result["report"]["status"] == "time_limit_no_solution"
    assert result["proposals"] == [] and result["unmatched"] == []


def _commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found |= _commands(command, f"{prefix}{name} ")
        else:
            found[f"{prefix}{name}"] = command
    return found


@pytest.mark.parametrize("name", sorted(_commands(main)))
def test_every_command_has_help_with_an_example_and_is_in_the_readme(name: str) -> None:
    done = run(*name.split(), "--help")
    assert done.exit_code == 0
    assert "Example" in done.output and f"matcher {name} " in done.output
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert f"matcher {name} " in readme


def test_explain_a_proposal_and_an_unmatched_family(folder: Path) -> None:
    result = run("explain", str(folder), "--family", "F1")
    assert result.exit_code == 0
    assert "F1: propose volunteer" in result.output and "Shortlist for F1" in result.output
    as_json = json.loads(run("explain", str(folder), "--family", "F1", "--format", "json").output)
    assert as_json["proposal"]["family_id"] == "F1" and as_json["unmatched"] is None


def test_shortlist_as_table_json_and_csv(folder: Path) -> None:
    table = run("shortlist", str(folder), "--family", "F1", "-k", "2")
    assert table.exit_code == 0 and "rank" in table.output
    as_json = json.loads(run("shortlist", str(folder), "--family", "F1", "--format", "json").output)
    qualities = [a["quality"] for a in as_json["alternatives"]]
    assert len(qualities) == 2 and qualities == sorted(qualities, reverse=True)
    as_csv = run("shortlist", str(folder), "--family", "F1", "-k", "1", "--format", "csv")
    assert as_csv.output.splitlines()[0].startswith("family_id,rank,volunteer_id")
    assert len(as_csv.output.splitlines()) == 2


def test_unknown_family_is_a_usage_error(folder: Path) -> None:
    result = run("explain", str(folder), "--family", "F99")
    assert result.exit_code == 2
    assert "no waiting family with id 'F99'" in result.output


def test_validate_and_schema(folder: Path) -> None:
    result = run("validate", str(folder))
    assert result.exit_code == 0 and "3 families (3 waiting)" in result.output
    schema = json.loads(run("schema", "--model", "result").output)
    assert "proposals" in schema["properties"]


def test_scenario_generate_writes_json_and_csv(tmp_path: Path) -> None:
    args = [
        "scenario",
        "generate",
        "--place",
        "Zwolle",
        "--volunteers",
        "5",
        "--families",
        "6",
        "--reference-date",
        "2026-11-24",
    ]
    assert run(*args, str(tmp_path / "r.json")).exit_code == 0
    assert run(*args, str(tmp_path / "r")).exit_code == 0
    assert run("validate", str(tmp_path / "r.json")).exit_code == 0
    from_json = run("solve", str(tmp_path / "r.json"), "--out", "-").output
    assert from_json == run("solve", str(tmp_path / "r"), "--out", "-").output
    bad = run("scenario", "generate", "--place", "Atlantis", str(tmp_path / "x.json"))
    assert bad.exit_code == 2 and "unknown place 'Atlantis'" in bad.output


def _edit(folder: Path, file: str, old: str, new: str) -> None:
    path = folder / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _append(folder: Path, file: str, header: str, line: str) -> None:
    path = folder / file
    text = path.read_text() if path.exists() else header + "\n"
    path.write_text(text + line + "\n")


BAD_INPUTS = {
    "unknown postcode": (
        lambda f: _edit(f, "families.csv", "3514", "1000"),
        "families.csv, row 3, field 'postcode': unknown postcode '1000'",
    ),
    "unknown slot": (
        lambda f: _edit(f, "volunteers.csv", "tue-morning", "tue-night"),
        "volunteers.csv, row 2, field 'slots': unknown slot 'tue-night'",
    ),
    "duplicate id": (
        lambda f: _edit(f, "families.csv", "F2,", "F1,"),
        "families.csv, row 3, field 'id': duplicate id 'F1'",
    ),
    "active match naming a missing volunteer": (
        lambda f: _append(
            f, "active_matches.csv", "family_id,volunteer_id,slot", "F1,V9,mon-morning"
        ),
        "active_matches.csv, row 2, field 'volunteer_id': no volunteer with id 'V9'",
    ),
    "declined pair naming a missing family": (
        lambda f: _append(f, "declined_pairs.csv", "family_id,volunteer_id", "F9,V1"),
        "declined_pairs.csv, row 2, field 'family_id': no family with id 'F9'",
    ),
    "capacity 0": (
        lambda f: _edit(f, "volunteers.csv", ",2,", ",0,"),
        "volunteers.csv, row 2, field 'capacity': Input should be greater than or equal to 1",
    ),
    "negative capacity": (
        lambda f: _edit(f, "volunteers.csv", ",2,", ",-1,"),
        "volunteers.csv, row 2, field 'capacity'",
    ),
    "over capacity through active matches": (
        lambda f: [
            _append(f, "active_matches.csv", "family_id,volunteer_id,slot", "F1,V2,mon-morning"),
            _append(f, "active_matches.csv", "", "F3,V2,tue-morning"),
        ],
        "active_matches.csv, row 3, field 'volunteer_id': volunteer is over capacity",
    ),
    "malformed row": (
        lambda f: _append(f, "families.csv", "", "F9,3511,,,,yes,mon-morning,1" + "," * 15 + "x,y"),
        "families.csv, row 5: 24 cells but the header has 22",
    ),
    "wrong type": (
        lambda f: _edit(f, "volunteers.csv", ",2,", ",two,"),
        "volunteers.csv, row 2, field 'capacity': Input should be a valid integer",
    ),
    "personal data column": (
        lambda f: _edit(f, "families.csv", "id,", "name,"),
        "families.csv, row 1, field 'name': looks like personal data",
    ),
    "bad setting": (
        lambda f: _append(f, "settings.csv", "", "weights.distance,-1"),
        "settings.csv, row 3, field 'weights.distance'",
    ),
    "empty round": (
        lambda f: [
            (f / n).write_text((f / n).read_text().splitlines()[0] + "\n")
            for n in ("volunteers.csv", "families.csv")
        ],
        "the round is empty",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_a_clear_error_with_exit_code_2(
    case: str, folder: Path, tmp_path: Path
) -> None:
    spoil, message = BAD_INPUTS[case]
    spoil(folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    out = tmp_path / "out"
    result = run("solve", str(folder), "--out", str(out))
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_missing_file_and_bad_json(tmp_path: Path) -> None:
    missing = run("solve", str(tmp_path / "nope.json"))
    assert missing.exit_code == 2 and "no such file or folder" in missing.output
    broken = tmp_path / "broken.json"
    broken.write_text('{"volunteers": [\n  {"id": "V1",}\n]}')
    result = run("validate", str(broken))
    assert result.exit_code == 2 and "broken.json, row 2: invalid JSON at column" in result.output


def test_json_errors_name_the_path(tmp_path: Path) -> None:
    document = json.loads(_round().model_dump_json())
    document["families"][1]["slots"] = ["mon-night"]
    path = tmp_path / "round.json"
    path.write_text(json.dumps(document))
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert "round.json, field 'families[1].slots': unknown slot 'mon-night'" in result.output
