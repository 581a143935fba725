"""The figures for a municipality, computed by hand from a small Zwolle location (with one
Deventer family that must not count), and the "< 5" rule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from matcher import Family, Round, Volunteer
from matcher.domain.vocab import ClosureReason
from matcher.lifecycle.decisions import Action, DecisionRecord, EndReason
from matcher.usecases.accountability import (
    Count,
    PeriodError,
    accountability,
    count,
    counts_of_a_total,
    municipalities,
    p90,
    parse_period,
    spells,
)


def _family(id_: str, postcode: str, registered: str, **fields: Any) -> Family:
    data = {
        "id": id_,
        "postcode": postcode,
        "registered": registered,
        "children": [{"age_years": 2}],
        "slots": ["mon-morning"],
    }
    return Family.model_validate(data | fields)


def _volunteer(id_: str) -> Volunteer:
    return Volunteer.model_validate(
        {
            "id": id_,
            "postcode": "8012",
            "languages": ["nl"],
            "slots": ["mon-morning"],
            "training_complete": True,
            "vog_complete": True,
        }
    )


def _accept(day: str, family: str, volunteer: str) -> DecisionRecord:
    moment = datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)
    return DecisionRecord(
        time=moment, coordinator="user:c", action=Action.ACCEPT, family_id=family,
        volunteer_id=volunteer, slot="mon-morning",
    )  # fmt: skip


def _end(entered: str, effective: str, family: str, volunteer: str, why: EndReason) -> Any:
    moment = datetime.fromisoformat(entered).replace(hour=10, tzinfo=UTC)
    return DecisionRecord(
        time=moment, coordinator="user:c", action=Action.END, family_id=family,
        volunteer_id=volunteer, reason=why, effective_date=date.fromisoformat(effective),
    )  # fmt: skip


def _closed(id_: str, registered: str, on: str, reason: str) -> Family:
    return _family(id_, "8012", registered, status="closed", closed_on=on, closed_reason=reason)


FAMILIES = [
    _family("Z1", "8011AB", "2026-05-04", languages=["ar"]),
    _closed("Z2", "2026-06-01", "2026-09-14", "family_copes"),
    _family("Z3", "8013", "2026-07-13", languages=["ar", "tr"]),
    _family("Z4", "8014", "2026-01-05", languages=["ar"], rematch=True, waiting_since="2026-07-20"),
    _family("Z5", "8015", "2026-08-10"),
    _family("Z6", "8011", "2026-03-02", languages=["ar"]),
    _family("Z7", "8011", "2026-09-21"),
    _closed("Z8", "2026-02-02", "2026-08-31", "family_stopped"),
    _family("Z9", "8011", "2025-10-06", languages=["ar", "nl"]),
    _family("D1", "7411", "2026-07-01", languages=["ar"]),
]  # fmt: skip
MATCHES = [("Z1", "V1"), ("Z3", "V3"), ("Z4", "V5"), ("Z6", "V6"), ("Z9", "V7"), ("D1", "V8")]
ROUND = Round.model_validate(
    {
        "reference_date": "2026-11-24",
        "volunteers": [_volunteer(f"V{i}") for i in range(1, 9)],
        "families": FAMILIES,
        "active_matches": [
            {"family_id": f, "volunteer_id": v, "slot": "mon-morning"} for f, v in MATCHES
        ],
        "declined_pairs": [{"family_id": "Z4", "volunteer_id": "V4"}],
    }
)
LOG = [
    _accept("2026-02-02", "Z4", "V4"),
    _accept("2026-07-06", "Z1", "V1"),
    _accept("2026-07-13", "Z6", "V6"),
    _accept("2026-07-20", "D1", "V8"),
    _end("2026-07-22", "2026-07-20", "Z4", "V4", EndReason.VOLUNTEER_CONTINUES),
    _accept("2026-08-03", "Z2", "V2"),
    _accept("2026-08-17", "Z4", "V5"),
    _accept("2026-09-07", "Z3", "V3"),
    _end("2026-09-15", "2026-09-14", "Z2", "V2", EndReason.FAMILY_COPES),
]
SUPPRESSED = Count(value=None, suppressed=True)


def _shown(value: int) -> Count:
    return Count(value=value, suppressed=False)


def test_a_quarter_of_zwolle_by_hand() -> None:
    figures = accountability(ROUND, LOG, "zwolle", parse_period("2026-Q3"))
    assert figures.municipality == "Zwolle"
    assert (figures.first_day, figures.last_day) == (date(2026, 7, 1), date(2026, 9, 30))
    # registered 1 Jul - 30 Sep: Z3 (13 Jul), Z5 (10 Aug), Z7 (21 Sep): 3, shown as "< 5"
    assert figures.families_registered == SUPPRESSED
    # a match running on a day of the quarter: Z1, Z2, Z3, Z4 (both), Z6, Z9 (from before the log)
    assert figures.families_supported == _shown(6)
    # matches begun: Z1 6 Jul, Z6 13 Jul, Z2 3 Aug, Z4 17 Aug, Z3 7 Sep (D1 is Deventer's)
    assert figures.families_matched == _shown(5)
    assert figures.matches_started == _shown(5)
    # waits in weeks: Z1 4 May-6 Jul 63 d = 9; Z6 2 Mar-13 Jul 133 d = 19; Z2 1 Jun-3 Aug = 9;
    # Z4 from its first match's end 20 Jul-17 Aug = 4; Z3 13 Jul-7 Sep 56 d = 8
    # sorted 4, 8, 9, 9, 19: median 9; p90 the ceil(0.9 * 5) = 5th value, 19
    assert (figures.wait_weeks_median, figures.wait_weeks_p90) == (9.0, 19.0)
    assert not figures.wait_suppressed
    # on 30 Sep: Z5 and Z7 wait (Z2 and Z8 are closed, the others have a running match)
    assert figures.families_waiting_at_end == SUPPRESSED
    # closed: Z2 (14 Sep, copes) and Z8 (31 Aug, stopped)
    assert figures.families_closed == SUPPRESSED
    assert [(r.reason, r.families) for r in figures.closed_by_reason] == [
        (ClosureReason.FAMILY_COPES, SUPPRESSED),
        (ClosureReason.FAMILY_STOPPED, SUPPRESSED),
    ]
    # V1 V2 V3 V4 (until 20 Jul) V5 V6 V7; new: first match in the quarter, V1 V2 V3 V5 V6
    assert figures.volunteers_active == _shown(7)
    assert figures.volunteers_new == _shown(5)
    # Arabic: Z1 Z3 Z4 Z6 Z9; Turkish: Z3; Dutch is not counted
    assert [(x.language, x.families) for x in figures.home_languages] == [
        ("ar", _shown(5)),
        ("tr", SUPPRESSED),
    ]


def test_a_year_counts_every_match_begun_in_it() -> None:
    figures = accountability(ROUND, LOG, "Zwolle", parse_period("2026"))
    # registered in 2026: all but Z9 (2025) of the eight Zwolle families
    assert figures.families_registered == _shown(8)
    # Z4 twice: its first wait 5 Jan-2 Feb = 4 weeks; waits 4, 4, 8, 9, 9, 19
    assert figures.matches_started == _shown(6)
    assert figures.families_matched == _shown(5)
    assert figures.wait_weeks_median == 8.5  # (8 + 9) / 2
    assert figures.wait_weeks_p90 == 19.0  # the ceil(0.9 * 6) = 6th value
    # V4's first match (2 Feb) lies in the year now: 6 new, V7 began before the log
    assert figures.volunteers_new == _shown(6)


def test_a_quarter_before_anything_happened_has_zeros_not_suppressions() -> None:
    figures = accountability(ROUND, LOG, "Zwolle", parse_period("2026-Q1"))
    # registered Q1: Z4 (5 Jan), Z6 (2 Mar), Z8 (2 Feb): 3
    assert figures.families_registered == SUPPRESSED
    assert figures.families_closed == _shown(0)
    # one match began (Z4, 2 Feb): too few to show its wait
    assert figures.wait_suppressed
    assert figures.wait_weeks_median is None and figures.wait_weeks_p90 is None
    assert figures.families_supported == SUPPRESSED  # Z4 and Z9


def test_small_counts_are_suppressed_and_never_carry_their_number() -> None:
    assert [count(n) for n in (0, 1, 4, 5)] == [_shown(0), SUPPRESSED, SUPPRESSED, _shown(5)]
    assert '"value":null' in count(3).model_dump_json()
    figures = accountability(ROUND, LOG, "Zwolle", parse_period("2026-Q3")).model_dump_json()
    assert '"families_registered":{"value":null,"suppressed":true}' in figures


def test_a_lone_suppressed_part_of_a_total_takes_the_smallest_other_with_it() -> None:
    # closed 9 = 2 + 7: 9 - 7 would give the 2 away, so the 7 is hidden too
    assert counts_of_a_total([2, 7]) == [SUPPRESSED, SUPPRESSED]
    # 2 + 6 + 8: the 6 goes with the 2; the 8 stays (16 - 8 tells only the two together)
    assert counts_of_a_total([2, 6, 8]) == [SUPPRESSED, SUPPRESSED, _shown(8)]
    # two suppressed already, or none: nothing more to hide
    assert counts_of_a_total([1, 3, 9]) == [SUPPRESSED, SUPPRESSED, _shown(9)]
    assert counts_of_a_total([5, 0, 6]) == [_shown(5), _shown(0), _shown(6)]


def test_periods_and_their_days() -> None:
    assert parse_period("2026-q4").last == date(2026, 12, 31)
    assert parse_period("2028-Q1").last == date(2028, 3, 31)
    assert parse_period("2026").first == date(2026, 1, 1)
    for bad in ("2026-Q5", "26-Q1", "2026Q1", "Q3", ""):
        with pytest.raises(PeriodError):
            parse_period(bad)


def test_municipalities_come_from_the_postcodes() -> None:
    assert municipalities(ROUND) == ["Deventer", "Zwolle"]


def test_a_match_of_the_round_without_a_log_line_began_before_the_log() -> None:
    found = {(s.family_id, s.volunteer_id): (s.start, s.end) for s in spells(ROUND, LOG)}
    assert found[("Z9", "V7")] == (None, None)
    assert found[("Z4", "V4")] == (date(2026, 2, 2), date(2026, 7, 20))
    assert p90([3.0, 1.0, 2.0]) == 3.0  # ceil(2.7) = the 3rd
