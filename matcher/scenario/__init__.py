"""Moved to ``matcher.synthetic`` (synthetic rounds; ``scenarios/`` holds the shipped data)."""
