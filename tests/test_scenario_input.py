"""Hostile what-if scenario files: each is refused when it is loaded, with exit code 2 and a
message naming the file and the field, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli import main

HEAD = 'area = { places = ["Zwolle"] }\nstart_date = 2027-01-04\n'


def _refused(path: Path, *expected: str) -> str:
    result = CliRunner().invoke(main, ["simulate", str(path), "--replications", "1"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)
    assert str(path) in result.output
    for text in expected:
        assert text in result.output, result.output
    return result.output


def test_a_scenario_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(HEAD.encode() + "# Zwolle, één locatie\n".encode("latin-1"))
    _refused(path, "not UTF-8")


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ('area = { places = ["Atlantis"] }\nstart_date = 2027-01-04\n', "'area'", "Atlantis"),
        (HEAD + "arrivals_per_year = inf\n", "'arrivals_per_year'", "finite"),
        (HEAD + "arrivals_per_year = nan\n", "'arrivals_per_year'", ""),
        (HEAD + "arrivals_per_year = 1e12\n", "'arrivals_per_year'", "20000"),
        (HEAD + "volunteers = 1000000000\n", "'volunteers'", "5000"),
        (HEAD + "waiting_families = 1000000\n", "'waiting_families'", "5000"),
        (HEAD + "horizon_weeks = 100000\n", "'horizon_weeks'", "260"),
        (HEAD + "replications = 100000000\n", "'replications'", "10000"),
        (HEAD + "[[cohorts]]\nweek = 3\nsize = 1000000\n", "'cohorts.0.size'", "1000"),
        (HEAD + "[[cohorts]]\nweek = 60\nsize = 3\n", "cohorts.0.week", "horizon"),
        (HEAD + "seasonality = [1, 1, 1, nan, 1, 1, 1, 1, 1, 1, 1, 1]\n", "'seasonality.3'", ""),
        (HEAD + "[weights]\ndistance = inf\n", "'weights", ""),
        (
            HEAD + "[[levers]]\nname = 'x'\n[[levers.cohorts]]\nweek = 1\nsize = 2\n"
            "places = ['Atlantis']\n",
            "'levers.0.cohorts.0.places'",
            "Atlantis",
        ),
        (
            HEAD + "[[levers]]\nname = 'more'\n[[levers]]\nname = 'More '\nevening_share = 1\n",
            "'levers'",
            "same name",
        ),
        (HEAD + "[[levers]]\nname = 'Baseline'\n", "'levers'", "like the baseline"),
        (HEAD + "[[levers]]\nname = 'far'\nextra_travel_km = inf\n", "extra_travel_km", ""),
    ],
)
def test_a_hostile_field_is_named(tmp_path: Path, body: str, field: str, message: str) -> None:
    path = tmp_path / "hostile.toml"
    path.write_text(body, encoding="utf-8")
    _refused(path, f"field {field}" if field.startswith("'") else field, message)
