"""Synthetic rounds on real Dutch postcode geography (the shipped ones are in ``scenarios/``)."""
