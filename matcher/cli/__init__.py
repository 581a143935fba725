"""The ``matcher`` command: a thin click layer over the library (see ``app`` for exit codes)."""

from matcher.cli import matching, service, simulation, workflow
from matcher.cli.app import main

__all__ = ["main", "matching", "service", "simulation", "workflow"]
