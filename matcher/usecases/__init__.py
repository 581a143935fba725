"""The application layer: what a user can do with a round, over a store.

Every door — the command line, the HTTP service, the web pages — calls these functions and only
translates between its medium and them, so each rule lives in one place.
"""

from matcher.usecases.decisions import Ended, decide, end
from matcher.usecases.matching import Solved, solve_round, validate_round
from matcher.usecases.planning import plan
from matcher.usecases.store import RoundStore, RoundTransaction, StoreBusy

__all__ = [
    "Ended",
    "RoundStore",
    "RoundTransaction",
    "Solved",
    "StoreBusy",
    "decide",
    "end",
    "plan",
    "solve_round",
    "validate_round",
]
