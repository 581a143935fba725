"""Moved to ``matcher.engine`` (the pipeline is not a backend); this path re-exports it."""

from matcher.engine import solve, solve_prepared

__all__ = ["solve", "solve_prepared"]
