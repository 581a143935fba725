import pytest

from matcher.domain.slots import (
    SLOT_COUNT,
    SLOT_NAMES,
    mask_to_slots,
    parse_slot,
    slots_to_mask,
)


def test_there_are_21_half_days_monday_morning_first() -> None:
    assert SLOT_COUNT == 21
    assert SLOT_NAMES[0] == "mon-morning"
    assert SLOT_NAMES[-1] == "sun-evening"


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("tue-morning", "tue-morning"),
        ("di-ochtend", "tue-morning"),
        ("Dinsdag Middag", "tue-afternoon"),
        ("zo-avond", "sun-evening"),
        ("friday_evening", "fri-evening"),
        ("WO-MIDDAG", "wed-afternoon"),
    ],
)
def test_english_and_dutch_names_become_canonical(text: str, canonical: str) -> None:
    assert parse_slot(text) == canonical


@pytest.mark.parametrize("text", ["tue", "mon-night", "maandag", "", "x-ochtend"])
def test_unknown_slot_names_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="unknown slot"):
        parse_slot(text)


def test_masks_round_trip_in_week_order() -> None:
    slots = ["wed-evening", "mon-morning", "sun-afternoon"]
    mask = slots_to_mask(slots)
    assert mask_to_slots(mask) == ["mon-morning", "wed-evening", "sun-afternoon"]
