"""Names in a user's tables: collections (CSV files and workbook sheets) and columns, in English
or Dutch, matched without regard to case, accents, spaces, dashes or underscores."""

from __future__ import annotations

from matcher.domain.vocab import word_key

DUTCH_COLLECTIONS = {
    "vrijwilligers": "volunteers",
    "gezinnen": "families",
    "lopende_koppelingen": "active_matches",
    "afgewezen_koppelingen": "declined_pairs",
    "uitsluitingen": "exclusions",
    "coordinatoren": "coordinators",
    "afwezigheid": "absences",
    "afwezigheden": "absences",
    "schoolvakanties": "school_holidays",
    "instellingen": "settings",
}
"""Dutch names of the CSV files (without ``.csv``) and workbook sheets; the first name of a
collection is the one used for a file the engine adds to a Dutch folder."""

DUTCH_COLUMNS = {
    "breedtegraad": "latitude",
    "lengtegraad": "longitude",
    "talen": "languages",
    "dagdelen": "slots",
    "capaciteit": "capacity",
    "max_reisafstand_km": "max_travel_km",
    "vervoer": "travel_mode",
    "leeftijdsgroepen": "age_groups",
    "themas": "themes",
    "hulpvragen": "themes",
    "geslacht": "gender",
    "rookt": "smokes",
    "huisdieren": "has_pets",
    "training_afgerond": "training_complete",
    "vog": "vog_complete",
    "spreekt_nederlands": "speaks_dutch",
    "kinderen": "children",
    "uitgerekende_datum": "due_date",
    "voorkeur_geslacht": "volunteer_gender",
    "voorkeur_geslacht_regel": "volunteer_gender_rule",
    "geen_huisdieren": "no_pets",
    "niet_roker": "non_smoker",
    "aangemeld": "registered",
    "herkoppeling": "rematch",
    "wacht_sinds": "waiting_since",
    "gepauzeerd_tot": "paused_until",
    "gestopt_op": "stopped_on",
    "afgesloten_op": "closed_on",
    "reden_afsluiting": "closed_reason",
    "leeftijdsgrens": "age_limit",
    "gezin_id": "family_id",
    "vrijwilliger_id": "volunteer_id",
    "dagdeel": "slot",
    "kennismakingen_per_week": "meetings_per_week",
    "persoon_id": "person_id",
    "begin": "start",
    "einde": "end",
    "eind": "end",
    "sleutel": "key",
    "waarde": "value",
}
"""Dutch column headers (as ``word_key`` gives them) and the field each names; the first name
of a field is the one used for a column the engine adds to a Dutch file. ``id``,
``postcode``, ``coordinator`` (``coördinator``) and ``start`` are the same in both languages."""

_DUTCH_COLUMN_OF = {field: dutch for dutch, field in reversed(DUTCH_COLUMNS.items())}
_DUTCH_COLLECTION_OF = {name: dutch for dutch, name in reversed(DUTCH_COLLECTIONS.items())}


def collection_of(name: str) -> tuple[str, bool]:
    """The collection a file stem or sheet title names, and whether it was Dutch
    (``Coördinatoren`` -> ``("coordinators", True)``); unknown names come back as their key."""
    key = word_key(name)
    if key in DUTCH_COLLECTIONS:
        return DUTCH_COLLECTIONS[key], True
    return key, False


def field_of(header: str) -> tuple[str, bool]:
    """The field a column header names, and whether it was Dutch (`` Family ID `` ->
    ``("family_id", False)``, ``Vrijwilliger-ID`` -> ``("volunteer_id", True)``)."""
    key = word_key(header)
    if key in DUTCH_COLUMNS:
        return DUTCH_COLUMNS[key], True
    return key, False


def header_for(field: str, dutch: bool) -> str:
    """The header the engine writes for a field, in Dutch or English."""
    return _DUTCH_COLUMN_OF.get(field, field) if dutch else field


def file_stem_for(collection: str, dutch: bool) -> str:
    """The file name (without ``.csv``) the engine gives a new collection file."""
    return _DUTCH_COLLECTION_OF.get(collection, collection) if dutch else collection
