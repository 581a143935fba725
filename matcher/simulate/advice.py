"""Recruitment advice: which single volunteer profile (language x place x availability) would
shorten waiting most, found by simulation, and whether the simulation can tell at all.

Candidate profiles come from who waits in the baseline: the home languages and places of the
families who waited longest, and the three weekday parts of the day. Each profile is tried as
one extra volunteer from week 0, with the baseline's seeds (common random numbers), so the
difference per seed is the profile's own effect. Profiles are ranked by the mean paired drop of
the average waiting list, with its interval; profiles whose intervals overlap the best of their
group share a rank (a tie). When every interval includes zero, no profile stands out at this
number of replications, and the advice says roughly how many replications would tell the
largest effect from zero.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from matcher.i18n import N_
from matcher.simulate.markdown import escape, table
from matcher.simulate.measures import Estimate, estimate, metrics
from matcher.simulate.runner import SimulationResult, run_simulation
from matcher.simulate.texts import Texts
from matcher.simulate.what_if import Cohort, Lever, Simulation

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
PARTS = {"morning": N_("mornings"), "afternoon": N_("afternoons"), "evening": N_("evenings")}
"""The parts of the day a profile is free on weekdays, and their words."""
LANGUAGES, PLACES = 3, 2
Z = 1.96  # two-sided 95 %, for the replications-needed estimate


@dataclass(frozen=True)
class Advice:
    """One profile and what one such volunteer changes (baseline minus profile, per seed)."""

    profile: str
    waiting_list_drop: Estimate
    within_8_weeks_gain: Estimate
    drops: tuple[float, ...]  # the paired differences, one per seed
    rank: int = 1  # profiles with overlapping intervals share a rank
    cohort: Cohort | None = None  # the profile as a cohort, to name it in another language

    def name(self, texts: Texts) -> str:
        """The profile in the language of ``texts``."""
        return self.profile if self.cohort is None else profile_name(self.cohort, texts)

    @property
    def stands_out(self) -> bool:
        """Whether the interval of the drop excludes zero."""
        drop = self.waiting_list_drop
        return not (drop.low <= 0 <= drop.high) and not math.isnan(drop.low)

    def sentence(self, name: Callable[[str], str] = str, texts: Texts | None = None) -> str:
        """The finding in plain words (``name`` renders the profile, e.g. escaped)."""
        t = texts or Texts()
        drop = self.waiting_list_drop
        return t.gettext(
            "One more volunteer {profile} shrinks the average waiting list by {drop} families "
            "(95 % CI {low} to {high}) and changes the share matched within 8 weeks by {gain}."
        ).format(
            profile=name(self.name(t)),
            drop=t.number(drop.mean),
            low=t.number(drop.low),
            high=t.number(drop.high),
            gain=t.share(self.within_8_weeks_gain.mean, 1, sign=True),
        )


def compare_profiles(
    baseline: Sequence[tuple[float, float]],
    profiles: dict[str, Sequence[tuple[float, float]]],
    seed: int = 0,
    cohorts: Mapping[str, Cohort] | None = None,
) -> list[Advice]:
    """Rank profiles by paired differences. ``baseline`` and each profile hold, per seed (same
    order), the mean waiting list and the share matched within 8 weeks; ``cohorts`` give the
    profiles' cohorts by name, when known."""
    advice = [
        Advice(
            profile=name,
            waiting_list_drop=estimate(_differences(baseline, runs, 0), seed),
            within_8_weeks_gain=_share(estimate(_differences(runs, baseline, 1), seed)),
            drops=tuple(_differences(baseline, runs, 0)),
            cohort=(cohorts or {}).get(name),
        )
        for name, runs in profiles.items()
    ]
    advice.sort(key=lambda a: (-a.waiting_list_drop.mean, a.profile))
    return _ranked(advice)


def _differences(
    first: Sequence[tuple[float, float]], second: Sequence[tuple[float, float]], index: int
) -> list[float]:
    return [a[index] - b[index] for a, b in zip(first, second, strict=True)]


def _share(value: Estimate) -> Estimate:
    return Estimate(value.mean, value.low, value.high, "share change")


def _ranked(advice: list[Advice]) -> list[Advice]:
    """Ranks by mean drop (best first); a profile whose interval overlaps that of the first of
    the current rank shares its rank."""
    ranked: list[Advice] = []
    leader: Advice | None = None
    rank = 0
    for item in advice:
        if leader is None or item.waiting_list_drop.high < leader.waiting_list_drop.low:
            leader, rank = item, rank + 1
        ranked.append(Advice(**{**item.__dict__, "rank": rank}))
    return ranked


def replications_needed(advice: Advice) -> int | None:
    """Roughly how many replications would make the interval of this profile's mean drop
    exclude zero (normal approximation), or None when it shows no drop at all."""
    if len(advice.drops) < 2 or advice.waiting_list_drop.mean <= 0:
        return None
    spread = statistics.stdev(advice.drops)
    return max(len(advice.drops) + 1, math.ceil((Z * spread / advice.waiting_list_drop.mean) ** 2))


def verdict(
    advice: list[Advice], name: Callable[[str], str] = str, texts: Texts | None = None
) -> str:
    """What the comparison can say, in plain words (``name`` renders profiles)."""
    t = texts or Texts()
    if not advice:
        return t.gettext("No candidate profiles.")
    runs = len(advice[0].drops)
    best = advice[0]
    if not any(a.stands_out for a in advice):
        needed = replications_needed(best)
        more = (
            t.gettext(
                "Telling the largest mean drop ({drop} families) from zero would take roughly "
                "{needed} replications."
            ).format(drop=t.number(best.waiting_list_drop.mean), needed=needed)
            if needed is not None
            else t.gettext("None of them shrinks the waiting list on average.")
        )
        return (
            t.gettext(
                "At {runs} replications no single profile stands out: every interval includes zero."
            ).format(runs=runs)
            + " "
            + more
        )
    tied = [a for a in advice if a.rank == best.rank]
    if len(tied) > 1:
        return (
            t.gettext(
                "{count} profiles share the first rank: their intervals overlap, so at {runs} "
                "replications the simulation cannot order them. The first listed:"
            ).format(count=len(tied), runs=runs)
            + " "
            + best.sentence(name, t)
        )
    return best.sentence(name, t)


def advice_section(advice: list[Advice], texts: Texts | None = None) -> str:
    """The advice as a report section: the verdict, then every profile with its rank."""
    t = texts or Texts()
    rows = [
        [
            str(a.rank),
            escape(a.name(t)),
            a.waiting_list_drop.text(t),
            a.within_8_weeks_gain.text(t),
        ]
        for a in advice
    ]
    header = [
        t.gettext("rank"),
        t.gettext("one more volunteer"),
        t.gettext("waiting list drop (families)"),
        t.gettext("matched in 8 weeks"),
    ]
    return (
        "## "
        + t.gettext("Recruitment advice")
        + "\n\n"
        + verdict(advice, escape, t)
        + "\n\n"
        + t.gettext(
            "Paired differences against the baseline with the same seeds; equal ranks are ties."
        )
        + "\n\n"
        + table(header, rows)
    )


def profile_name(cohort: Cohort, texts: Texts) -> str:
    """A candidate profile in words (``speaking Arabic, living in Zwolle, free on weekday
    mornings``)."""
    speaks = (
        texts.gettext("speaking {language}").format(language=texts.language_name(cohort.language))
        if cohort.language
        else texts.gettext("speaking Dutch")
    )
    part = cohort.extra_slots[0].split("-")[1]
    return texts.gettext("{speaks}, living in {place}, free on weekday {parts}").format(
        speaks=speaks, place=cohort.places[0], parts=texts.gettext(PARTS[part])
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
    top_places = [place for place, _ in places.most_common() if place != "?"][:PLACES]
    result = {}
    for language in [None, *languages]:
        for place in top_places:
            for part in PARTS:
                cohort = Cohort(
                    week=0,
                    size=1,
                    language=language,
                    places=(place,),
                    extra_slots=tuple(f"{day}-{part}" for day in WEEKDAYS),
                )
                result[profile_name(cohort, Texts())] = cohort
    return result


def recruitment_advice(
    simulation: Simulation, baseline: SimulationResult, replications: int, workers: int = 1
) -> list[Advice]:
    """Every candidate profile with its effect and rank, best first."""
    candidates = profiles(baseline)
    levers = tuple(Lever(name=name, cohorts=(cohort,)) for name, cohort in candidates.items())
    trial = simulation.model_copy(update={"levers": levers})
    result = run_simulation(trial, replications, workers)
    measure = metrics(simulation.horizon_weeks)
    waiting, within = measure["mean waiting list"], measure["matched within 8 weeks"]

    def values(name: str) -> list[tuple[float, float]]:
        return [(waiting(r), within(r)) for r in result.replications[name]]

    return compare_profiles(
        values("baseline"),
        {name: values(name) for name in result.replications if name != "baseline"},
        simulation.seed,
        candidates,
    )
