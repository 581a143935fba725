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
    network = _network(family, volunteer, weight, places, shared_slots)
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        network.tails, network.heads, network.capacities, network.costs
    )
    flow.set_nodes_supplies(
        np.array([network.source, network.sink]), np.array([network.supply, -network.supply])
    )
    if flow.solve() != flow.OPTIMAL:
        return FlowMatching(False, np.zeros(0, dtype=np.intp), 0, {})
    return _matching(network, flow.flows(arcs), int(-flow.optimal_cost()))


@dataclass(frozen=True)
class _Network:
    """The arcs of the flow network; the first ``len(single)`` arcs carry one pair each, the
    next ``len(multi_pairs)`` one pair on one half-day (``slots``) each."""

    tails: IntArray
    heads: IntArray
    capacities: IntArray
    costs: IntArray
    source: int
    sink: int
    supply: int
    single: Index
    multi_pairs: Index
    slots: Index


def _network(
    family: Index,
    volunteer: Index,
    weight: IntArray,
    places: IntArray,
    shared_slots: IntArray | None,
) -> _Network:
    """Nodes: source, families, volunteers, sink, then a node per (volunteer, half-day) in use."""
    n_f, n_v = int(family.max()) + 1, len(places)
    source, sink = 0, 1 + n_f + n_v
    family_node = 1 + family
    volunteer_node = 1 + n_f + volunteer
    if shared_slots is None:
        multi = np.zeros(len(family), dtype=bool)
        shared_slots = np.zeros(len(family), dtype=np.int64)
    else:
        multi = places[volunteer] >= 2

    # Pairs at one-place volunteers: family -> volunteer.
    single = np.flatnonzero(~multi)
    # Pairs at multi-place volunteers: family -> (volunteer, half-day), one arc per shared slot.
    pair_bits = (shared_slots[multi, None] >> np.arange(SLOT_COUNT)) & 1
    rows, slots = np.nonzero(pair_bits)
    multi_pairs = np.flatnonzero(multi)[rows]
    slot_node = sink + 1 + volunteer[multi_pairs] * SLOT_COUNT + slots
    used_slot_nodes, first = np.unique(slot_node, return_index=True)

    families = np.unique(family)
    volunteers = np.unique(volunteer)
    tails = np.concatenate(
        [
            family_node[single],
            family_node[multi_pairs],
            used_slot_nodes,
            np.full(len(families), source),
            1 + families,
            1 + n_f + volunteers,
        ]
    )
    heads = np.concatenate(
        [
            volunteer_node[single],
            slot_node,
            volunteer_node[multi_pairs[first]],
            1 + families,
            np.full(len(families), sink),
            np.full(len(volunteers), sink),
        ]
    )
    capacities = np.concatenate(
        [
            np.ones(len(single) + len(multi_pairs) + len(used_slot_nodes) + 2 * len(families)),
            places[volunteers],
        ]
    ).astype(np.int64)
    costs = np.concatenate(
        [
            -weight[single],
            -weight[multi_pairs],
            np.zeros(len(used_slot_nodes) + 2 * len(families) + len(volunteers)),
        ]
    ).astype(np.int64)
    return _Network(
        tails, heads, capacities, costs, source, sink, len(families), single, multi_pairs, slots
    )


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
