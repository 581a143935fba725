"""Waits as time-to-event: censoring and competing events instead of survivorship, intervals
within their bounds, the intake's time, and what a week-0 match means in the report."""

from __future__ import annotations

import math
from datetime import date

from builders import family

from matcher.simulate.measures import summarise, time_to_match
from matcher.simulate.replication import AGED_OUT, WITHDREW, Case, Replication, simulate_once
from matcher.simulate.report import markdown_report
from matcher.simulate.runner import run_simulation
from matcher.simulate.what_if import Lever, Simulation
from matcher.synthetic.generate import Area

NORM = Simulation(area=Area(places=("Zwolle",)), start_date=date(2027, 1, 4))


def _case(
    arrived: int, matched: int | None = None, closed: int | None = None, why: str = ""
) -> Case:
    case = Case(family(), arrived, "nl", "Zwolle", arrived, ready=arrived, first_match=matched)
    if closed is not None:
        case.close(closed, why)
    return case


def _replication(cases: list[Case]) -> Replication:
    return Replication(lever="baseline", seed=0, cases=cases)


def test_families_who_gave_up_count_as_not_matched() -> None:
    # 4 matched after 2 weeks, 6 gave up after 3: matched within 8 weeks is 4/10, and half are
    # never matched, so the median is not reached. Counting only the matched would say 2 weeks.
    cases = [_case(0, matched=2) for _ in range(4)]
    cases += [_case(0, closed=3, why=WITHDREW) for _ in range(6)]
    result = time_to_match([_replication(cases)], horizon=20)["all"]
    assert result.within[8].mean == 0.4
    assert math.isinf(result.median.mean) and str(result.median) == "not reached"
    assert result.withdrew.mean == 0.6 and result.aged_out.mean == 0


def test_families_still_waiting_are_censored_not_dropped() -> None:
    # Horizon 10 (weeks 0..9). Two families arrived in week 0: one matched in week 1, one still
    # waiting at the end (seen 9 weeks). Two arrived in week 8: one matched in week 9 (1 week),
    # one still waiting (seen 1 week). At 1 week: 4 at risk, 2 matched: CIF = 0.5; the rest are
    # censored, so the curve stays at 0.5 -- the median is 1 week, p90 not reached.
    cases = [_case(0, matched=1), _case(0), _case(8, matched=9), _case(8)]
    result = time_to_match([_replication(cases)], horizon=10)["all"]
    assert result.median.mean == 1 and math.isinf(result.p90.mean)
    assert result.within[4].mean == 0.5


def test_aged_out_is_a_competing_event_of_its_own() -> None:
    cases = [_case(0, matched=1), _case(0, closed=2, why=AGED_OUT)]
    result = time_to_match([_replication(cases)], horizon=10)["all"]
    assert result.aged_out.mean == 0.5 and result.withdrew.mean == 0


def test_intake_takes_the_weeks_the_scenario_says() -> None:
    for intake in (0, 3):
        sim = NORM.model_copy(
            update={"intake_weeks": intake, "arrivals_per_year": 60, "volunteers": 40}
        )
        waits = [
            c.first_match - c.arrived
            for seed in (1, 2)
            for c in simulate_once(sim, Lever(name="weekly", cadence_weeks=1), seed).cases
            if c.arrived >= 0 and c.first_match is not None
        ]
        assert waits and min(waits) == intake


def test_intervals_stay_within_their_bounds() -> None:
    sim = NORM.model_copy(update={"horizon_weeks": 30, "arrivals_per_year": 40})
    result = run_simulation(sim, replications=6)
    summary = summarise(result.replications["baseline"], 30, seed=sim.seed)
    for name, value in summary.items():
        if math.isnan(value.mean):
            continue
        assert value.low <= value.mean <= value.high, name
        assert value.low >= 0, name
        if value.unit == "share":
            assert value.high <= 1, name
    # A week of intake: nobody is matched in the week of referral.
    assert summary["median time to match (weeks)"].low >= 1


def test_a_week_zero_match_is_explained_where_it_happens() -> None:
    weekly = Lever(name="weekly rounds", cadence_weeks=1)
    base = NORM.model_copy(update={"horizon_weeks": 16, "replications": 2, "levers": (weekly,)})
    note = "0 weeks means matched in the week of referral"
    same_week = markdown_report(run_simulation(base.model_copy(update={"intake_weeks": 0})))
    assert note in same_week
    assert note not in markdown_report(run_simulation(base))


def test_the_report_gives_time_to_match_per_variant_language_and_place() -> None:
    sim = NORM.model_copy(
        update={"horizon_weeks": 16, "levers": (Lever(name="by hand", backend="greedy"),)}
    )
    text = markdown_report(run_simulation(sim, replications=2))
    assert "| median time to match (weeks) |" in text
    assert "## Who waits, by home language" in text and "## Who waits, by place" in text
    assert "| nl | by hand |" in text and "| Zwolle | baseline |" in text
