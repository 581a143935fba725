"""Unmatched families are told the practical thing first; the shortlist marks the volunteer
proposed to the family."""

from __future__ import annotations

import json
from pathlib import Path

from builders import family, round_of, volunteer
from cli_runs import run

from matcher import SolverSettings, solve
from matcher.result import UnmatchedReason

LOCATION = Path(__file__).parent.parent / "scenarios" / "location"


def test_outcompeted_says_more_capacity_is_needed_first(exact: SolverSettings) -> None:
    # One volunteer, two families: F1 has waited longer and wins.
    round_ = round_of(
        [volunteer("V1")], [family("F1", registered="2025-01-06"), family("F2", km_north=0.5)]
    )
    [unmatched] = solve(round_, exact).unmatched
    assert unmatched.reason == UnmatchedReason.OUTCOMPETED
    assert unmatched.message == (
        "The only volunteer who could help is full: more capacity is needed here. "
        "V1 is proposed to F1, whose match weighs more (a longer wait, a re-match or a better "
        "fit)."
    )


def test_many_competitors_are_summed_up_after_the_practical_sentence() -> None:
    people = [volunteer(f"V{i}", km_north=i / 10) for i in range(5)]
    families = [family(f"F{i}", registered="2025-01-06", km_north=i / 10) for i in range(5)]
    round_ = round_of(people, [*families, family("F9")])
    [unmatched] = solve(round_).unmatched
    first, detail = unmatched.message.split(": more capacity is needed here. ")
    assert first == "Every volunteer who could help is full"
    assert detail.startswith("5 could help, all proposed to families whose matches weigh more")
    assert detail.endswith("and 2 more.") and len(unmatched.competitors) == 5


def test_the_shortlist_marks_the_proposed_volunteer(exact: SolverSettings) -> None:
    round_ = round_of([volunteer("V1"), volunteer("V2", km_north=1.0)], [family("F1")])
    result = solve(round_, exact)
    [proposal] = result.proposals
    [shortlist] = result.shortlists
    marked = [a.volunteer_id for a in shortlist.alternatives if a.proposed]
    assert marked == [proposal.volunteer_id] == ["V1"]


def test_the_shortlist_command_names_the_proposed_volunteer() -> None:
    solved = json.loads(run("solve", str(LOCATION), "--out", "-").output)
    proposal = solved["proposals"][0]
    family_id = proposal["family_id"]
    [shortlist] = [s for s in solved["shortlists"] if s["family_id"] == family_id]
    [rank] = [i for i, a in enumerate(shortlist["alternatives"], start=1) if a["proposed"]]
    done = run("shortlist", str(LOCATION), "--family", family_id)
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[-1] == (
        f"Proposed: {proposal['volunteer_id']} (rank {rank}), on {proposal['slot']}."
    )
