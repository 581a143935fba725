"""Weekly half-days (dagdelen): 7 days x morning/afternoon/evening = 21 slots.

A slot is written canonically as ``mon-morning``; input may also use Dutch (``di-ochtend``,
``dinsdag-middag``) or full English day names (``tuesday-evening``). Inside the engine a set of
slots is an integer bitmask: bit ``i`` is slot ``i`` in week order (Monday morning first).
"""

from __future__ import annotations

from functools import cache
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARTS = ("morning", "afternoon", "evening")
SLOT_NAMES: tuple[str, ...] = tuple(f"{d}-{p}" for d in DAYS for p in PARTS)
SLOT_COUNT = len(SLOT_NAMES)

_DAY_ALIASES = {
    "mon": ("mon", "monday", "ma", "maandag"),
    "tue": ("tue", "tuesday", "di", "dinsdag"),
    "wed": ("wed", "wednesday", "wo", "woensdag"),
    "thu": ("thu", "thursday", "do", "donderdag"),
    "fri": ("fri", "friday", "vr", "vrijdag"),
    "sat": ("sat", "saturday", "za", "zaterdag"),
    "sun": ("sun", "sunday", "zo", "zondag"),
}
_PART_ALIASES = {
    "morning": ("morning", "ochtend", "am"),
    "afternoon": ("afternoon", "middag", "pm"),
    "evening": ("evening", "avond"),
}
_LOOKUP: dict[str, str] = {
    f"{day_alias}-{part_alias}": f"{day}-{part}"
    for day, day_aliases in _DAY_ALIASES.items()
    for day_alias in day_aliases
    for part, part_aliases in _PART_ALIASES.items()
    for part_alias in part_aliases
}
SLOT_INDEX: dict[str, int] = {name: i for i, name in enumerate(SLOT_NAMES)}


def parse_slot(text: str) -> str:
    """Return the canonical name of a slot written in English or Dutch, or raise ValueError."""
    key = text.strip().lower().replace("_", "-").replace(" ", "-")
    try:
        return _LOOKUP[key]
    except KeyError:
        raise ValueError(
            f"unknown slot {text!r}: use day-part such as 'tue-morning' or 'di-ochtend'"
        ) from None


def _parse_slot_value(value: object) -> object:
    return parse_slot(value) if isinstance(value, str) else value


def _parse_slot_list(value: object) -> object:
    if isinstance(value, str):
        value = [part for part in value.replace(",", " ").replace(";", " ").split() if part]
    if isinstance(value, list | tuple | set | frozenset):
        if not all(isinstance(v, str) for v in value):
            return value  # pydantic names the item that is not a slot
        canonical = {_parse_slot_value(v) for v in value}
        return sorted(canonical, key=lambda s: SLOT_INDEX.get(str(s), SLOT_COUNT))
    return value


Slot = Annotated[str, BeforeValidator(_parse_slot_value)]
"""A weekly half-day, validated into its canonical English name."""

SlotList = Annotated[
    tuple[Slot, ...],
    BeforeValidator(_parse_slot_list),
    PlainSerializer(list, return_type=list[str]),
]
"""A set of slots in week order; a string is split on spaces, commas or semicolons."""


def slots_to_mask(slots: tuple[str, ...] | list[str]) -> int:
    """Bitmask of canonical slot names."""
    mask = 0
    for slot in slots:
        mask |= 1 << SLOT_INDEX[slot]
    return mask


def mask_to_slots(mask: int) -> list[str]:
    """Canonical slot names in a bitmask, in week order."""
    return list(_slot_names(mask))


@cache
def _slot_names(mask: int) -> tuple[str, ...]:
    return tuple(name for i, name in enumerate(SLOT_NAMES) if mask >> i & 1)
