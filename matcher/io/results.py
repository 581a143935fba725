"""Solve results as files: proposals, unmatched families and shortlists as CSV and as one Excel
workbook; the whole result as JSON (the same JSON as ``SolveResult.model_dump_json``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matcher.io.excel import workbook_bytes
from matcher.io.tabular import csv_text
from matcher.result import Shortlist, SolveResult

if TYPE_CHECKING:
    from matcher.schedule.plan import Plan

SCORE_TERMS = ("language", "distance", "availability", "child_ages", "themes", "preferences")


def result_json(result: SolveResult) -> str:
    """The full result as indented JSON, ending in a newline."""
    return result.model_dump_json(indent=2) + "\n"


TableData = tuple[list[str], list[list[object]]]


def proposals_table(result: SolveResult) -> TableData:
    """One row per proposal with its score breakdown and reasons."""
    header = [
        "family_id",
        "volunteer_id",
        "slot",
        "other_shared_slots",
        "distance_km",
        "quality",
        *SCORE_TERMS,
        "family_priority",
        "reasons",
    ]
    rows: list[list[object]] = [
        [
            p.family_id,
            p.volunteer_id,
            p.slot,
            " ".join(p.other_shared_slots),
            p.distance_km,
            p.scores.quality,
            *(_cell(getattr(p.scores, term)) for term in SCORE_TERMS),
            p.family_priority,
            "; ".join(p.reasons),
        ]
        for p in result.proposals
    ]
    return header, rows


def unmatched_table(result: SolveResult) -> TableData:
    """One row per waiting family without a proposal, with the reason."""
    header = ["family_id", "reason", "message", "rejected_by", "competitors"]
    rows: list[list[object]] = [
        [
            u.family_id,
            u.reason,
            u.message,
            " ".join(f"{rule}={n}" for rule, n in u.rejected_by.items()),
            " ".join(c.volunteer_id for c in u.competitors),
        ]
        for u in result.unmatched
    ]
    return header, rows


def shortlists_table(shortlists: list[Shortlist]) -> TableData:
    """One row per family and alternative volunteer, best first."""
    header = [
        "family_id",
        "rank",
        "volunteer_id",
        "quality",
        "distance_km",
        "shared_slots",
        "proposed_to",
    ]
    rows: list[list[object]] = [
        [
            s.family_id,
            rank,
            a.volunteer_id,
            a.quality,
            a.distance_km,
            " ".join(a.shared_slots),
            " ".join(a.proposed_to),
        ]
        for s in shortlists
        for rank, a in enumerate(s.alternatives, start=1)
    ]
    return header, rows


def proposals_csv(result: SolveResult) -> str:
    """The proposals as CSV."""
    return csv_text(*proposals_table(result))


def unmatched_csv(result: SolveResult) -> str:
    """The unmatched families as CSV."""
    return csv_text(*unmatched_table(result))


def shortlists_csv(shortlists: list[Shortlist]) -> str:
    """The shortlists as CSV."""
    return csv_text(*shortlists_table(shortlists))


def results_xlsx(result: SolveResult) -> bytes:
    """Proposals, shortlists and unmatched families as one workbook, a sheet each."""
    return workbook_bytes(
        {
            "Proposals": proposals_table(result),
            "Shortlists": shortlists_table(result.shortlists),
            "Unmatched": unmatched_table(result),
        },
        result.reference_date,
    )


def plan_tables(plan: Plan) -> dict[str, TableData]:
    """The dated plan as tables: introductions, visit series, skipped visits, unplanned."""
    return {
        "Introductions": (
            ["family_id", "volunteer_id", "coordinator_id", "date", "part"],
            [
                [i.family_id, i.volunteer_id, i.coordinator_id or "", i.day.isoformat(), i.part]
                for i in plan.introductions
            ],
        ),
        "Visits": (
            [
                "family_id",
                "volunteer_id",
                "slot",
                "first_visit",
                "review",
                "visits_skipped",
                "visits_moved",
            ],
            [
                [
                    v.family_id,
                    v.volunteer_id,
                    v.slot,
                    v.first.isoformat(),
                    v.review.isoformat(),
                    len(v.skipped),
                    len(v.moved),
                ]
                for v in plan.visits
            ],
        ),
        "Skipped visits": (
            ["family_id", "volunteer_id", "date", "reason"],
            [
                [v.family_id, v.volunteer_id, s.day.isoformat(), s.reason]
                for v in plan.visits
                for s in v.skipped
            ],
        ),
        "Moved visits": (
            ["family_id", "volunteer_id", "date", "moved_to", "part", "reason"],
            [
                [
                    v.family_id,
                    v.volunteer_id,
                    m.day.isoformat(),
                    m.to_day.isoformat(),
                    m.to_part,
                    m.reason,
                ]
                for v in plan.visits
                for m in v.moved
            ],
        ),
        "Unplanned": (
            ["family_id", "reason"],
            [[u.family_id, u.reason] for u in plan.unplanned],
        ),
    }


def plan_xlsx(result: SolveResult, plan: Plan) -> bytes:
    """Proposals, shortlists, unmatched families and the dated plan in one workbook."""
    sheets = {
        "Proposals": proposals_table(result),
        "Shortlists": shortlists_table(result.shortlists),
        "Unmatched": unmatched_table(result),
        **plan_tables(plan),
    }
    return workbook_bytes(sheets, result.reference_date)


def _cell(value: float | None) -> str | float:
    return "" if value is None else value
