"""A property-based fuzz of every input path through the command line: a JSON round, a CSV
folder, an .xlsx workbook, a result.json given to ``plan`` and ``decide``, and the options.

Whatever the input, the command ends with exit code 0 (or 3: no solution) or 2, prints no
traceback, writes nothing and changes no round file on an error, and on exit 2 names the file.
The examples are bounded to keep the suite fast; ``benchmarks/fuzz.py`` runs ten thousand.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
from builders import family, round_of, volunteer
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.cli import main
from matcher.io.csv_round import write_round_csv

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

ROUND = round_of(
    [
        volunteer("V1", slots=["mon-morning", "tue-morning"], capacity=2),
        volunteer("V2", km_north=3, postcode="3511", latitude=None, longitude=None),
    ],
    [
        family("F1"),
        family("F2", km_north=1, slots=["tue-morning"]),
        family("F3", km_north=2, rematch=True),
    ],
)
ROUND_JSON = json.loads(ROUND.model_dump_json())

HOSTILE = st.sampled_from(
    [
        None,
        [],
        {},
        [[]],
        [None],
        "",
        -1,
        2**31,
        2**63,
        10**30,
        1e308,
        "x" * 100,
        '=HYPERLINK("http://x","y")',
        "<b>x</b>",
        "1900-01-01",
        "2108-01-01",
        "9999-12-31",
        "mon-night",
        "jan@example.nl",
        "0612345678",
        "111222333",
        "V1",
        "v1",
    ]
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12) | HOSTILE,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@contextmanager
def workspace() -> Iterator[Path]:
    """A private temporary folder per example (hypothesis reruns the test body)."""
    folder = Path(tempfile.mkdtemp(prefix="matcher-fuzz-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def check(
    outcome: Result,
    name: str,
    written: Path | None = None,
    folder: Path | None = None,
    before: dict[str, bytes] | None = None,
) -> None:
    """The CLI's promise for any input."""
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit), outcome.exception
    assert "Traceback" not in outcome.output
    assert outcome.exit_code in (0, 2, 3), outcome.output
    if outcome.exit_code != 0:
        assert written is None or not written.exists()
        assert folder is None or snapshot(folder) == before
    if outcome.exit_code == 2 and name:
        # a decision the result cannot support names the family rather than a file
        decision = "the result has no proposal for family" in outcome.output
        assert name in outcome.output or decision, outcome.output


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@st.composite
def edited(draw: st.DrawFn, document: Any) -> Any:
    """The document with one to three nodes replaced, removed or duplicated."""
    document = json.loads(json.dumps(document))
    for _ in range(draw(st.integers(1, 3))):
        parent: Any = None
        key: Any = None
        node = document
        while isinstance(node, dict | list) and node and draw(st.booleans()):
            key = draw(st.sampled_from(list(node) if isinstance(node, dict) else range(len(node))))
            parent, node = node, node[key]
        if parent is None:
            continue
        action = draw(st.sampled_from(["replace", "replace", "delete", "repeat"]))
        if action == "replace":
            parent[key] = draw(JSON_VALUES)
        elif action == "delete":
            del parent[key]
        elif isinstance(parent, list):
            parent.append(parent[key])
        else:
            parent[f"{key}_"] = parent[key]
    return document


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """The bytes truncated, with bits flipped, or with hostile bytes inserted."""
    at = draw(st.integers(0, max(len(data) - 1, 0)))
    action = draw(st.sampled_from(["truncate", "flip", "insert"]))
    if action == "truncate":
        return data[:at]
    if action == "flip":
        flipped = bytearray(data)
        flipped[at] ^= 1 << draw(st.integers(0, 7))
        return bytes(flipped)
    noise = draw(st.sampled_from([b"\xff", b'"', b",", b";", b"\n", b"\x00", b"[" * 3000]))
    return data[:at] + noise + data[at:]


def round_command(draw: st.DrawFn, path: Path, out: Path) -> list[str]:
    if draw(st.integers(0, 4)) == 0:
        return ["solve", str(path), "--out", str(out)]
    return ["validate", str(path)]


@FUZZ
@given(st.data())
def test_json_rounds(data: st.DataObject) -> None:
    with workspace() as work:
        path = work / "round.json"
        if data.draw(st.booleans()):
            path.write_text(json.dumps(data.draw(edited(ROUND_JSON))))
        else:
            path.write_bytes(data.draw(damaged(json.dumps(ROUND_JSON).encode())))
        out = work / "out"
        check(run(*round_command(data.draw, path, out)), "round.json", written=out)


@FUZZ
@given(st.data())
def test_csv_folders(data: st.DataObject) -> None:
    with workspace() as work:
        folder = work / "round"
        write_round_csv(ROUND, folder)
        target = folder / data.draw(st.sampled_from(sorted(p.name for p in folder.iterdir())))
        if data.draw(st.booleans()):
            rows = target.read_text().splitlines()
            row = data.draw(st.integers(0, len(rows) - 1))
            cells = rows[row].split(",")
            cells[data.draw(st.integers(0, len(cells) - 1))] = json.dumps(data.draw(JSON_VALUES))
            rows[row] = ",".join(cells)
            target.write_text("\n".join(rows) + "\n")
        else:
            target.write_bytes(data.draw(damaged(target.read_bytes())))
        out = work / "out"
        check(run(*round_command(data.draw, folder, out)), "round/", written=out)


def _workbook() -> bytes:
    with workspace() as work:
        write_round_csv(ROUND, work)
        workbook = openpyxl.Workbook()
        workbook.remove(workbook.active)
        for path in sorted(work.glob("*.csv")):
            sheet = workbook.create_sheet(path.stem)
            for line in path.read_text().splitlines():
                sheet.append(line.split(","))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


WORKBOOK = _workbook()


@FUZZ
@given(st.data())
def test_xlsx_workbooks(data: st.DataObject) -> None:
    with workspace() as work:
        path = work / "round.xlsx"
        path.write_bytes(data.draw(damaged(WORKBOOK)))
        out = work / "out"
        check(run(*round_command(data.draw, path, out)), "round.xlsx", written=out)


def _result() -> Any:
    with workspace() as work:
        write_round_csv(ROUND, work / "round")
        assert run("solve", str(work / "round"), "--out", str(work / "out")).exit_code == 0
        return json.loads((work / "out" / "result.json").read_text())


RESULT = _result()


@FUZZ
@given(st.data())
def test_result_files_given_to_plan_and_decide(data: st.DataObject) -> None:
    with workspace() as work:
        folder = work / "round"
        write_round_csv(ROUND, folder)
        before = snapshot(folder)
        result = work / "result.json"
        if data.draw(st.booleans()):
            result.write_text(json.dumps(data.draw(edited(RESULT))))
        else:
            result.write_bytes(data.draw(damaged(json.dumps(RESULT).encode())))
        out = work / "plan"
        if data.draw(st.booleans()):
            args = ["plan", str(folder), "--result", str(result), "--out", str(out)]
        else:
            family_id = data.draw(st.sampled_from(["F1", "F2", "F3", "F9"]))
            verdict = data.draw(st.sampled_from(["--accept", "--decline"]))
            args = ["decide", str(folder), "--result", str(result), "--family", family_id, verdict]
        check(run(*args), "result.json", written=out, folder=folder, before=before)


ODD = st.sampled_from(
    ["-1", "0", "1", "2147483647", "2147483648", "9" * 30, "1e400", "nan", "", "x", "F1",
     "0001-01-01", "1979-12-31", "2026-11-24", "2108-01-01", "9999-12-31"]
)  # fmt: skip


@FUZZ
@given(st.data())
def test_command_line_options(data: st.DataObject) -> None:
    with workspace() as work:
        folder = work / "round"
        write_round_csv(ROUND, folder)
        result = work / "result.json"
        result.write_text(json.dumps(RESULT))
        before = snapshot(folder)
        odd = data.draw(ODD)
        out = work / "out"
        r, o, f = str(folder), str(out), data.draw(st.sampled_from(["F1", "F2", odd]))
        args = data.draw(
            st.sampled_from(
                [
                    ["solve", r, "--out", o, "--seed", odd],
                    ["solve", r, "--out", o, "--time-limit", odd, "--backend", "cpsat"],
                    ["solve", r, "--out", o, "--workers", odd],
                    ["shortlist", r, "--family", f, "-k", odd],
                    ["explain", r, "--family", f],
                    ["plan", r, "--result", str(result), "--out", o, "--start", odd],
                    ["plan", r, "--result", str(result), "--out", o, "--weeks", odd],
                    ["end", r, "--family", f, "--reason", "family_stops", "--date", odd],
                    ["scenario", "generate", o, "--place", "Zwolle", "--volunteers", odd],
                ]
            )
        )
        written = out if args[0] in ("solve", "plan", "scenario") else None
        check(run(*args), "", written=written, folder=folder, before=before)
