"""Stability on a re-solve: keep the previous result's proposals unless changing them matches
more families or gains more than a margin of quality.

Each candidate pair that was proposed last time gets a bonus of ``margin`` in quality points in
the exact backends' objective, and the priority multiplier grows by the same bonus per family::

    weight = M' * priority + points + bonus * kept,   M' = (1000 + bonus) * waiting + 1

so that points and bonuses together never add up to one priority point: families matched
(weighted by priority) still strictly come first, and a change that only gains quality is made
when it gains more than ``bonus`` points per previous proposal it gives up. The result reports
the round's own objective (the one ``matcher.check.evaluate`` recomputes) and a valid bound on
it derived from the solver's bound; its status is the solver's for the objective with the bonus.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from matcher.domain.slots import SLOT_NAMES
from matcher.result import Change, ChangeReason, SolveResult, Stability
from matcher.scoring.candidates import Candidates
from matcher.scoring.rules import rejections, rules_in
from matcher.scoring.scale import QUALITY_SCALE, priority_multiplier, quality_points
from matcher.solve.selection import Selection


@dataclass(frozen=True)
class StableWeights:
    """The objective weights of a re-solve, and the weight of one priority point in them."""

    weight: NDArray[np.int64]
    multiplier: int


def previous_pairs(c: Candidates, previous: SolveResult) -> NDArray[np.bool_]:
    """Which candidate pairs the previous result proposed (ids no longer in the round are
    simply absent)."""
    p = c.prepared
    families = {family.id: i for i, family in enumerate(p.families)}
    volunteers = {volunteer.id: i for i, volunteer in enumerate(p.volunteers)}
    width = max(len(p.volunteers), 1)
    keys = [
        families[x.family_id] * width + volunteers[x.volunteer_id]
        for x in previous.proposals
        if x.family_id in families and x.volunteer_id in volunteers
    ]
    found: NDArray[np.bool_] = np.isin(c.family * width + c.volunteer, np.array(keys, dtype=int))
    return found


def previous_slots(c: Candidates, previous: SolveResult, chosen: list[int]) -> dict[int, int]:
    """The previous slot of each chosen pair that the previous result proposed."""
    p = c.prepared
    slot_of = {(x.family_id, x.volunteer_id): SLOT_NAMES.index(x.slot) for x in previous.proposals}
    found = {}
    for pair in chosen:
        key = (p.families[int(c.family[pair])].id, p.volunteers[int(c.volunteer[pair])].id)
        if key in slot_of:
            found[pair] = slot_of[key]
    return found


def stable_weights(c: Candidates, previous: SolveResult, margin: float) -> StableWeights:
    """Objective weights with a bonus of ``margin`` (quality, 0..1) per previous proposal."""
    kept = previous_pairs(c, previous)
    bonus = int(quality_points(np.array([margin]))[0])
    multiplier = priority_multiplier(int(c.prepared.family_waiting.sum()), bonus)
    weight = multiplier * c.prepared.family_priority[c.family] + c.points + bonus * kept
    return StableWeights(weight.astype(np.int64), multiplier)


def round_objective(c: Candidates, weights: StableWeights, selection: Selection) -> Selection:
    """The selection with the round's own objective, and a bound on it: a solution with
    priority ``P`` has ``M' * P <= bound'``, and its quality is at most 1000 per waiting family
    (less than one priority point), so ``multiplier * (bound' // M') + min(1000 * waiting,
    bound' % M')`` bounds the round's objective."""
    top, rest = divmod(selection.bound, weights.multiplier)
    quality_cap = QUALITY_SCALE * int(c.prepared.family_waiting.sum())
    return Selection(
        status=selection.status,
        chosen=selection.chosen,
        objective=int(c.weight[selection.chosen].sum()),
        bound=c.multiplier * top + min(quality_cap, rest),
        slot_of=selection.slot_of,
    )


def stability_report(
    c: Candidates, previous: SolveResult, chosen: list[int], margin: float
) -> Stability:
    """Which previous proposals were kept, and why the others changed."""
    p = c.prepared
    families = {family.id: i for i, family in enumerate(p.families)}
    volunteers = {volunteer.id: i for i, volunteer in enumerate(p.volunteers)}
    now = {int(c.family[pair]): pair for pair in chosen}
    pairs = {
        (int(f), int(v)): i for i, (f, v) in enumerate(zip(c.family, c.volunteer, strict=True))
    }
    bonus = int(quality_points(np.array([margin]))[0])
    kept = 0
    changes: list[Change] = []
    for x in previous.proposals:
        f, v = families.get(x.family_id), volunteers.get(x.volunteer_id)
        pair = now.get(f) if f is not None else None
        new_v = None if pair is None else int(c.volunteer[pair])
        if f is not None and v is not None and new_v == v:
            kept += 1
            continue
        new_id = None if new_v is None else p.volunteers[new_v].id
        if f is None or not p.family_waiting[f]:
            reason = ChangeReason.NOT_WAITING
            message = f"{x.family_id} is no longer waiting (matched meanwhile, or left the round)"
        elif v is None:
            reason = ChangeReason.NOT_POSSIBLE
            message = f"{x.volunteer_id} is no longer in the round"
        elif (f, v) not in pairs:
            reason = ChangeReason.NOT_POSSIBLE
            message = (
                f"{x.volunteer_id} is no longer possible for {x.family_id}: {_why_not(c, f, v)}"
            )
        elif pair is not None and int(c.points[pair]) - int(c.points[pairs[f, v]]) > bonus:
            reason = ChangeReason.BETTER_FIT
            before, after = float(c.quality[pairs[f, v]]), float(c.quality[pair])
            message = (
                f"{new_id} fits {x.family_id} better by more than the margin "
                f"(quality from {before:.3f} to {after:.3f})"
            )
        else:
            reason = ChangeReason.OTHER_FAMILIES
            taken = [p.families[g].id for g, q in now.items() if int(c.volunteer[q]) == v]
            message = (
                f"keeping {x.volunteer_id} for {x.family_id} would cost other families their "
                "match, or more quality than the margin; "
                + (f"{x.volunteer_id} is now proposed to {', '.join(taken)}" if taken else "")
            ).rstrip("; ")
        changes.append(
            Change(
                family_id=x.family_id,
                previous_volunteer_id=x.volunteer_id,
                volunteer_id=new_id,
                reason=reason,
                message=message,
            )
        )
    return Stability(
        margin=margin,
        previous_proposals=len(previous.proposals),
        kept=kept,
        changed=sum(1 for change in changes if change.reason != ChangeReason.NOT_WAITING),
        changes=changes,
    )


def _why_not(c: Candidates, f: int, v: int) -> str:
    """The hard rules that now rule a volunteer out for a family, or the minimum quality."""
    [row] = rejections(c.facts, np.array([f], dtype=np.intp))
    rules = rules_in(int(row[v]))
    if rules:
        return "ruled out by " + ", ".join(str(rule) for rule in rules)
    return f"the pair's quality is below the minimum of {c.prepared.round.policy.min_quality:g}"
