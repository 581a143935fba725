"""Dutch postcode (PC4) centroids, shipped with the package (GeoNames, CC BY 4.0)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class PostcodeArea:
    """A four-digit postcode area and its centroid."""

    pc4: str
    place: str
    province: str
    latitude: float
    longitude: float


@cache
def postcode_areas() -> dict[str, PostcodeArea]:
    """All PC4 areas of the Netherlands, keyed by their four digits."""
    text = files("matcher.geo").joinpath("data/nl_pc4.csv").read_text(encoding="utf-8")
    return {
        row["pc4"]: PostcodeArea(
            pc4=row["pc4"],
            place=row["place"],
            province=row["province"],
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
        )
        for row in csv.DictReader(text.splitlines())
    }


def locate(postcode: str) -> PostcodeArea | None:
    """The area of a normalised postcode (``1234`` or ``1234AB``), or None when unknown."""
    return postcode_areas().get(postcode[:4])
