"""Small builders for hand-made rounds: people at chosen coordinates, everything else default."""

from __future__ import annotations

from typing import Any

from matcher import Family, Round, Volunteer

HOME = (52.0, 5.0)
KM_PER_DEGREE_LAT = 111.25  # near 52 N; for placing people at a rough distance north of HOME


def _place(id_: str, km_north: float) -> dict[str, Any]:
    return {"id": id_, "latitude": HOME[0] + km_north / KM_PER_DEGREE_LAT, "longitude": HOME[1]}


def volunteer(id_: str = "V1", km_north: float = 0.0, **fields: Any) -> Volunteer:
    """A ready volunteer speaking Dutch, free on Monday morning, ``km_north`` from HOME."""
    data: dict[str, Any] = {
        **_place(id_, km_north),
        "languages": ["nl"],
        "slots": ["mon-morning"],
        "training_complete": True,
        "vog_complete": True,
    }
    return Volunteer.model_validate(data | fields)


def family(id_: str = "F1", km_north: float = 0.0, **fields: Any) -> Family:
    """A Dutch-speaking family with a toddler, free on Monday morning, registered 2026-01-05."""
    data: dict[str, Any] = {
        **_place(id_, km_north),
        "slots": ["mon-morning"],
        "children": [{"age_years": 2}],
        "registered": "2026-01-05",
    }
    return Family.model_validate(data | fields)


def round_of(volunteers: list[Volunteer], families: list[Family], **fields: Any) -> Round:
    """A round on 2026-11-24 with the given people."""
    data: dict[str, Any] = {
        "reference_date": "2026-11-24",
        "volunteers": volunteers,
        "families": families,
    }
    return Round.model_validate(data | fields)
