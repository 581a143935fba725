"""Moved to ``matcher.simulate.what_if`` (the what-if model); this path re-exports it."""

from matcher.simulate.what_if import Cohort, Lever, Simulation, load_simulation

__all__ = ["Cohort", "Lever", "Simulation", "load_simulation"]
