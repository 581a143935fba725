"""Explanations: reasons per proposal, reasons per unmatched family, shortlists."""

from __future__ import annotations

from builders import family, round_of, volunteer

from matcher import SolverSettings, solve


def test_proposal_reasons_name_the_shared_language_distance_and_experience(
    exact: SolverSettings,
) -> None:
    round_ = round_of(
        [
            volunteer(
                languages=["nl", "ar"],
                km_north=2.1,
                themes=["multiples"],
                slots=["mon-morning", "tue-morning", "wed-morning"],
            )
        ],
        [
            family(
                languages=["ar"],
                speaks_dutch=False,
                themes=["multiples:high"],
                slots=["mon-morning", "tue-morning", "wed-morning"],
            )
        ],
    )
    proposal = solve(round_, exact).proposals[0]
    assert proposal.reasons[0] == "both speak Arabic"
    assert proposal.reasons[1].startswith("2.1 km apart")
    assert "3 shared half-days" in proposal.reasons
    assert "volunteer has experience with twins and multiples" in proposal.reasons
    assert proposal.slot == "mon-morning"
    assert proposal.other_shared_slots == ["tue-morning", "wed-morning"]
    assert proposal.scores.themes == 1.0


def test_no_eligible_volunteer_counts_each_rule_and_names_near_misses(
    exact: SolverSettings,
) -> None:
    round_ = round_of(
        [
            volunteer("V1", languages=["nl", "ar"], km_north=12),  # speaks Arabic, too far
            volunteer("V2", languages=["nl", "ar"], km_north=14),  # speaks Arabic, too far
            volunteer("V3"),  # near, but no Arabic
        ],
        [family(languages=["ar"], speaks_dutch=False)],
    )
    unmatched = solve(round_, exact).unmatched[0]
    assert unmatched.reason == "no_eligible_volunteer"
    assert unmatched.rejected_by == {"language": 1, "travel": 2}
    assert "Volunteers who speak Arabic: 2, the nearest 12.0 km away." in unmatched.message
    assert "V1 fails only travel (12.0 km, limit 8 km)" in unmatched.message


def test_family_outside_the_age_limit_is_not_eligible(exact: SolverSettings) -> None:
    round_ = round_of([volunteer()], [family(children=[{"age_years": 7.5}])])
    unmatched = solve(round_, exact).unmatched[0]
    assert unmatched.reason == "not_eligible"
    assert "7.5 years" in unmatched.message and "limit of 6" in unmatched.message


def test_outcompeted_family_names_the_volunteer_and_who_got_them(exact: SolverSettings) -> None:
    round_ = round_of([volunteer()], [family("F1"), family("F2", rematch=True)])
    unmatched = solve(round_, exact).unmatched[0]
    assert unmatched.family_id == "F1"
    assert unmatched.reason == "outcompeted"
    assert [(c.volunteer_id, c.proposed_to) for c in unmatched.competitors] == [("V1", ["F2"])]
    assert "V1 is proposed to F2" in unmatched.message


def test_shortlist_is_best_first_and_marks_proposed_volunteers(exact: SolverSettings) -> None:
    round_ = round_of(
        [volunteer("V1", km_north=1), volunteer("V2", km_north=5), volunteer("V3", km_north=3)],
        [family()],
    )
    result = solve(round_, exact.model_copy(update={"shortlist_size": 2}))
    shortlist = result.shortlists[0]
    assert [a.volunteer_id for a in shortlist.alternatives] == ["V1", "V3"]
    assert shortlist.alternatives[0].proposed_to == ["F1"]
    assert shortlist.alternatives[1].proposed_to == []
    assert shortlist.alternatives[0].quality >= shortlist.alternatives[1].quality
