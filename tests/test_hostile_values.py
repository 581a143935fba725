"""Values a user controls are bounded: counts, weights, dates, seeds, coordinates, ids and
labels. Each is refused with a message naming where it is, never passed on to crash later."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import family, round_of, volunteer
from click.testing import CliRunner, Result
from pydantic import ValidationError

from matcher.cli import main
from matcher.domain.round import MAX_PEOPLE, Round, SolverSettings, Weights
from matcher.io.csv_round import write_round_csv


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def refused(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output


def _write(tmp_path: Path, document: dict[str, object]) -> Path:
    path = tmp_path / "round.json"
    path.write_text(json.dumps(document))
    return path


def _document(**fields: object) -> dict[str, object]:
    document: dict[str, object] = json.loads(round_of([volunteer()], [family()]).model_dump_json())
    return document | fields


def test_a_round_has_at_most_max_people_volunteers() -> None:
    person = {"id": "V1", "postcode": "3511", "languages": "nl"}
    person |= {"training_complete": True, "vog_complete": True}
    with pytest.raises(ValidationError, match=f"at most {MAX_PEOPLE} items"):
        Round.model_validate({"volunteers": [person] * (MAX_PEOPLE + 1)})


@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "1e9"])
def test_weights_are_finite_and_bounded(tmp_path: Path, value: str) -> None:
    write_round_csv(round_of([volunteer()], [family()]), tmp_path / "r")
    with (tmp_path / "r" / "settings.csv").open("a") as stream:
        stream.write(f"weights.distance,{value}\n")
    refused(run("validate", str(tmp_path / "r")), "settings.csv, row 3, field 'weights.distance'")
    with pytest.raises(ValidationError):
        Weights(distance=float(value))


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"reference_date": "1970-06-01"}, "reference_date"),
        ({"reference_date": "2150-06-01"}, "reference_date"),
        ({"reference_date": "9999-12-31"}, "reference_date"),
    ],
)
def test_a_round_dated_outside_2000_to_2099_is_refused(
    tmp_path: Path, fields: dict[str, object], where: str
) -> None:
    # Before the fix, validate passed these and solve crashed writing results.xlsx (a ZIP
    # archive stores years 1980 to 2107 only).
    refused(run("validate", str(_write(tmp_path, _document(**fields)))), f"field '{where}'")


@pytest.mark.parametrize("field", ["registered", "due_date"])
def test_peoples_dates_are_bounded(tmp_path: Path, field: str) -> None:
    document = _document()
    document["families"][0][field] = "1850-01-01"  # type: ignore[index]
    refused(run("validate", str(_write(tmp_path, document))), f"families[0].{field}")


def test_absences_are_bounded(tmp_path: Path) -> None:
    document = _document(absences=[{"person_id": "V1", "start": "2026-01-01", "end": "9999-01-01"}])
    refused(run("validate", str(_write(tmp_path, document))), "absences[0].end")


def test_the_seed_fits_the_solver(tmp_path: Path) -> None:
    path = _write(tmp_path, _document())
    refused(run("solve", str(path), "--seed", str(2**31), "--out", str(tmp_path / "o")), "--seed")
    assert not (tmp_path / "o").exists()
    with pytest.raises(ValidationError):
        SolverSettings(seed=2**31)
    refused(
        run("validate", str(_write(tmp_path, _document(solver={"seed": 2**63})))), "solver.seed"
    )
