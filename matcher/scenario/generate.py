"""Moved to ``matcher.synthetic.generate``; this path re-exports it."""

from matcher.synthetic.generate import Area, generate_round, random_family, random_volunteer

__all__ = ["Area", "generate_round", "random_family", "random_volunteer"]
