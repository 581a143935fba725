"""What a backend hands back: the chosen candidate pairs, with status, objective and bound."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from matcher.result import SolveStatus


@dataclass(frozen=True)
class Selection:
    """Chosen candidate indices (sorted) and, where the backend fixed one, their slot index."""

    status: SolveStatus
    chosen: NDArray[np.intp]
    objective: int
    bound: int
    slot_of: dict[int, int] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """Relative distance between the proven bound and the objective."""
        return (self.bound - self.objective) / max(1, abs(self.objective))
