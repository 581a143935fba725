"""The exact backend: the whole round as one min-cost flow (OR-Tools ``SimpleMinCostFlow``).

Network: source -> family (capacity 1) -> volunteer -> sink (capacity = free places), plus a
family -> sink bypass for "no proposal". A volunteer with one free place takes a family straight
from any shared half-day. A volunteer with two or three free places gets a node per free half-day
(capacity 1 each), and each family reaches it only through the half-days they share: so every
integral flow is a set of matches with distinct weekly slots, and every such set is a flow.
Min-cost flow has integral optima, so the flow optimum is the round's optimum: proven, no gap.
Arc costs are the negated objective weights (priority first, then quality; see ``scale``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow

from matcher.domain.slots import SLOT_COUNT
from matcher.result import SolveStatus
from matcher.scoring.candidates import Candidates
from matcher.solve.selection import Selection

IntArray = NDArray[np.int64]
Index = NDArray[np.intp]


@dataclass(frozen=True)
class FlowMatching:
    """The pairs a maximum-weight matching chose, with the slot index of multi-place pairs."""

    optimal: bool
    chosen: Index  # sorted pair indices
    objective: int
    slot_of: dict[int, int]


def solve_flow(candidates: Candidates, weight: IntArray | None = None) -> Selection:
    """Solve the round exactly as a min-cost flow; ``weight`` is the objective coefficient of
    each pair (default: the candidates' own)."""
    c = candidates
    p = c.prepared
    matching = max_weight_matching(
        family=c.family,
        volunteer=c.volunteer,
        weight=c.weight if weight is None else weight,
        places=p.volunteer_free_capacity,
        shared_slots=c.shared_slots,
    )
    if not matching.optimal:
        return Selection(SolveStatus.INVALID, np.zeros(0, dtype=np.intp), 0, 0)
    return Selection(
        status=SolveStatus.OPTIMAL,
        chosen=matching.chosen,
        objective=matching.objective,
        bound=matching.objective,
        slot_of=matching.slot_of,
    )


def max_weight_matching(
    family: Index,
    volunteer: Index,
    weight: IntArray,
    places: IntArray,
    shared_slots: IntArray | None = None,
) -> FlowMatching:
    """Maximum-weight set of pairs: each family at most once, each volunteer ``v`` at most
    ``places[v]`` times, and (when ``shared_slots`` bitmasks are given) the pairs of a volunteer
    with two or more places on distinct shared slots. Weights must be positive integers."""
    if len(family) == 0:
        return FlowMatching(True, np.zeros(0, dtype=np.intp), 0, {})
    flow = min_cost_flow.SimpleMinCostFlow()
    network = _add_network(flow, family, volunteer, weight, places, shared_slots)
    if flow.solve() != flow.OPTIMAL:
        return FlowMatching(False, np.zeros(0, dtype=np.intp), 0, {})
    pair_arcs = np.arange(len(network.single) + len(network.multi_pairs), dtype=np.int32)
    return _matching(network, flow.flows(pair_arcs), int(-flow.optimal_cost()))


@dataclass(frozen=True)
class _Network:
    """Which pair each arc carries: the first ``len(single)`` arcs one pair each, the next
    ``len(multi_pairs)`` one pair on one half-day (``slots``) each."""

    single: Index
    multi_pairs: Index
    slots: Index


def _add_network(
    flow: min_cost_flow.SimpleMinCostFlow,
    family: Index,
    volunteer: Index,
    weight: IntArray,
    places: IntArray,
    shared_slots: IntArray | None,
) -> _Network:
    """Add the round's arcs and supplies to ``flow``. Nodes: source, families, volunteers,
    sink, then a node per (volunteer, half-day) in use. The arc arrays are filled in place, in
    the solver's own types (32-bit nodes), and let go once the solver holds them."""
    n_f, n_v = int(family.max()) + 1, len(places)
    source, sink = 0, 1 + n_f + n_v
    if shared_slots is None:
        shared_slots = np.zeros(len(family), dtype=np.int64)
        multi = np.zeros(len(family), dtype=bool)
    else:
        multi = places[volunteer] >= 2

    # Pairs at one-place volunteers: family -> volunteer.
    single = np.flatnonzero(~multi)
    # Pairs at multi-place volunteers: family -> (volunteer, half-day), one arc per shared slot.
    rows, slots = np.nonzero(_slot_bits(shared_slots[multi]))
    multi_pairs = np.flatnonzero(multi)[rows]
    del rows, multi
    slot_node = sink + 1 + volunteer[multi_pairs] * SLOT_COUNT + slots
    used_slot_nodes, first = np.unique(slot_node, return_index=True)
    families = np.unique(family)
    volunteers = np.unique(volunteer)

    sizes = [len(single), len(multi_pairs), len(used_slot_nodes), len(families)]
    sizes += [len(families), len(volunteers)]
    ends = np.cumsum(sizes)
    parts = [slice(int(start), int(end)) for start, end in zip(ends - sizes, ends, strict=True)]
    tails = np.empty(int(ends[-1]), dtype=np.int32)
    heads = np.empty(int(ends[-1]), dtype=np.int32)
    tails[parts[0]], heads[parts[0]] = 1 + family[single], 1 + n_f + volunteer[single]
    tails[parts[1]], heads[parts[1]] = 1 + family[multi_pairs], slot_node
    del slot_node
    tails[parts[2]] = used_slot_nodes
    heads[parts[2]] = 1 + n_f + volunteer[multi_pairs[first]]
    tails[parts[3]], heads[parts[3]] = source, 1 + families
    tails[parts[4]], heads[parts[4]] = 1 + families, sink
    tails[parts[5]], heads[parts[5]] = 1 + n_f + volunteers, sink
    capacities = np.ones(int(ends[-1]), dtype=np.int64)
    capacities[parts[5]] = places[volunteers]
    costs = np.zeros(int(ends[-1]), dtype=np.int64)
    np.negative(weight[single], out=costs[parts[0]])
    np.negative(weight[multi_pairs], out=costs[parts[1]])
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    supply = len(families)
    flow.set_nodes_supplies(
        np.array([source, sink], dtype=np.int32), np.array([supply, -supply], dtype=np.int64)
    )
    return _Network(single, multi_pairs, slots)


def _slot_bits(masks: IntArray) -> NDArray[np.bool_]:
    """``[pair, slot]``: whether each pair shares that half-day (one byte a cell, not eight)."""
    bits = np.empty((masks.size, SLOT_COUNT), dtype=bool)
    for slot in range(SLOT_COUNT):
        np.not_equal(masks & (1 << slot), 0, out=bits[:, slot])
    return bits


def _matching(network: _Network, flows: IntArray, objective: int) -> FlowMatching:
    """The pairs whose arcs carry flow, with the half-day of each multi-place pair."""
    single, multi_pairs = network.single, network.multi_pairs
    chosen_single = single[flows[: len(single)] > 0]
    multi_flow = flows[len(single) : len(single) + len(multi_pairs)] > 0
    chosen_multi = multi_pairs[multi_flow]
    return FlowMatching(
        optimal=True,
        chosen=np.sort(np.concatenate([chosen_single, chosen_multi])).astype(np.intp),
        objective=objective,
        slot_of=dict(zip(chosen_multi.tolist(), network.slots[multi_flow].tolist(), strict=True)),
    )
