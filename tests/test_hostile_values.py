"""Values a user controls are bounded: counts, weights, dates, seeds, coordinates, ids and
labels. Each is refused with a message naming where it is, never passed on to crash later."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import family, round_of, volunteer
from cli_runs import refused, run
from pydantic import ValidationError

from matcher.domain.round import MAX_PEOPLE, Round, SolverSettings, Weights
from matcher.io.csv_round import write_round_csv


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
    with pytest.raises(ValidationError, match=f"at most {MAX_PEOPLE:,} volunteers"):
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


@pytest.mark.parametrize(
    ("id_", "message"),
    [
        ("jan@example.nl", "looks like an e-mail address"),
        ("0612345678", "looks like a phone number"),
        ("06-12345678", "looks like a phone number"),
        ("+31612345678", "looks like a phone number"),
        ("111222333", "looks like a citizen service number (BSN)"),
        ("123456782", "looks like a citizen service number (BSN)"),
    ],
)
def test_ids_that_look_like_personal_data_are_refused(
    tmp_path: Path, id_: str, message: str
) -> None:
    document = _document()
    document["volunteers"][0]["id"] = id_  # type: ignore[index]
    refused(run("validate", str(_write(tmp_path, document))), "volunteers[0].id", message)


def test_nine_digit_ids_failing_the_eleven_test_are_fine() -> None:
    assert volunteer("123456789").id == "123456789"


@pytest.mark.parametrize(
    "header",
    [
        "Naam",
        "E-mail",
        "e_mail",
        "Telefoon nummer",
        "telefoonnummer",
        "Geboortedatum",
        "date_of_birth",
        "Mobiel",
        "BSN",
        "Burgerservicenummer",
        "Woonplaats",
        "Adrés",
        "phone",
    ],
)
def test_personal_data_columns_are_named_as_such(tmp_path: Path, header: str) -> None:
    write_round_csv(round_of([volunteer()], [family()]), tmp_path / "r")
    path = tmp_path / "r" / "volunteers.csv"
    lines = path.read_text().splitlines()
    path.write_text(f"{lines[0]},{header}\n{lines[1]},x\n")
    refused(
        run("validate", str(tmp_path / "r")),
        f"volunteers.csv, row 1, field '{header}': looks like personal data",
    )


def test_a_personal_field_in_json_is_named_as_such(tmp_path: Path) -> None:
    document = _document()
    document["families"][0]["telefoonnummer"] = "x"  # type: ignore[index]
    refused(run("validate", str(_write(tmp_path, document))), "looks like personal data")


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://x")', "<b>kerst</b>", "+1", "x" * 61, "a\x07b"]
)
def test_holiday_names_are_short_plain_labels(tmp_path: Path, name: str) -> None:
    holiday = {"name": name, "start": "2026-12-19", "end": "2027-01-03"}
    document = _document(school_holidays=[holiday])
    refused(run("validate", str(_write(tmp_path, document))), "school_holidays[0].name")


def test_ids_differing_only_in_case_are_duplicates(tmp_path: Path) -> None:
    round_ = round_of([volunteer("V1"), volunteer("v1")], [family()])
    path = _write(tmp_path, json.loads(round_.model_dump_json()))
    refused(run("validate", str(path)), "volunteers[1].id", "differs only in case from 'V1'")


@pytest.mark.parametrize(
    ("place", "message"),
    [
        ({"latitude": 5.1, "longitude": 52.1}, "look swapped"),
        ({"latitude": 48.85, "longitude": 2.35}, "lies outside the Netherlands"),
        ({"latitude": 0.0, "longitude": 0.0}, "lies outside the Netherlands"),
        ({"latitude": 53.2, "longitude": 6.56, "postcode": "3511"}, "km from postcode area 3511"),
    ],
)
def test_coordinates_outside_the_country_or_far_from_the_postcode_are_refused(
    tmp_path: Path, place: dict[str, object], message: str
) -> None:
    document = _document()
    document["families"][0] |= place  # type: ignore[index]
    refused(run("validate", str(_write(tmp_path, document))), "families[0]", message)


def test_coordinates_near_their_postcode_are_fine() -> None:
    assert volunteer(latitude=52.09, longitude=5.12, postcode="3511").postcode == "3511"


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_a_time_limit_that_is_not_a_number_is_a_usage_error(tmp_path: Path, value: str) -> None:
    path = _write(tmp_path, _document())
    outcome = run("solve", str(path), "--time-limit", value, "--out", str(tmp_path / "o"))
    refused(outcome, "--time-limit")
    assert not (tmp_path / "o").exists()


def test_a_refused_personal_id_is_not_repeated_back(tmp_path: Path) -> None:
    document = _document()
    document["volunteers"][0]["id"] = "jan@example.nl"  # type: ignore[index]
    outcome = run("validate", str(_write(tmp_path, document)))
    refused(outcome, "looks like an e-mail address")
    assert "jan@example.nl" not in outcome.output


def test_a_huge_field_name_is_cut_short(tmp_path: Path) -> None:
    document = _document()
    document["volunteers"][0]["x" * 100_000] = 1  # type: ignore[index]
    outcome = run("validate", str(_write(tmp_path, document)))
    refused(outcome, "unknown field")
    assert len(outcome.output) < 500


def test_generate_refuses_more_people_than_a_round_may_hold(tmp_path: Path) -> None:
    # Before the bound, --volunteers 2147483648 ran until memory was exhausted.
    out = tmp_path / "gen"
    outcome = run(
        "scenario", "generate", str(out), "--place", "Zwolle", "--volunteers", "2147483648"
    )
    refused(outcome, "--volunteers")
    assert not out.exists()
