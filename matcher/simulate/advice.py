"""Recruitment advice: which single volunteer profile (language x place x availability) would
shorten waiting most, found by simulation.

Candidate profiles come from who waits in the baseline: the home languages and places of the
families who waited longest, and the three weekday parts of the day. Each profile is tried as
one extra volunteer from week 0, with the baseline's seeds (common random numbers), so the
difference per seed is the profile's own effect; profiles are ranked by how much they shrink
the average waiting list.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from matcher.domain.vocab import language_name
from matcher.simulate.measures import Estimate, estimate, metrics
from matcher.simulate.runner import SimulationResult, run_simulation
from matcher.simulate.scenario import Cohort, Lever, Simulation

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
PARTS = {"mornings": "morning", "afternoons": "afternoon", "evenings": "evening"}
LANGUAGES, PLACES = 3, 2


@dataclass(frozen=True)
class Advice:
    """One profile and what one such volunteer changes (baseline minus profile, per seed)."""

    profile: str
    waiting_list_drop: Estimate
    within_8_weeks_gain: Estimate

    def sentence(self) -> str:
        """The finding in plain words."""
        drop = self.waiting_list_drop
        return (
            f"One more volunteer {self.profile} shrinks the average waiting list by "
            f"{drop.mean:.2f} families (95 % CI {drop.low:.2f} to {drop.high:.2f}) and changes "
            f"the share matched within 8 weeks by {self.within_8_weeks_gain.mean:+.1%}."
        )


def profiles(baseline: SimulationResult) -> dict[str, Cohort]:
    """Candidate profiles, named in words, from who waited longest in the baseline."""
    waited: Counter[str] = Counter()
    places: Counter[str] = Counter()
    horizon = baseline.simulation.horizon_weeks
    for replication in baseline.replications["baseline"]:
        for case in replication.cases:
            weeks = (case.first_match if case.first_match is not None else horizon) - case.arrived
            waited[case.language] += max(weeks, 0)
            places[case.place] += max(weeks, 0)
    languages = [code for code, _ in waited.most_common() if code != "nl"][:LANGUAGES]
    top_places = [place for place, _ in places.most_common(PLACES)]
    result = {}
    for language in [None, *languages]:
        for place in top_places:
            for words, part in PARTS.items():
                speaks = f"speaking {language_name(language)}" if language else "speaking Dutch"
                name = f"{speaks}, living in {place}, free on weekday {words}"
                result[name] = Cohort(
                    week=0,
                    size=1,
                    language=language,
                    places=(place,),
                    extra_slots=tuple(f"{day}-{part}" for day in WEEKDAYS),
                )
    return result


def recruitment_advice(
    simulation: Simulation, baseline: SimulationResult, replications: int, workers: int = 1
) -> list[Advice]:
    """Every candidate profile with its effect, best first."""
    candidates = profiles(baseline)
    levers = tuple(Lever(name=name, cohorts=(cohort,)) for name, cohort in candidates.items())
    trial = simulation.model_copy(update={"levers": levers})
    result = run_simulation(trial, replications, workers)
    horizon = simulation.horizon_weeks
    waiting = metrics(horizon)["mean waiting list"]
    within = metrics(horizon)["matched within 8 weeks"]
    base = result.replications["baseline"]
    advice = [
        Advice(
            profile=name,
            waiting_list_drop=estimate(
                waiting(b) - waiting(r) for b, r in zip(base, reps, strict=True)
            ),
            within_8_weeks_gain=estimate(
                within(r) - within(b) for b, r in zip(base, reps, strict=True)
            ),
        )
        for name, reps in result.replications.items()
        if name != "baseline"
    ]
    return sorted(advice, key=lambda a: -a.waiting_list_drop.mean)
