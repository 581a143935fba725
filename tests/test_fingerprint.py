"""A result is tied to the round it was solved from: ``decide`` and ``plan`` refuse a result of
another round, or one whose proposed people changed, and re-check the pair's hard rules."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from builders import family, round_of, volunteer
from cli_runs import refused, run

from matcher import Round, solve
from matcher.fingerprint import SCHEMA_VERSION, record_digest, round_digest
from matcher.io.csv_round import write_round_csv

SCENARIOS = Path(__file__).parent.parent / "scenarios"
Document = dict[str, Any]


def _round() -> Round:
    both = ["mon-morning", "tue-morning"]
    return round_of(
        [volunteer("V1", slots=both), volunteer("V2", km_north=4, slots=both)],
        [family("F1", km_north=0.5, slots=both), family("F2", km_north=4.5, slots=both)],
    )


@pytest.fixture
def solved(tmp_path: Path) -> tuple[Path, Path]:
    """A JSON round and the result.json of its solve (F1 with V1, F2 with V2)."""
    path = tmp_path / "round.json"
    path.write_text(_round().model_dump_json())
    assert run("solve", str(path), "--out", str(tmp_path / "out")).exit_code == 0
    result = tmp_path / "out" / "result.json"
    pairs = {
        (p["family_id"], p["volunteer_id"]) for p in json.loads(result.read_text())["proposals"]
    }
    assert pairs == {("F1", "V1"), ("F2", "V2")}
    return path, result


def _change(path: Path, change: Callable[[Document], object]) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def _files(folder: Path) -> dict[str, bytes]:
    """A round folder's files (the empty lock file a decision leaves is not one of them)."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != ".matcher.lock"}


def _accept(round_path: Path, result: Path, family_id: str = "F1") -> Any:
    return run(
        "decide", str(round_path), "--result", str(result), "--family", family_id, "--accept"
    )


def test_the_fingerprint_is_stable_and_follows_the_records() -> None:
    round_ = _round()
    fingerprint = solve(round_).round_fingerprint
    assert fingerprint is not None
    assert fingerprint == solve(round_).round_fingerprint
    assert fingerprint.schema_version == SCHEMA_VERSION
    assert fingerprint.round == round_digest(round_)
    assert set(fingerprint.families) == {"F1", "F2"}
    assert fingerprint.volunteers["V1"] == record_digest(round_.volunteers[0])
    # A field written out at its default is the same record; a changed field is not.
    both = ["mon-morning", "tue-morning"]
    same = family("F1", km_north=0.5, slots=both, status="open", rematch=False)
    assert record_digest(same) == fingerprint.families["F1"]
    moved = family("F1", km_north=1, slots=both)
    assert record_digest(moved) != fingerprint.families["F1"]
    # The round's date is part of it even when it is the default (today).
    today = Round(reference_date=date.today())
    assert round_digest(today) != round_digest(Round(reference_date=date(2026, 1, 1)))
    assert round_digest(today) == round_digest(Round())


def test_deciding_after_other_decisions_still_works(solved: tuple[Path, Path]) -> None:
    path, result = solved
    assert _accept(path, result, "F1").exit_code == 0
    done = run("decide", str(path), "--result", str(result), "--family", "F2", "--decline")
    assert done.exit_code == 0, done.output


def test_a_result_of_another_round_is_refused(tmp_path: Path) -> None:
    location = tmp_path / "location"
    shutil.copytree(SCENARIOS / "location", location)
    out = tmp_path / "town"
    assert run("solve", str(SCENARIOS / "town.json"), "--out", str(out)).exit_code == 0
    town = json.loads((out / "result.json").read_text())
    family_id = town["proposals"][0]["family_id"]
    before = _files(location)
    for command in (
        ["decide", str(location), "--result", str(out / "result.json"), "--family", family_id,
         "--accept"],
        ["plan", str(location), "--result", str(out / "result.json"), "--out",
         str(tmp_path / "plan")],
    ):  # fmt: skip
        refused(run(*command), "not solved from this round", "solve the round again")
    assert _files(location) == before
    assert not (tmp_path / "plan").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["families"][0].update(slots=["tue-morning"]), "family 'F1' changed"),
        (lambda d: d["volunteers"][0].update(status="paused"), "volunteer 'V1' changed"),
        (lambda d: d["volunteers"].pop(0), "volunteer 'V1' is no longer in the round"),
    ],
)
def test_a_result_whose_proposed_people_changed_is_refused(
    solved: tuple[Path, Path], change: Callable[[Document], object], message: str
) -> None:
    path, result = solved
    _change(path, change)
    before = path.read_bytes()
    refused(_accept(path, result), message, "solve the round again")
    refused(run("decide", str(path), "--result", str(result), "--family", "F1", "--decline"))
    assert path.read_bytes() == before
    assert not path.with_suffix(".decisions.jsonl").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d.setdefault("exclusions", []).append(
                {"family_id": "F1", "volunteer_id": "V1"}
            ),
            "the pair is now declined or excluded",
        ),
        (lambda d: d.update(policy={"max_distance_km": 0.1}), "over the volunteer's travel"),
        (
            lambda d: d.update(
                active_matches=[{"family_id": "F2", "volunteer_id": "V1", "slot": "tue-morning"}]
            ),
            "is now full",
        ),
    ],
)
def test_an_accept_re_checks_the_pair_s_hard_rules(
    solved: tuple[Path, Path], change: Callable[[Document], object], message: str
) -> None:
    path, result = solved
    _change(path, change)
    before = path.read_bytes()
    refused(_accept(path, result), message)
    assert path.read_bytes() == before


def test_the_language_rule_is_re_checked(tmp_path: Path) -> None:
    path = tmp_path / "round.json"
    speaks_arabic = family("F1", languages=["ar"], speaks_dutch=False)
    path.write_text(
        round_of(
            [volunteer()], [speaks_arabic], policy={"require_common_language": False}
        ).model_dump_json()
    )
    assert run("solve", str(path), "--out", str(tmp_path / "out")).exit_code == 0
    _change(path, lambda d: d.pop("policy"))
    refused(_accept(path, tmp_path / "out" / "result.json"), "they share no language")


def test_a_result_without_fingerprint_is_used_with_a_warning(
    solved: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    path, result = solved
    _change(result, lambda d: d.pop("round_fingerprint"))
    # Its pairs are still checked against the round as it is now ...
    _change(path, lambda d: d.update(exclusions=[{"family_id": "F2", "volunteer_id": "V2"}]))
    refused(_accept(path, result, "F2"), "the pair is now declined or excluded")
    # ... and one that holds is accepted, saying the result could not be tied to its round.
    done = _accept(path, result, "F1")
    assert done.exit_code == 0, done.output
    assert "carries no fingerprint" in caplog.text  # on stderr, at the command line


def test_plan_refuses_proposals_that_no_longer_hold(
    solved: tuple[Path, Path], tmp_path: Path
) -> None:
    path, result = solved
    _change(path, lambda d: d.update(exclusions=[{"family_id": "F2", "volunteer_id": "V2"}]))
    refused(
        run("plan", str(path), "--result", str(result), "--out", str(tmp_path / "plan")),
        "1 of the result's proposals no longer hold",
        "F2 with V2: the pair is now declined or excluded",
    )


def test_plan_says_why_families_are_unplanned(tmp_path: Path) -> None:
    # The coordinator holds introductions on Friday afternoons only; nobody else is free then.
    folder = tmp_path / "round"
    both = ["mon-morning", "tue-morning"]
    round_ = round_of(
        [volunteer("V1", slots=both), volunteer("V2", km_north=4, slots=both)],
        [family("F1", coordinator="C1", slots=both), family("F2", km_north=4, slots=both)],
        coordinators=[{"id": "C1", "slots": ["fri-afternoon"]}],
    )
    write_round_csv(round_, folder)
    out = tmp_path / "out"
    assert run("solve", str(folder), "--out", str(out)).exit_code == 0
    assert _accept(folder, out / "result.json", "F2").exit_code == 0
    planned = run(
        "plan", str(folder), "--result", str(out / "result.json"), "--out", str(tmp_path / "p")
    )
    assert planned.exit_code == 0, planned.output
    assert "F1 unplanned: no half-day in the planning weeks" in planned.output
    assert "F2 unplanned: accepted already" in planned.output
