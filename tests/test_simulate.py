"""What-if simulation: conservation, determinism, calibration against the programme norm,
and bad scenario input."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli import main
from matcher.domain.prepared import PreparedRound
from matcher.domain.round import Backend
from matcher.io.problems import InputError
from matcher.scoring.candidates import score_candidates
from matcher.simulate.measures import summarise
from matcher.simulate.replication import simulate_once
from matcher.simulate.report import markdown_report
from matcher.simulate.rounds import RoundOutcome, Score, engine_round, lean_round
from matcher.simulate.runner import run_simulation
from matcher.simulate.what_if import Cohort, Lever, Simulation, load_simulation
from matcher.synthetic.generate import Area

ROOT = Path(__file__).parent.parent
NORM = Simulation(area=Area(places=("Zwolle",)), start_date=date(2027, 1, 4))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_family_is_waiting_matched_or_closed_and_capacity_holds(seed: int) -> None:
    lever = Lever(
        name="busy",
        cohorts=(Cohort(week=5, size=3, language="ar"),),
        capacity_share=0.5,
        cadence_weeks=1,
    )
    replication = simulate_once(NORM.model_copy(update={"arrivals_per_year": 60}), lever, seed)
    assert len(replication.weeks) == 52
    for week in replication.weeks:
        assert week.arrived == week.waiting + week.matched + week.closed + week.in_intake
        assert week.places_used <= week.places
        assert week.over_capacity == 0
    assert replication.weeks[-1].arrived > replication.weeks[0].arrived


def test_results_do_not_depend_on_the_number_of_workers() -> None:
    sim = NORM.model_copy(
        update={"replications": 4, "levers": (Lever(name="evenings", evening_share=0.5),)}
    )
    assert markdown_report(run_simulation(sim, workers=1)) == markdown_report(
        run_simulation(sim, workers=2)
    )


def test_calibration_one_location_matches_littles_law() -> None:
    # The programme norm: 24 volunteers, ~28 new families a year, support of 17-78 weeks
    # (triangular, mean (17 + 39 + 78) / 3 = 44.7 weeks). In steady state the families in
    # support = matched arrivals per week x mean support (Little's law); divided by the places
    # on offer that predicts the utilisation. We check the simulation agrees within 20 %, and
    # that it lands where a location that is neither idle nor overrun would: half to 85 % of
    # places used, most families matched within 8 weeks.
    result = run_simulation(NORM, replications=30)
    replications = result.replications["baseline"]
    summary = summarise(replications, NORM.horizon_weeks)
    utilisation = summary["volunteer utilisation"].mean
    matched_per_week = statistics.fmean(
        sum(1 for c in r.cases if c.first_match is not None and c.arrived >= 0) / 52
        for r in replications
    )
    places = statistics.fmean(w.places for r in replications for w in r.weeks)
    predicted = matched_per_week * (17 + 39 + 78) / 3 / places
    assert utilisation == pytest.approx(predicted, rel=0.2)
    assert 0.5 <= utilisation <= 0.85
    assert summary["matched within 8 weeks"].mean >= 0.6
    assert summary["median time to match (weeks)"].mean <= 4


def test_more_volunteers_shorten_the_waiting_list() -> None:
    lever = Lever(name="ten more", cohorts=(Cohort(week=0, size=10),))
    result = run_simulation(NORM.model_copy(update={"levers": (lever,)}), replications=10)
    waiting = {
        name: summarise(reps, 52)["mean waiting list"].mean
        for name, reps in result.replications.items()
    }
    assert waiting["ten more"] < waiting["baseline"]


def test_the_shipped_what_if_scenario_is_valid() -> None:
    sim = load_simulation(ROOT / "scenarios" / "what-if.toml")
    assert sim.replications == 100 and len(sim.levers) == 5
    assert [lever.backend for lever in sim.levers] == [None, None, None, None, "greedy"]


def test_a_backend_lever_matches_its_rounds_with_that_backend() -> None:
    used: list[str] = []

    def recording(prepared: PreparedRound, score: Score, reasons: bool) -> RoundOutcome:
        used.append(prepared.round.solver.backend)
        return lean_round(prepared, score, reasons)

    sim = NORM.model_copy(update={"horizon_weeks": 8})
    simulate_once(sim, Lever(name="by hand", backend=Backend.GREEDY), seed=1, solver=recording)
    assert used and set(used) == {"greedy"}
    used.clear()
    simulate_once(sim, None, seed=1, solver=recording)
    assert used and set(used) == {"flow"}


@pytest.mark.parametrize("backend", [Backend.FLOW, Backend.GREEDY])
def test_rounds_without_explanations_give_what_the_whole_engine_gives(backend: Backend) -> None:
    # Every round is run both ways: the lean round (with and without its unmatched reasons)
    # must propose the same pairs on the same half-days, and find the same families out of
    # the programme, as the engine's whole solve with its explanations.
    seen = Counter[str]()

    def both(prepared: PreparedRound, score: Score, reasons: bool) -> RoundOutcome:
        whole = engine_round(prepared, score_candidates, True)
        lean = lean_round(prepared, score, False)
        explained = lean_round(prepared, score_candidates, True)
        assert explained == whole
        assert (lean.proposals, lean.not_eligible) == (whole.proposals, whole.not_eligible)
        seen.update(proposals=len(lean.proposals), not_eligible=len(lean.not_eligible))
        seen.update(whole.reasons)
        return lean

    busy = NORM.model_copy(update={"arrivals_per_year": 80, "backend": backend})
    for seed in (1, 2):
        simulate_once(busy, None, seed, solver=both)
    assert seen["proposals"] > 20 and seen["not_eligible"] > 0 and seen["outcompeted"] > 0


def test_only_the_last_round_explains_why_families_were_left_unmatched() -> None:
    asked: list[bool] = []

    def recording(prepared: PreparedRound, score: Score, reasons: bool) -> RoundOutcome:
        asked.append(reasons)
        return lean_round(prepared, score, reasons)

    sim = NORM.model_copy(update={"horizon_weeks": 9, "cadence_weeks": 2})
    replication = simulate_once(sim, None, seed=3, solver=recording)
    assert asked == [False, False, False, False, True]  # rounds in weeks 0, 2, 4, 6 and 8
    assert replication.unmatched == simulate_once(sim, None, seed=3, solver=engine_round).unmatched


def test_bad_scenario_input_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        'area = { places = ["Zwolle"] }\nstart_date = 2027-01-04\n'
        "seasonality = [1.0, 1.0]\n[[levers]]\nname = 'x'\ncapacity_share = 2\n"
    )
    with pytest.raises(InputError) as error:
        load_simulation(path)
    text = str(error.value)
    assert "bad.toml, field 'levers.0.capacity_share'" in text
    result = CliRunner().invoke(main, ["simulate", str(path)])
    assert result.exit_code == 2 and "capacity_share" in result.output
    assert "Traceback" not in result.output


def test_simulate_command_writes_a_report(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    result = CliRunner().invoke(
        main,
        [
            "simulate",
            str(ROOT / "scenarios" / "what-if.toml"),
            "--replications",
            "2",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    header = next(line for line in text.splitlines() if line.startswith("| measure |"))
    assert header.startswith("| measure | baseline | 6 more in spring, 2 speak Arabic |")
    assert header.endswith("| first come, first served |")
    assert "## Who waits, by home language" in text


def test_a_dask_cluster_gives_the_same_results_as_local_processes() -> None:
    distributed = pytest.importorskip("distributed")
    sim = NORM.model_copy(
        update={
            "replications": 3,
            "horizon_weeks": 20,
            "levers": (Lever(name="wider", extra_travel_km=5),),
        }
    )
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        on_dask = run_simulation(sim, scheduler=cluster.scheduler_address)
    assert markdown_report(on_dask) == markdown_report(run_simulation(sim))


def test_recruitment_advice_ranks_profiles_and_reports_them(tmp_path: Path) -> None:
    out = tmp_path / "advice.md"
    scenario = tmp_path / "one.toml"
    scenario.write_text(
        'area = { places = ["Zwolle"] }\nstart_date = 2027-01-04\nhorizon_weeks = 26\n'
        "arrivals_per_year = 50\nreplications = 3\n"
    )
    result = CliRunner().invoke(
        main, ["simulate", str(scenario), "--advice", "3", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "## Recruitment advice" in text
    rows = [line.split(" | ") for line in text.splitlines() if " | speaking " in line]
    ranks = [int(row[0].strip("| ")) for row in rows]
    drops = [float(row[2].split(" [")[0]) for row in rows]
    assert len(drops) >= 3 and drops == sorted(drops, reverse=True)
    assert ranks == sorted(ranks) and ranks[0] == 1


def test_a_simulation_can_start_from_a_round(tmp_path: Path) -> None:
    scenario = tmp_path / "from-round.toml"
    location = ROOT / "scenarios" / "location"
    scenario.write_text(
        f'area = {{ places = ["Zwolle"] }}\nstart_date = 2026-11-30\nhorizon_weeks = 12\n'
        f'start_round = "{location}"\nreplications = 2\n'
    )
    sim = load_simulation(scenario)
    assert sim.start_round is not None and len(sim.start_round.volunteers) == 25
    replication = simulate_once(sim, None, seed=1)
    first = replication.weeks[0]
    assert first.arrived >= len(sim.start_round.families)
    for week in replication.weeks:
        assert week.arrived == week.waiting + week.matched + week.closed + week.in_intake
        assert week.over_capacity == 0
    ids = {c.family.id for c in replication.cases}
    assert {f.id for f in sim.start_round.families} <= ids
