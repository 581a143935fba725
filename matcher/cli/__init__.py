"""The ``matcher`` command: a thin click layer over the library (see ``app`` for exit codes)."""

from matcher.cli import matching, recommend, service, simulation, web, workflow
from matcher.cli.app import main

__all__ = ["main", "matching", "recommend", "service", "simulation", "web", "workflow"]
