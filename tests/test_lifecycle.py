"""The round workflow over files: accept, decline, end; the decision log; interrupted writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from builders import family, round_of, volunteer
from click.testing import CliRunner, Result

from matcher.cli import main
from matcher.io.csv_round import write_round_csv
from matcher.io.rounds import load_round


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    round_ = round_of(
        [volunteer("V1", slots=["mon-morning", "tue-morning"], capacity=2), volunteer("V2")],
        [family("F1"), family("F2", slots=["tue-morning"]), family("F3", registered="2026-11-01")],
        active_matches=[],
    )
    path = tmp_path / "round"
    write_round_csv(round_, path)
    (path / "active_matches.csv").write_text("family_id,volunteer_id,slot\n")
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _solve(folder: Path) -> Path:
    out = folder.parent / "out"
    assert run("solve", str(folder), "--out", str(out)).exit_code == 0
    return out / "result.json"


def _proposal(result: Path, family_id: str) -> dict[str, str]:
    proposals = json.loads(result.read_text())["proposals"]
    found: dict[str, str] = next(p for p in proposals if p["family_id"] == family_id)
    return found


def _snapshot(folder: Path) -> dict[str, bytes]:
    """The round's files (the empty lock file a decision leaves is not one of them)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != ".matcher.lock"}


def test_accept_makes_an_active_match_and_logs_it(folder: Path) -> None:
    result = _solve(folder)
    proposal = _proposal(result, "F1")
    done = run(
        "decide",
        str(folder),
        "--result",
        str(result),
        "--family",
        "F1",
        "--accept",
        "--coordinator",
        "C7",
    )
    assert done.exit_code == 0, done.output
    round_ = load_round(folder)
    assert [(m.family_id, m.volunteer_id, m.slot) for m in round_.active_matches] == [
        ("F1", proposal["volunteer_id"], proposal["slot"])
    ]
    log = [json.loads(line) for line in (folder / "decisions.jsonl").read_text().splitlines()]
    assert [(e["coordinator"], e["action"], e["family_id"]) for e in log] == [
        ("C7", "accept", "F1")
    ]
    again = json.loads(run("solve", str(folder), "--out", "-").output)
    assert "F1" not in {p["family_id"] for p in again["proposals"]}


def test_a_declined_pair_is_never_proposed_again(folder: Path) -> None:
    result = _solve(folder)
    proposal = _proposal(result, "F1")
    assert (
        run("decide", str(folder), "--result", str(result), "--family", "F1", "--decline").exit_code
        == 0
    )
    again = json.loads(run("solve", str(folder), "--out", "-").output)
    pairs = {(p["family_id"], p["volunteer_id"]) for p in again["proposals"]}
    assert ("F1", proposal["volunteer_id"]) not in pairs


def test_deciding_on_a_missing_proposal_changes_nothing(folder: Path) -> None:
    result = _solve(folder)
    before = _snapshot(folder)
    done = run("decide", str(folder), "--result", str(result), "--family", "F9", "--accept")
    assert done.exit_code == 2
    assert "no proposal for family 'F9'" in done.output
    assert _snapshot(folder) == before


def test_accepting_when_the_volunteer_is_now_full_changes_nothing(folder: Path) -> None:
    result = _solve(folder)
    proposal = _proposal(result, "F1")
    # Meanwhile the volunteer took other families up to their capacity.
    capacity = 2 if proposal["volunteer_id"] == "V1" else 1
    lines = [
        f"F{9 - i},{proposal['volunteer_id']},{slot}"
        for i, slot in enumerate(["wed-morning", "thu-morning"][:capacity])
    ]
    (folder / "active_matches.csv").write_text(
        "family_id,volunteer_id,slot\n" + "\n".join(lines) + "\n"
    )
    families = (folder / "families.csv").read_text()
    first_row = families.splitlines()[1]
    extra = "\n".join(first_row.replace("F1,", f"F{9 - i},", 1) for i in range(capacity))
    (folder / "families.csv").write_text(families + extra + "\n")
    before = _snapshot(folder)
    done = run("decide", str(folder), "--result", str(result), "--family", "F1", "--accept")
    assert done.exit_code == 2
    assert "is now full" in done.output
    assert _snapshot(folder) == before


def test_ending_a_match(folder: Path) -> None:
    result = _solve(folder)
    for family_id in ("F1", "F2"):
        assert (
            run(
                "decide", str(folder), "--result", str(result), "--family", family_id, "--accept"
            ).exit_code
            == 0
        )
    stopped = run(
        "end",
        str(folder),
        "--family",
        "F1",
        "--reason",
        "volunteer_stopped",
        "--date",
        "2026-11-30",
    )
    assert stopped.exit_code == 0 and "re-match priority" in stopped.output
    copes = run("end", str(folder), "--family", "F2", "--reason", "family_copes")
    assert copes.exit_code == 0 and "closed" in copes.output
    round_ = load_round(folder)
    f1 = next(f for f in round_.families if f.id == "F1")
    assert f1.rematch and str(f1.waiting_since) == "2026-11-30"
    assert str(f1.registered) == "2026-01-05"  # the waiting history is kept
    assert str(round_.reference_date) == "2026-11-30"
    f2 = next(f for f in round_.families if f.id == "F2")
    assert f2.closed and f2.closed_reason == "family_copes"
    assert round_.active_matches == ()
    actions = [json.loads(x)["action"] for x in (folder / "decisions.jsonl").read_text().split()]
    assert actions == ["accept", "accept", "end", "end"]
    missing = run("end", str(folder), "--family", "F3", "--reason", "family_copes")
    assert missing.exit_code == 2 and "no active match" in missing.output


def test_an_interrupted_write_leaves_the_previous_state(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _solve(folder)
    before = _snapshot(folder)
    real_replace = os.replace
    calls = {"n": 0}

    def fail_on_third(source: str, target: str) -> None:
        # Two files are already replaced when the third rename fails (disk full, say).
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", fail_on_third)
    done = run("decide", str(folder), "--result", str(result), "--family", "F1", "--accept")
    assert done.exit_code == 1
    assert "No space left on device" in done.output and "Traceback" not in done.output
    assert calls["n"] > 3  # the two replaced files were put back
    assert _snapshot(folder) == before


def test_a_json_round_keeps_its_log_beside_it(tmp_path: Path) -> None:
    path = tmp_path / "round.json"
    path.write_text(round_of([volunteer()], [family()]).model_dump_json())
    out = tmp_path / "out"
    assert run("solve", str(path), "--out", str(out)).exit_code == 0
    done = run(
        "decide", str(path), "--result", str(out / "result.json"), "--family", "F1", "--accept"
    )
    assert done.exit_code == 0, done.output
    assert load_round(path).active_matches[0].family_id == "F1"
    assert (tmp_path / "round.decisions.jsonl").exists()
