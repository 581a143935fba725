"""Give every chosen match its weekly half-day."""

from __future__ import annotations

from collections import defaultdict

from matcher.domain.slots import SLOT_COUNT
from matcher.scoring.candidates import Candidates
from matcher.solve.selection import Selection


def assign_slots(
    candidates: Candidates, selection: Selection, preferred: dict[int, int] | None = None
) -> dict[int, int]:
    """Slot index per chosen pair: the backend's choice where it made one, otherwise the
    earliest shared half-days of the week that keep each volunteer's visits apart. A volunteer
    with a pair in ``preferred`` (a previous proposal kept, with its slot) has all their slots
    chosen again, the preferred ones first where they still fit."""
    preferred = preferred or {}
    by_volunteer: defaultdict[int, list[int]] = defaultdict(list)
    for pair in selection.chosen.tolist():
        by_volunteer[int(candidates.volunteer[pair])].append(pair)
    slots: dict[int, int] = {}
    for pairs in by_volunteer.values():
        again = any(pair in preferred for pair in pairs)
        fixed = {
            pair: selection.slot_of[pair]
            for pair in pairs
            if pair in selection.slot_of and not again
        }
        open_pairs = [pair for pair in pairs if pair not in fixed]
        options = [
            _first(_slot_list(int(candidates.shared_slots[pair])), preferred.get(pair))
            for pair in open_pairs
        ]
        chosen = distinct_choice(options, taken=set(fixed.values()))
        if chosen is None:
            raise ValueError("the selection gives a volunteer more visits than shared half-days")
        slots.update(fixed)
        slots.update(zip(open_pairs, chosen, strict=True))
    return slots


def distinct_choice(options: list[list[int]], taken: set[int]) -> list[int] | None:
    """One option per list, all distinct and not in ``taken``; the lexicographically earliest
    such choice, or None when there is none (backtracking: lists are at most three long)."""
    if not options:
        return []
    for option in options[0]:
        if option in taken:
            continue
        rest = distinct_choice(options[1:], taken | {option})
        if rest is not None:
            return [option, *rest]
    return None


def _slot_list(mask: int) -> list[int]:
    return [s for s in range(SLOT_COUNT) if mask >> s & 1]


def _first(options: list[int], slot: int | None) -> list[int]:
    """``options`` with ``slot`` moved to the front when it is one of them."""
    return [slot, *(o for o in options if o != slot)] if slot in options else options
