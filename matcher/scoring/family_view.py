"""One family against a prepared round's volunteers, without the rest of the round's families.

``family_view`` builds a ``PreparedRound`` whose only family (index 0) is the one asked about —
a family of the round, or a record a case system posts that the round does not hold — and whose
volunteers are the round's as they stand: active matches already taken out of their free
half-days and places. The family's own arrays come from ``prepare`` itself, run on a round of
that family alone, so the rule checks, the quality terms and the reasons run on the view
unchanged and see exactly what they see in a full round.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from matcher.domain.people import Family
from matcher.domain.prepared import BoolMatrix, PreparedRound, prepare
from matcher.domain.round import ActiveMatch, Pair, Round
from matcher.domain.slots import SLOT_INDEX
from matcher.errors import Problem, RoundError


@dataclass(frozen=True)
class FamilyView:
    """A round seen with one family only, and what the round says about that family."""

    prepared: PreparedRound  # the family at index 0, every volunteer of the round
    in_round: bool  # the family's id is one of the round's families
    active_match: ActiveMatch | None  # the family's running match in the round, if any
    waiting_families: int  # the round's waiting families, this one included


def family_view(prepared: PreparedRound, family: Family | str) -> FamilyView:
    """The round with ``family`` alone: an id of the round's families, or a posted record
    (whose id, when the round knows it, brings that family's active match, declined pairs and
    exclusions along). ``RoundError`` for an unknown id or a record the round cannot use."""
    round_ = prepared.round
    if isinstance(family, str):
        index = prepared.family_index.get(family)
        if index is None:
            raise RoundError([Problem(("family",), f"no family with id {family!r} in this round")])
        family = round_.families[index]
    index = prepared.family_index.get(family.id)
    own = _prepare_family(round_, family)
    active = (
        None
        if index is None or prepared.family_waiting[index]
        else next(m for m in round_.active_matches if m.family_id == family.id)
    )
    declined = _pairs_of(round_.declined_pairs, family.id, index)
    excluded = _pairs_of(round_.exclusions, family.id, index)
    v_index = prepared.volunteer_index
    languages = tuple(sorted(set(prepared.languages) | set(own.languages)))
    view = dataclasses.replace(
        prepared,
        round=Round.model_construct(
            **{
                **dict(round_),
                "families": (family,),
                "active_matches": () if active is None else (active,),
                "declined_pairs": declined,
                "exclusions": excluded,
            }
        ),
        family_index={family.id: 0},
        family_lat=own.family_lat,
        family_lon=own.family_lon,
        family_pc6=own.family_pc6,
        family_slots=own.family_slots,
        languages=languages,
        volunteer_languages=_in_vocabulary(
            prepared.volunteer_languages, prepared.languages, languages
        ),
        family_languages=_in_vocabulary(own.family_languages, own.languages, languages),
        family_home_languages=_in_vocabulary(own.family_home_languages, own.languages, languages),
        family_age_groups=own.family_age_groups,
        family_theme_weights=own.family_theme_weights,
        family_stages=own.family_stages,
        family_waiting=np.array([active is None]),
        family_weeks_waiting=own.family_weeks_waiting,
        family_priority=own.family_priority,
        forbidden=frozenset((0, v_index[p.volunteer_id]) for p in (*declined, *excluded)),
        locked=()
        if active is None
        else ((0, v_index[active.volunteer_id], SLOT_INDEX[active.slot]),),
    )
    waiting = int(prepared.family_waiting.sum()) + (index is None)
    return FamilyView(view, index is not None, active, waiting)


def _pairs_of(pairs: tuple[Pair, ...], family_id: str, index: int | None) -> tuple[Pair, ...]:
    """The pairs naming the family (none for a family the round does not hold)."""
    return () if index is None else tuple(p for p in pairs if p.family_id == family_id)


def _prepare_family(round_: Round, family: Family) -> PreparedRound:
    """``prepare`` on a round of this family alone (the round's date, settings and
    coordinators), with its problems placed under ``family``."""
    alone = Round.model_construct(
        reference_date=round_.reference_date,
        families=(family,),
        coordinators=round_.coordinators,
        weights=round_.weights,
        policy=round_.policy,
        solver=round_.solver,
    )
    try:
        return prepare(alone)
    except RoundError as error:
        raise RoundError(
            [Problem(("family", *p.location[2:]), p.message) for p in error.problems]
        ) from None


def _in_vocabulary(
    matrix: BoolMatrix, vocabulary: tuple[str, ...], target: tuple[str, ...]
) -> BoolMatrix:
    """A ``[person, language]`` matrix over ``vocabulary`` re-indexed to ``target`` (a superset)."""
    if vocabulary == target:
        return matrix
    wider = np.zeros((matrix.shape[0], len(target)), dtype=bool)
    wider[:, [target.index(code) for code in vocabulary]] = matrix
    return wider
