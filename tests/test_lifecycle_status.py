"""The lifecycle of people in a round: a volunteer's status (active, paused, stopped), how a
match ends, closed families kept but skipped, and the waiting history of a re-matched family."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from builders import family, round_of, volunteer
from cli_runs import refused, run

from matcher import Round, evaluate, prepare, solve
from matcher.check.evaluate import Assignment, assignment_of
from matcher.domain.round import ActiveMatch, Pair, SolverSettings
from matcher.errors import RoundError
from matcher.io.file_store import FileRoundStore
from matcher.io.rounds import load_round
from matcher.lifecycle.decisions import DecisionError, EndReason, accept, end_match
from matcher.result import SolveResult, UnmatchedReason

ENDED = date(2026, 11, 10)  # two weeks before the builders' round date, 2026-11-24


def _pairs(result: SolveResult) -> list[tuple[str, str]]:
    return [(p.family_id, p.volunteer_id) for p in result.proposals]


def _shortlisted(result: SolveResult) -> set[str]:
    return {a.volunteer_id for s in result.shortlists for a in s.alternatives}


def _checked(round_: Round) -> SolveResult:
    """Solve, and check the objective against the independent checker."""
    result = solve(round_)
    assert result.report.objective == evaluate(round_, assignment_of(result.proposals)).objective
    return result


@pytest.mark.parametrize(
    "status",
    [
        {"status": "paused", "paused_until": "2026-12-01"},
        {"status": "paused"},  # until further notice
        {"status": "stopped", "stopped_on": "2026-10-01"},
        {"status": "stopped"},
    ],
)
def test_a_paused_or_stopped_volunteer_is_neither_proposed_nor_shortlisted(
    status: dict[str, str],
) -> None:
    # V1 is the better fit (nearer), but not available; V2, 3 km away, is.
    round_ = round_of([volunteer("V1", **status), volunteer("V2", km_north=3)], [family("F1")])
    result = _checked(round_)
    assert _pairs(result) == [("F1", "V2")]
    assert _shortlisted(result) == {"V2"}
    for backend in ("cpsat", "greedy"):
        settings = SolverSettings(backend=backend)
        assert _pairs(solve(round_, settings)) == [("F1", "V2")]


def test_a_pause_ending_by_the_round_s_date_is_over() -> None:
    round_ = round_of([volunteer("V1", status="paused", paused_until="2026-11-24")], [family()])
    assert _pairs(_checked(round_)) == [("F1", "V1")]


def test_a_family_whose_only_volunteer_is_paused_is_told_so() -> None:
    round_ = round_of([volunteer("V1", status="paused", paused_until="2027-01-04")], [family()])
    (unmatched,) = _checked(round_).unmatched
    assert unmatched.reason == UnmatchedReason.NO_ELIGIBLE_VOLUNTEER
    assert unmatched.rejected_by == {"no_capacity": 1}


def test_the_checker_refuses_a_paused_volunteer_and_a_closed_family() -> None:
    round_ = round_of(
        [volunteer("V1", status="paused", paused_until="2027-01-04")],
        [family("F1", status="closed", closed_on="2026-11-01", closed_reason="family_copes")],
    )
    violations = evaluate(round_, [Assignment("F1", "V1", "mon-morning")]).violations
    assert any("paused until 2027-01-04" in v for v in violations)
    assert any("closed on 2026-11-01 (family_copes)" in v for v in violations)


@pytest.mark.parametrize(
    "fields",
    [
        {"paused_until": "2026-12-01"},  # an active volunteer has no pause
        {"status": "paused", "stopped_on": "2026-12-01"},
    ],
)
def test_status_dates_must_fit_the_status(fields: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="only for"):
        volunteer("V1", **fields)


def test_a_closed_family_stays_in_the_round_but_is_skipped() -> None:
    closed = family("F1", status="closed", closed_on="2026-11-01", closed_reason="aged_out")
    round_ = round_of([volunteer("V1", capacity=2)], [closed, family("F2")])
    result = _checked(round_)
    assert _pairs(result) == [("F2", "V1")]
    assert result.unmatched == []  # not counted as unmatched
    assert result.report.families_waiting == 1
    assert [s.family_id for s in result.shortlists] == ["F2"]


def test_a_closed_family_has_no_active_match() -> None:
    closed = family("F1", status="closed", closed_on="2026-11-01", closed_reason="aged_out")
    round_ = round_of(
        [volunteer()],
        [closed],
        active_matches=[ActiveMatch(family_id="F1", volunteer_id="V1", slot="mon-morning")],
    )
    with pytest.raises(RoundError, match="closed on 2026-11-01"):
        prepare(round_)


def _matched_round() -> Round:
    """V1 (capacity 2) visits F1 on Monday and F2 on Tuesday; V2 lives 2 km away."""
    both = ["mon-morning", "tue-morning"]
    return round_of(
        [volunteer("V1", capacity=2, slots=both), volunteer("V2", km_north=2, slots=both)],
        [family("F1"), family("F2", slots=["tue-morning"])],
        active_matches=[
            ActiveMatch(family_id="F1", volunteer_id="V1", slot="mon-morning"),
            ActiveMatch(family_id="F2", volunteer_id="V1", slot="tue-morning"),
        ],
    )


def test_a_volunteer_who_stops_is_stopped_and_the_family_waits_again() -> None:
    after = end_match(_matched_round(), "F1", EndReason.VOLUNTEER_STOPPED, ENDED)
    v1 = next(v for v in after.volunteers if v.id == "V1")
    assert (v1.status, v1.stopped_on) == ("stopped", ENDED)
    f1 = next(f for f in after.families if f.id == "F1")
    assert f1.rematch and not f1.closed
    assert Pair(family_id="F1", volunteer_id="V1") in after.declined_pairs
    # F2's match with V1 goes on until it is ended too; F1 gets V2.
    assert [m.family_id for m in after.active_matches] == ["F2"]
    assert _pairs(_checked(after)) == [("F1", "V2")]


def test_a_match_that_ends_while_the_volunteer_continues() -> None:
    round_ = _matched_round()
    round_ = round_.model_copy(update={"volunteers": round_.volunteers[:1]})  # V1 only
    after = end_match(round_, "F1", EndReason.VOLUNTEER_CONTINUES, ENDED)
    v1 = after.volunteers[0]
    assert v1.status == "active" and v1.stopped_on is None
    assert Pair(family_id="F1", volunteer_id="V1") in after.declined_pairs
    # V1 has a free place and a free Monday again, but never for F1.
    result = _checked(after)
    assert result.proposals == []
    assert result.unmatched[0].rejected_by == {"declined_or_excluded": 1}
    newcomer = family("F3")
    later = after.model_copy(update={"families": (*after.families, newcomer)})
    assert _pairs(_checked(later)) == [("F3", "V1")]


@pytest.mark.parametrize("reason", ["family_copes", "aged_out", "family_stopped"])
def test_a_closed_family_keeps_its_record_and_cannot_be_ended_or_accepted_again(
    reason: str,
) -> None:
    after = end_match(_matched_round(), "F1", EndReason(reason), ENDED)
    f1 = next(f for f in after.families if f.id == "F1")
    assert (f1.status, f1.closed_on, f1.closed_reason) == ("closed", ENDED, reason)
    assert f1.registered == date(2026, 1, 5)
    assert next(v for v in after.volunteers if v.id == "V1").status == "active"
    with pytest.raises(DecisionError, match="closed on 2026-11-10"):
        end_match(after, "F1", EndReason.FAMILY_COPES, ENDED)
    free_again = after.model_copy(update={"active_matches": ()})
    assert "F1" not in {p.family_id for p in _checked(free_again).proposals}
    offered = solve(_matched_round().model_copy(update={"active_matches": ()})).proposals
    f1_offer = next(p for p in offered if p.family_id == "F1")
    with pytest.raises(DecisionError, match="closed"):
        accept(after, f1_offer)


def test_an_end_date_before_the_family_registered_is_refused() -> None:
    with pytest.raises(DecisionError, match="before the family registered"):
        end_match(_matched_round(), "F1", EndReason.VOLUNTEER_STOPPED, date(2025, 12, 1))


def test_a_re_matched_family_keeps_its_history_and_waits_from_the_end_date() -> None:
    after = end_match(_matched_round(), "F1", EndReason.VOLUNTEER_STOPPED, ENDED)
    f1 = next(f for f in after.families if f.id == "F1")
    assert f1.registered == date(2026, 1, 5)  # first registered: kept
    assert f1.waiting_since == ENDED
    prepared = prepare(after)
    f = prepared.family_index["F1"]
    # Waiting 2 weeks (2026-11-10 to 2026-11-24): 100 + 2 waiting + 40 re-match points.
    assert int(prepared.family_weeks_waiting[f]) == 2
    assert int(prepared.family_priority[f]) == 142
    (proposal,) = _checked(after).proposals
    assert "family has waited 2 weeks" in proposal.reasons
    assert "family is re-matched after a volunteer stopped" in proposal.reasons


def test_re_match_priority_puts_the_family_first() -> None:
    # One volunteer place; F1 waits again for two weeks (142 points), F3 has waited 30 weeks
    # (2026-04-28 to 2026-11-24: 100 + 30 = 130 points).
    after = end_match(_matched_round(), "F1", EndReason.VOLUNTEER_STOPPED, ENDED)
    rival = family("F3", km_north=0.1, registered="2026-04-28")
    round_ = after.model_copy(update={"families": (*after.families, rival)})
    assert _pairs(_checked(round_)) == [("F1", "V2")]
    assert _pairs(solve(round_, SolverSettings(backend="greedy"))) == [("F1", "V2")]


def test_waiting_since_is_checked_against_the_round_s_date() -> None:
    round_ = round_of([volunteer()], [family("F1", waiting_since="2026-12-01", rematch=True)])
    with pytest.raises(RoundError, match="waiting_since"):
        prepare(round_)
    with pytest.raises(ValueError, match="waiting_since lies before registered"):
        family("F1", waiting_since="2025-12-01")


@pytest.fixture
def matched_json(tmp_path: Path) -> Path:
    path = tmp_path / "round.json"
    path.write_text(_matched_round().model_dump_json())
    return path


def test_end_records_its_effective_date_and_old_log_lines_still_read(matched_json: Path) -> None:
    log = matched_json.with_suffix(".decisions.jsonl")
    old = {
        "time": "2026-11-01T09:00:00Z",
        "coordinator": "C1",
        "action": "accept",
        "family_id": "F1",
        "volunteer_id": "V1",
        "slot": "mon-morning",
    }
    log.write_text(json.dumps(old) + "\n")
    done = run(
        "end", str(matched_json), "--family", "F1", "--reason", "volunteer_stopped",
        "--date", "2026-11-10",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "V1 stopped on 2026-11-10" in done.output
    assert "V1 still has active matches with F2: end them too" in done.output
    entries = FileRoundStore(matched_json, today=date(2026, 11, 24)).decisions()
    assert [e.effective_date for e in entries] == [None, ENDED]
    assert entries[1].time.date() != ENDED  # the entry's own time is when it was made
    round_ = load_round(matched_json)
    assert next(v for v in round_.volunteers if v.id == "V1").status == "stopped"


def test_ending_a_closed_family_again_is_refused(matched_json: Path) -> None:
    first = run("end", str(matched_json), "--family", "F2", "--reason", "aged_out")
    assert first.exit_code == 0 and "closed" in first.output
    before = matched_json.read_bytes()
    refused(
        run("end", str(matched_json), "--family", "F2", "--reason", "family_copes"),
        "'F2' is closed on",
        "(aged_out)",
    )
    assert matched_json.read_bytes() == before
