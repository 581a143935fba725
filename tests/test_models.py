"""Input models: what they accept, what they refuse, and their JSON Schema."""

from __future__ import annotations

from datetime import date

import pytest
from builders import family, round_of, volunteer
from pydantic import ValidationError

from matcher import Round, RoundError, SolveResult, prepare


def test_lists_may_be_written_as_one_string() -> None:
    v = volunteer(languages="nl ar", slots="ma-ochtend, di-middag", themes="divorce;feeding")
    assert v.languages == ("nl", "ar")
    assert v.slots == ("mon-morning", "tue-afternoon")
    f = family(children="2021-03-04; 1.5", themes="crying_sleep:high feeding")
    assert [c.birth_date is not None for c in f.children] == [True, False]
    assert [(t.theme, t.priority) for t in f.themes] == [
        ("crying_sleep", "high"),
        ("feeding", "medium"),
    ]


def test_postcodes_are_normalised() -> None:
    assert volunteer(postcode="3511 ab", latitude=None, longitude=None).postcode == "3511AB"
    assert volunteer(postcode="3511").postcode == "3511"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"capacity": 0}, "greater than or equal to 1"),
        ({"capacity": -1}, "greater than or equal to 1"),
        ({"capacity": 4}, "less than or equal to 3"),
        ({"slots": ["mon-night"]}, "unknown slot"),
        ({"languages": ["arabic"]}, "unknown language code"),
        ({"postcode": "123"}, "invalid Dutch postcode"),
        ({"id": "has space"}, "should match pattern"),
        ({"name": "Anna"}, "Extra inputs are not permitted"),
        ({"latitude": 52.0, "longitude": None}, "both latitude and longitude"),
    ],
)
def test_bad_volunteer_fields_are_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        volunteer(**fields)


def test_a_family_needs_children_or_a_due_date() -> None:
    with pytest.raises(ValidationError, match="children or a due_date"):
        family(children=[])


def test_prepare_lists_every_cross_reference_problem() -> None:
    round_ = round_of(
        [
            volunteer("V1"),
            volunteer("V1"),
            volunteer("V2", postcode="1000", latitude=None, longitude=None),
        ],
        [family("F1"), family("F2"), family("F3")],
        active_matches=[
            {"family_id": "F1", "volunteer_id": "V9", "slot": "mon-morning"},
            {"family_id": "F2", "volunteer_id": "V1", "slot": "mon-morning"},
            {"family_id": "F3", "volunteer_id": "V1", "slot": "mon-morning"},
        ],
        declined_pairs=[{"family_id": "F7", "volunteer_id": "V1"}],
    )
    with pytest.raises(RoundError) as error:
        prepare(round_)
    locations = [p.location for p in error.value.problems]
    assert locations == [
        ("volunteers", 1, "id"),
        ("volunteers", 2, "postcode"),
        ("active_matches", 0, "volunteer_id"),
        ("active_matches", 2, "slot"),
        ("declined_pairs", 0, "family_id"),
    ]


def test_volunteer_over_capacity_through_active_matches() -> None:
    round_ = round_of(
        [volunteer(slots=["mon-morning", "tue-morning"])],
        [family("F1"), family("F2", slots=["tue-morning"])],
        active_matches=[
            {"family_id": "F1", "volunteer_id": "V1", "slot": "mon-morning"},
            {"family_id": "F2", "volunteer_id": "V1", "slot": "tue-morning"},
        ],
    )
    with pytest.raises(RoundError, match="over capacity"):
        prepare(round_)


def test_an_empty_round_is_refused() -> None:
    with pytest.raises(RoundError, match="empty"):
        prepare(Round(reference_date=date(2026, 11, 24)))


def test_json_schemas_describe_round_and_result() -> None:
    round_schema = Round.model_json_schema()
    assert {"volunteers", "families", "active_matches", "policy"} <= set(round_schema["properties"])
    result_schema = SolveResult.model_json_schema(mode="serialization")
    assert "runtime_s" not in result_schema["properties"]
    assert {"report", "proposals", "unmatched", "shortlists"} <= set(result_schema["properties"])


def test_round_json_round_trips() -> None:
    round_ = round_of([volunteer(capacity=2)], [family(due_date="2027-01-01")])
    assert Round.model_validate_json(round_.model_dump_json()) == round_


def test_a_copy_is_validated_like_new_input() -> None:
    v = volunteer("V1")
    assert v.model_copy(update={"capacity": 2}).capacity == 2
    with pytest.raises(ValidationError, match="capacity"):
        v.model_copy(update={"capacity": 9})
    with pytest.raises(ValidationError, match="languages"):
        v.model_copy(update={"languages": ("xx-not-a-language",)})


def test_the_travel_limit_is_the_volunteers_own_capped_by_the_policy() -> None:
    from matcher import Policy

    by_bike = volunteer("V1", travel_mode="bike")
    own = volunteer("V2", max_travel_km=12.0)
    assert by_bike.travel_limit_km == 8.0  # the bike's default
    assert own.travel_limit_km == 12.0
    assert Policy(max_distance_km=10).travel_limit_km(own) == 10.0
    assert Policy().travel_limit_km(own) == 12.0
