"""The what-if report and its charts in Dutch: words from the engine's catalog, Dutch numbers and
dates; English stays the default."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli import main
from matcher.simulate.advice import Advice, advice_section, profile_name
from matcher.simulate.measures import Estimate
from matcher.simulate.plots import render_plots
from matcher.simulate.report import markdown_report
from matcher.simulate.runner import run_simulation
from matcher.simulate.texts import Texts
from matcher.simulate.what_if import Cohort, Lever, Simulation
from matcher.synthetic.generate import Area

DUTCH = Texts("nl")
SHORT = Simulation(
    area=Area(places=("Zwolle",)),
    start_date=date(2027, 1, 12),
    horizon_weeks=12,
    replications=2,
    levers=(Lever(name="avonden", evening_share=0.5),),
)


def test_dutch_numbers_shares_and_dates() -> None:
    assert DUTCH.number(2.1, 1) == "2,1"
    assert DUTCH.number(0.5) == "0,50"
    assert DUTCH.share(0.76) == "76%"
    assert DUTCH.share(0.012, 1, sign=True) == "+1,2%"
    assert DUTCH.date(date(2025, 1, 14)) == "di 14 jan 2025"
    assert Texts().date(date(2025, 1, 14)) == "2025-01-14"


def test_estimates_in_dutch_and_in_english() -> None:
    waiting = Estimate(4.355, 3.35, 6.3)
    assert waiting.text(DUTCH) == "4,36 [3,35, 6,30]"
    assert str(waiting) == "4.36 [3.35, 6.30]"
    weeks = Estimate(2.0, 1.0, math.inf, "weeks")
    assert weeks.text(DUTCH) == "2 [1, niet bereikt]"
    assert str(weeks) == "2 [1, not reached]"
    gain = Estimate(0.05, -0.02, 0.09, "share change")
    assert gain.text(DUTCH) == "+5% [-2%, +9%]"


def test_the_report_in_dutch() -> None:
    result = run_simulation(SHORT)
    text = markdown_report(result, texts=DUTCH)
    assert text.startswith("# Wat-als-simulatie\n\n12 weken vanaf di 12 jan 2027, 2 herhalingen")
    assert "## Basis en hefbomen\n\n| maat | basis | avonden |" in text
    assert "| gekoppeld binnen 8 weken | " in text
    assert (
        "## Wie wacht, naar thuistaal\n\n| thuistaal | variant | gezinnen per herhaling |" in text
    )
    assert "## Ongekoppeld in de laatste ronde van de basis (per herhaling)" in text
    assert "| volunteer" not in text and "weeks" not in text
    assert markdown_report(result) == markdown_report(result, texts=Texts("en"))
    assert "## Baseline and levers\n\n| measure | baseline | avonden |" in markdown_report(result)


def test_chart_titles_and_labels_in_dutch() -> None:
    charts = render_plots(run_simulation(SHORT), "wat-als", DUTCH)
    title, svg = charts["wat-als-waits.svg"]
    assert title == "Aandeel gezinnen gekoppeld binnen zoveel weken na aanmelding"
    assert b"weken sinds aanmelding" in svg and b"aandeel gekoppeld (Aalen-Johansen)" in svg
    assert b"<!-- 0,2 -->" in svg  # tick labels with a decimal comma
    assert charts["wat-als-waiting-list.svg"][0] == "Wachtlijst in de tijd"


def test_a_profile_and_the_advice_in_dutch() -> None:
    cohort = Cohort(week=0, size=1, language="ar", places=("Zwolle",), extra_slots=("mon-morning",))
    assert profile_name(cohort, DUTCH) == (
        "spreekt Arabisch, woont in Zwolle, vrij op doordeweekse ochtenden"
    )
    assert (
        profile_name(cohort, Texts())
        == "speaking Arabic, living in Zwolle, free on weekday mornings"
    )
    advice = Advice(
        profile=profile_name(cohort, Texts()),
        waiting_list_drop=Estimate(0.99, 0.58, 1.73),
        within_8_weeks_gain=Estimate(0.052, -0.001, 0.09, "share change"),
        drops=(0.5, 1.0, 1.5),
        cohort=cohort,
    )
    section = advice_section([advice], DUTCH)
    assert section.startswith(
        "## Wervingsadvies\n\nEén vrijwilliger meer (spreekt Arabisch, woont in Zwolle, vrij op "
        "doordeweekse ochtenden) maakt de gemiddelde wachtlijst 0,99 gezinnen korter (95%-BI "
        "0,58 tot 1,73) en verandert het aandeel gekoppeld binnen 8 weken met +5,2%."
    )
    assert (
        "| 1 | spreekt Arabisch, woont in Zwolle, vrij op doordeweekse ochtenden | 0,99" in section
    )


def test_simulate_command_writes_the_report_in_dutch(tmp_path: Path) -> None:
    scenario = tmp_path / "kort.toml"
    scenario.write_text(
        'area = { places = ["Zwolle"] }\nstart_date = 2027-01-12\nhorizon_weeks = 8\n'
        "replications = 2\n"
    )
    out = tmp_path / "wat-als.md"
    runner = CliRunner()
    result = runner.invoke(main, ["simulate", str(scenario), "--lang", "nl", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "![Wachtlijst in de tijd](wat-als-waiting-list.svg)" in text
    assert "8 weken vanaf di 12 jan 2027" in text
    english = runner.invoke(main, ["simulate", str(scenario), "--lang", "en"])
    assert english.exit_code == 0 and "8 weeks from 2027-01-12" in english.output
    bad = runner.invoke(main, ["simulate", str(scenario), "--lang", "de"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


@pytest.mark.parametrize("language", ["fr", ""])
def test_only_dutch_and_english(language: str) -> None:
    with pytest.raises(ValueError, match="unknown language"):
        Texts(language)
