"""A result.json given to ``plan`` and ``decide`` is checked like any input: an edited file
cannot smuggle text into the files written from it, and a broken one is a clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import family, round_of, volunteer
from click.testing import CliRunner, Result

from matcher.cli import main
from matcher.io.csv_round import write_round_csv
from matcher.io.problems import InputError
from matcher.io.result_file import read_result


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def solved(tmp_path: Path) -> tuple[Path, Path]:
    """A round folder and the result.json of its solve."""
    folder = tmp_path / "round"
    write_round_csv(round_of([volunteer()], [family()]), folder)
    assert run("solve", str(folder), "--out", str(tmp_path / "out")).exit_code == 0
    return folder, tmp_path / "out" / "result.json"


def _edit(path: Path, change: object) -> None:
    document = json.loads(path.read_text())
    change(document)  # type: ignore[operator]
    path.write_text(json.dumps(document))


EDITS = {
    "formula id": (
        lambda d: d["proposals"][0].update(family_id='=HYPERLINK("http://x","F1")'),
        "field 'proposals[0].family_id'",
    ),
    "bad slot": (
        lambda d: d["proposals"][0].update(slot="mon-night"),
        "field 'proposals[0].slot'",
    ),
    "formula reason": (
        lambda d: d["proposals"][0]["reasons"].append("=1+2"),
        "field 'proposals[0].reasons[",
    ),
    "markup in a message": (
        lambda d: d["unmatched"].append(
            {
                "family_id": "F2",
                "reason": "outcompeted",
                "message": "<script>alert(1)</script>",
                "rejected_by": {},
                "competitors": [],
            }
        ),
        "field 'unmatched[0].message'",
    ),
    "bad date": (lambda d: d.update(reference_date="1900-01-01"), "field 'reference_date'"),
    "infinite distance": (
        lambda d: d["proposals"][0].update(distance_km="1e400"),
        "field 'proposals[0].distance_km'",
    ),
}


@pytest.mark.parametrize("case", list(EDITS))
@pytest.mark.parametrize("command", ["plan", "decide"])
def test_an_edited_result_is_refused(
    solved: tuple[Path, Path], tmp_path: Path, case: str, command: str
) -> None:
    folder, result = solved
    change, where = EDITS[case]
    _edit(result, change)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    extra = ["--out", str(tmp_path / "plan")] if command == "plan" else ["--accept"]
    if command == "decide":
        extra += ["--family", "F1"]
    outcome = run(command, str(folder), "--result", str(result), *extra)
    assert outcome.exit_code == 2, outcome.output
    assert "Traceback" not in outcome.output
    assert f"result.json, {where}" in outcome.output
    assert not (tmp_path / "plan").exists()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file or folder"),
        (b"{", "invalid JSON"),
        (b"[" * 50_000, "nested too deeply"),
        (b"\xff\xfe{}", "not UTF-8 text"),
        (b"[]", "expected a JSON object"),
        (b"{}", "field 'report': not a solve result: required"),
    ],
)
def test_a_broken_result_file_is_refused(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "result.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_result(path)


@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01"])
def test_plan_refuses_a_start_far_from_now(
    solved: tuple[Path, Path], tmp_path: Path, start: str
) -> None:
    folder, result = solved
    out = tmp_path / "plan"
    outcome = run("plan", str(folder), "--result", str(result), "--out", str(out), "--start", start)
    assert outcome.exit_code == 2 and "start" in outcome.output, outcome.output
    assert not out.exists()
