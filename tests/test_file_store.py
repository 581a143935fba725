"""The file store keeps every decision: concurrent commands, killed commands, leftovers, and
files it must not write into (an Excel workbook, a round on stdin)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from builders import family, round_of, volunteer
from click.testing import CliRunner

from matcher.cli import main
from matcher.io.csv_round import write_round_csv
from matcher.io.file_store import FileRoundStore
from matcher.io.result_file import read_result
from matcher.io.results import result_json
from matcher.io.rounds import load_round
from matcher.lifecycle.decisions import Action
from matcher.result import Proposal
from matcher.usecases import decide, solve_round

ROOT = Path(__file__).parent.parent
TODAY = date(2026, 11, 24)
SLOTS = ["mon-morning", "tue-morning", "wed-morning", "thu-morning"]


def _round_folder(tmp_path: Path, volunteers: int, families: int, capacity: int = 1) -> Path:
    round_ = round_of(
        [volunteer(f"V{i}", slots=SLOTS, capacity=capacity) for i in range(volunteers)],
        [family(f"F{i}", slots=SLOTS) for i in range(families)],
    )
    folder = tmp_path / "round"
    write_round_csv(round_, folder)
    return folder


def _result_file(folder: Path, proposals: list[Proposal] | None = None) -> Path:
    """The solve's result; with ``proposals``, a result holding those instead."""
    result = solve_round(FileRoundStore(folder, TODAY)).result
    if proposals is not None:
        result = result.model_copy(update={"proposals": proposals})
    path = folder.parent / "result.json"
    path.write_text(result_json(result))
    return path


def _accept_at_once(folder: Path, result: Path, family_ids: list[str]) -> list[int]:
    """Run one ``matcher decide --accept`` process per family, all started together."""

    def one(family_id: str) -> int:
        command = [sys.executable, "-m", "matcher", "decide", str(folder)]
        command += ["--result", str(result), "--family", family_id, "--accept"]
        return subprocess.run(command, capture_output=True, cwd=ROOT, timeout=120).returncode

    with ThreadPoolExecutor(len(family_ids)) as pool:
        return list(pool.map(one, family_ids))


def _log(folder: Path) -> list[dict[str, str]]:
    path = folder / "decisions.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []
    return [json.loads(line) for line in lines]


@pytest.mark.parametrize("processes", [2, 4, 8])
def test_concurrent_accepts_of_different_families_are_all_kept(
    tmp_path: Path, processes: int
) -> None:
    folder = _round_folder(tmp_path, volunteers=processes, families=processes)
    result = _result_file(folder)
    families = [f"F{i}" for i in range(processes)]
    codes = _accept_at_once(folder, result, families)
    assert codes == [0] * processes
    matched = {m.family_id for m in load_round(folder).active_matches}
    assert matched == set(families)
    assert sorted(e["family_id"] for e in _log(folder)) == sorted(families)


def test_concurrent_accepts_for_one_place_let_exactly_one_through(tmp_path: Path) -> None:
    folder = _round_folder(tmp_path, volunteers=1, families=8)
    proposal = solve_round(FileRoundStore(folder, TODAY)).result.proposals[0]
    # An edited result offering the one volunteer's one place to all eight families.
    offers = [proposal.model_copy(update={"family_id": f"F{i}"}) for i in range(8)]
    result = _result_file(folder, offers)
    codes = _accept_at_once(folder, result, [f"F{i}" for i in range(8)])
    assert sorted(codes) == [0] + [2] * 7
    accepted = [f"F{i}" for i, code in enumerate(codes) if code == 0]
    assert [m.family_id for m in load_round(folder).active_matches] == accepted
    assert [(e["action"], e["family_id"]) for e in _log(folder)] == [("accept", accepted[0])]


def _kill_after(renames: int, folder: Path, result: Path, family_id: str) -> int:
    """Run a decision in a child process that dies (no clean-up at all) at rename ``renames``."""
    script = textwrap.dedent(
        f"""
        import os, sys
        from datetime import UTC, date, datetime
        from matcher.io.file_store import FileRoundStore
        from matcher.io.result_file import read_result
        from matcher.usecases import decide

        real, count = os.replace, [0]
        def dying_replace(source, target):
            count[0] += 1
            if count[0] == {renames}:
                os._exit(9)
            real(source, target)
        os.replace = dying_replace
        store = FileRoundStore({str(folder)!r}, date(2026, 11, 24))
        decide(store, read_result(__import__("pathlib").Path({str(result)!r})), {family_id!r},
               True, "C1", datetime.now(UTC))
        """
    )
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=120).returncode


def test_a_killed_decision_is_whole_or_absent_after_the_next_command(tmp_path: Path) -> None:
    renames = 0
    while True:
        renames += 1
        case = tmp_path / f"kill{renames}"
        folder = _round_folder(case, volunteers=2, families=2)
        result = _result_file(folder)
        if _kill_after(renames, folder, result, "F0") == 0:
            break  # the decision needed fewer renames than this: every point was tried
        leftovers = [p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".bak"))]
        # The next command on the round (here: another decision) finishes or forgets it.
        store = FileRoundStore(folder, TODAY)
        decide(store, read_result(result), "F1", True, "C1", datetime.now(UTC))
        matched = {m.family_id for m in load_round(folder).active_matches}
        logged = {e["family_id"] for e in _log(folder)}
        assert matched == logged, f"killed at rename {renames}"
        assert "F1" in matched
        assert not [p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".bak"))], (
            f"left over after rename {renames}: {leftovers}"
        )
        assert not (folder / ".matcher-journal.json").exists()
    assert renames > 3  # journal, log, files: the kill points were really reached


def test_a_decision_is_refused_for_a_workbook_which_stays_as_it_is(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    sheets = {
        "Vrijwilligers": [
            ["id", "postcode", "talen", "dagdelen", "training_afgerond", "VOG"],
            ["V1", "3511 AB", "nl", "ma-ochtend", "ja", "ja"],
        ],
        "Gezinnen": [
            ["id", "postcode", "dagdelen", "kinderen", "aangemeld"],
            ["F1", "3512", "ma-ochtend", 2, date(2026, 9, 1)],
        ],
        "Instellingen": [["sleutel", "waarde"], ["reference_date", TODAY]],
        "Notities": [["anything the coordinator keeps here"]],
    }
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook = tmp_path / "round.xlsx"
    book.save(workbook)
    before = workbook.read_bytes()
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["solve", str(workbook), "--out", str(out)]).exit_code == 0
    family_id = json.loads((out / "result.json").read_text())["proposals"][0]["family_id"]
    args = ["decide", str(workbook), "--result", str(out / "result.json")]
    done = CliRunner().invoke(main, [*args, "--family", family_id, "--accept"])
    assert done.exit_code == 2
    assert "matcher convert" in done.output
    assert workbook.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "round.xlsx"]


def test_a_round_on_stdin_cannot_be_decided_on(tmp_path: Path) -> None:
    folder = _round_folder(tmp_path, volunteers=1, families=1)
    result = _result_file(folder)
    text = load_round(folder).model_dump_json()
    done = CliRunner().invoke(
        main, ["decide", "-", "--result", str(result), "--family", "F0", "--accept"], input=text
    )
    assert done.exit_code == 2
    assert "stdin cannot be changed" in done.output


def test_an_end_date_far_from_today_is_refused(tmp_path: Path) -> None:
    folder = _round_folder(tmp_path, volunteers=1, families=1)
    decide(
        FileRoundStore(folder, TODAY),
        read_result(_result_file(folder)),
        "F0",
        True,
        "C1",
        datetime.now(UTC),
    )
    before = (folder / "settings.csv").read_bytes()
    args = ["end", str(folder), "--family", "F0", "--reason", "volunteer_stopped"]
    done = CliRunner().invoke(main, [*args, "--date", "9999-12-31"])
    assert done.exit_code == 2
    assert "more than a year" in done.output
    assert (folder / "settings.csv").read_bytes() == before
    assert [e["action"] for e in _log(folder)] == [Action.ACCEPT]


def test_the_log_is_appended_never_rewritten(tmp_path: Path) -> None:
    folder = _round_folder(tmp_path, volunteers=3, families=3)
    result = read_result(_result_file(folder))
    store = FileRoundStore(folder, TODAY)
    decide(store, result, "F0", True, "C1", datetime.now(UTC))
    first = (folder / "decisions.jsonl").read_bytes()
    decide(store, result, "F1", False, "C2", datetime.now(UTC))
    assert (folder / "decisions.jsonl").read_bytes().startswith(first)
    assert [(d.action, d.family_id) for d in store.decisions()] == [
        (Action.ACCEPT, "F0"),
        (Action.DECLINE, "F1"),
    ]
