"""Use case: the coordinator picks a volunteer and a weekly half-day for a family from its
shortlist, instead of the round's proposal or for a family the round left without one.

The chosen pair is checked against the round as it is now: every hard rule of the engine (its
own rule checks, no second copy) and the conditions of any new match (the family waits, the
volunteer takes families on and has a free place, the half-day is not one the volunteer already
spends with another family).

Which broken rules a coordinator may confirm ("Toch koppelen?"): the rules about fit, which a
person can weigh after talking with the family and the volunteer: no shared language, a
distance beyond the volunteer's travel limit, a half-day that is not one both listed, and the
family's own hard wishes (the volunteer's gender, pets, smoking). Refused even when confirmed:
a pair declined before or on the exclusion list, a conflict of interest (same place), a volunteer
without training or certificate of conduct, a family outside the programme, a closed or already
matched family, a volunteer who stopped, is paused or is full, and a half-day the volunteer
already spends with another family. Those are the programme's conditions or a record of what
people said, not matters of fit; overriding them would make the stored round contradict itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import numpy as np

from matcher.domain.frozen import Frozen
from matcher.domain.prepared import PreparedRound, prepare
from matcher.domain.round import ActiveMatch
from matcher.domain.slots import slots_to_mask
from matcher.geo.distance import pairwise_km
from matcher.lifecycle.decisions import Action, DecisionError, DecisionRecord
from matcher.lifecycle.still_holds import RULE_TEXT
from matcher.scoring.rules import Rule, pair_rejections, rule_facts, rules_in
from matcher.scoring.terms import TERMS, weighted_quality
from matcher.usecases.decisions import still_valid
from matcher.usecases.store import RoundStore, RoundTransaction


class Condition(StrEnum):
    """What a new match needs besides the engine's hard rules."""

    FAMILY_CLOSED = "family_closed"
    FAMILY_MATCHED = "family_matched"
    VOLUNTEER_UNAVAILABLE = "volunteer_unavailable"
    SLOT_TAKEN = "slot_taken"


CONFIRMABLE = frozenset(
    {Rule.LANGUAGE, Rule.TRAVEL, Rule.AVAILABILITY, Rule.GENDER, Rule.PETS, Rule.SMOKING}
)
"""The broken rules a coordinator may confirm; every other one refuses the choice."""


class Broken(Frozen):
    """A rule or condition the chosen pair breaks, and whether a coordinator may confirm it."""

    rule: str
    detail: str
    may_confirm: bool


class ChosenPair(Frozen):
    """The pair as chosen: its distance and quality (0..1) by the engine's own terms."""

    family_id: str
    volunteer_id: str
    slot: str
    distance_km: float
    quality: float


@dataclass(frozen=True)
class Choice:
    """The chosen pair, what it breaks, and whether it was recorded as a match."""

    pair: ChosenPair
    broken: tuple[Broken, ...]
    recorded: bool

    @property
    def refused(self) -> tuple[Broken, ...]:
        """The broken rules no confirmation overrides."""
        return tuple(b for b in self.broken if not b.may_confirm)


class ChoiceRefused(DecisionError):
    """A choice that breaks a rule no confirmation overrides; ``choice`` says which."""

    def __init__(self, choice: Choice) -> None:
        pair = choice.pair
        super().__init__(
            f"{pair.family_id} with {pair.volunteer_id} on {pair.slot} cannot be matched: "
            + "; ".join(b.detail for b in choice.refused)
        )
        self.choice = choice


Settle = Callable[[RoundTransaction, "Choice"], None]
"""Work of the caller's own records inside the choice's transaction, before it commits."""


def check_choice(
    prepared: PreparedRound, family_id: str, volunteer_id: str, slot: str
) -> tuple[ChosenPair, tuple[Broken, ...]]:
    """The pair ``family_id`` with ``volunteer_id`` on ``slot`` and every rule or condition it
    breaks in ``prepared`` (none: it may be matched as it is). ``DecisionError`` when either
    is not in the round."""
    if family_id not in prepared.family_index:
        raise DecisionError(f"no family {family_id!r} in the round")
    if volunteer_id not in prepared.volunteer_index:
        raise DecisionError(f"no volunteer {volunteer_id!r} in the round")
    f = np.array([prepared.family_index[family_id]], dtype=np.intp)
    v = np.array([prepared.volunteer_index[volunteer_id]], dtype=np.intp)
    km = pairwise_km(
        prepared.family_lat[f],
        prepared.family_lon[f],
        prepared.volunteer_lat[v],
        prepared.volunteer_lon[v],
    )
    round_ = prepared.round
    family, volunteer = round_.families[f[0]], round_.volunteers[v[0]]
    broken: list[Broken] = []

    def add(rule: str, detail: str, may_confirm: bool = False) -> None:
        broken.append(Broken(rule=rule, detail=detail, may_confirm=may_confirm))

    if family.closed:
        add(Condition.FAMILY_CLOSED, f"family {family.id!r} is {family.closed_text()}")
    elif any(m.family_id == family.id for m in round_.active_matches):
        add(Condition.FAMILY_MATCHED, f"family {family.id!r} already has an active match")
    if not volunteer.takes_families_on(round_.reference_date):
        add(
            Condition.VOLUNTEER_UNAVAILABLE,
            f"volunteer {volunteer.id!r} is {volunteer.status_text()}",
        )
    bit = slots_to_mask([slot])
    if any(m.volunteer_id == volunteer.id and m.slot == slot for m in round_.active_matches):
        add(Condition.SLOT_TAKEN, f"the volunteer already visits a family on {slot}")
    elif not int(prepared.family_slots[f[0]]) & int(prepared.volunteer_free_slots[v[0]]) & bit:
        add(Rule.AVAILABILITY, f"{slot} is not a half-day both listed", may_confirm=True)
    mask = int(pair_rejections(rule_facts(prepared), f, v, km)[0])
    limit = float(prepared.volunteer_max_km[v[0]])
    for rule in rules_in(mask):
        if rule == Rule.AVAILABILITY:
            continue  # said above, for the chosen half-day
        detail = RULE_TEXT[rule]
        if rule == Rule.TRAVEL:
            detail += f" ({float(km[0]):.1f} km, limit {limit:g} km)"
        add(rule, detail, may_confirm=rule in CONFIRMABLE)
    terms = {name: term(prepared, f, v, km) for name, term in TERMS.items()}
    quality = float(weighted_quality(terms, round_.weights.model_dump())[0])
    pair = ChosenPair(
        family_id=family_id,
        volunteer_id=volunteer_id,
        slot=slot,
        distance_km=round(float(km[0]), 2),
        quality=round(quality, 4),
    )
    return pair, tuple(broken)


def choose(
    store: RoundStore,
    family_id: str,
    volunteer_id: str,
    slot: str,
    confirmed: bool,
    coordinator: str,
    now: datetime,
    settle: Settle | None = None,
) -> Choice:
    """Match ``family_id`` with the chosen volunteer on ``slot`` when the pair breaks no rule,
    or breaks only rules a coordinator may confirm and ``confirmed`` is set: an active match,
    written with its line in the decision log (and ``settle``'s work) in one transaction.
    Otherwise nothing is written and the choice lists what it breaks; ``DecisionError`` when it
    breaks a rule no confirmation overrides (``ChoiceRefused``: the volunteer became full
    meanwhile, say)."""
    with store.transaction() as transaction:
        round_ = transaction.round
        pair, broken = check_choice(prepare(round_), family_id, volunteer_id, slot)
        choice = Choice(pair, broken, recorded=False)
        if choice.refused:
            raise ChoiceRefused(choice)
        if broken and not confirmed:
            return choice
        match = ActiveMatch(family_id=family_id, volunteer_id=volunteer_id, slot=slot)
        updated = still_valid(
            round_.model_copy(update={"active_matches": (*round_.active_matches, match)})
        )
        choice = Choice(pair, broken, recorded=True)
        if settle is not None:
            settle(transaction, choice)
        entry = DecisionRecord(
            time=now,
            coordinator=coordinator,
            action=Action.ACCEPT,
            family_id=family_id,
            volunteer_id=volunteer_id,
            slot=slot,
        )
        transaction.commit(updated, entry)
    return choice
