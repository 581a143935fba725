"""The report's summary speaks the coordinator's language: families matched, how good the
proposals are, why others wait and whether the choice is proven best. The solver's objective
and bound are kept to a folded "technical details" part."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from matcher import prepare, solve_prepared
from matcher.domain.prepared import PreparedRound
from matcher.io.rounds import load_round
from matcher.report.html import round_report
from matcher.result import SolveResult, SolveStatus, UnmatchedReason

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def solved() -> tuple[PreparedRound, SolveResult]:
    prepared = prepare(load_round(ROOT / "scenarios" / "location"))
    return prepared, solve_prepared(prepared)


def _summary_and_details(page: str) -> tuple[str, str]:
    summary = re.search(r"</h1>\s*(<table.*?</table>)", page, re.S)
    details = re.search(r"<details><summary>Technical details</summary>(.*?)</details>", page, re.S)
    assert summary is not None and details is not None
    return summary.group(1), details.group(1)


def _cell(table: str, label: str) -> str:
    found = re.search(rf"<td>{label}</td><td>(.*?)</td>", table)
    assert found is not None, label
    return found.group(1)


def test_the_summary_gives_families_quality_reasons_and_status_in_words(
    solved: tuple[PreparedRound, SolveResult],
) -> None:
    prepared, result = solved
    r = result.report
    summary, details = _summary_and_details(round_report(prepared, result))
    matched = _cell(summary, "Families matched")
    assert matched.startswith(f"{r.families_matched} of {r.families_waiting} waiting")
    # 20 of 30 in this scenario: 20 / 30 = 66.7 %, shown as 67%.
    assert (r.families_matched, r.families_waiting) == (20, 30) and "(67%)" in matched
    average = sum(p.scores.quality for p in result.proposals) / len(result.proposals)
    assert f"average {average:.2f}" in _cell(summary, "Proposal quality")
    spread = _cell(summary, "Spread of quality")
    q = r.proposal_quality
    assert q is not None
    assert f"half below {q.median:.2f}" in spread and f"lowest {q.minimum:.2f}" in spread
    reasons = _cell(summary, "Why families wait")
    outcompeted = sum(u.reason == UnmatchedReason.OUTCOMPETED for u in result.unmatched)
    assert f"{outcompeted} families: every volunteer who could help" in reasons
    assert _cell(summary, "Result").startswith("proven optimal")
    for internal in ("Objective", "bound", str(r.objective), r.backend, "gap"):
        assert internal not in summary
    assert f"{r.objective} / {r.bound}" in _cell(details, "Objective / proven bound")


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (SolveStatus.FEASIBLE, "not proven optimal"),
        (SolveStatus.TIME_LIMIT_NO_SOLUTION, "the time limit came before any solution"),
        (SolveStatus.INFEASIBLE, "no possible set of proposals"),
        (SolveStatus.INVALID, "refused the round as invalid"),
    ],
)
def test_every_status_is_said_in_words(
    solved: tuple[PreparedRound, SolveResult], status: SolveStatus, words: str
) -> None:
    prepared, result = solved
    report = result.report.model_copy(update={"status": status})
    page = round_report(prepared, result.model_copy(update={"report": report}))
    summary, _ = _summary_and_details(page)
    assert words in _cell(summary, "Result")
