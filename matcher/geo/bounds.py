"""Whether coordinates can be a home in the Netherlands: inside the country's bounding box, and
near the centroid of the postcode given with them."""

from __future__ import annotations

from matcher.geo.distance import geodesic_km
from matcher.geo.postcodes import locate

LATITUDE_RANGE = (50.70, 53.70)
"""South Limburg to the Wadden islands, with a margin."""
LONGITUDE_RANGE = (3.30, 7.25)
"""Zeelandic Flanders to the German border, with a margin."""
MAX_KM_FROM_POSTCODE = 15.0
"""How far a home may lie from its four-digit postcode area's centroid: the largest rural
areas span about 20 km, so 15 km passes every real home and catches a wrong postcode or point."""


def in_netherlands(latitude: float, longitude: float) -> bool:
    """Whether a point lies inside the Netherlands' bounding box."""
    south, north = LATITUDE_RANGE
    west, east = LONGITUDE_RANGE
    return south <= latitude <= north and west <= longitude <= east


def coordinate_problem(latitude: float, longitude: float, postcode: str | None) -> str | None:
    """Why a home's coordinates cannot be right, or None when they can."""
    if not in_netherlands(latitude, longitude):
        if in_netherlands(longitude, latitude):
            return (
                f"latitude {latitude:g} and longitude {longitude:g} look swapped "
                "(latitude is about 51-53 in the Netherlands, longitude about 3-7)"
            )
        return f"latitude {latitude:g}, longitude {longitude:g} lies outside the Netherlands"
    area = locate(postcode) if postcode else None
    if area is not None:
        km = geodesic_km(latitude, longitude, area.latitude, area.longitude)
        if km > MAX_KM_FROM_POSTCODE:
            return (
                f"latitude and longitude lie {km:.0f} km from postcode area {area.pc4} "
                f"(at most {MAX_KM_FROM_POSTCODE:g} km): one of them is wrong"
            )
    return None
