"""Languages of the web app: Dutch by default, English available. Its texts come from its own
message catalogs under ``locale/``; numbers and dates are formatted as the engine's are
(``matcher.i18n``)."""

from __future__ import annotations

import gettext
from pathlib import Path

from matcher.i18n import LANGUAGES, N_, Language, catalog, day, known, long_day, number

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT: Language = "nl"
DOMAIN = "messages"
__all__ = [
    "DEFAULT",
    "LANGUAGES",
    "N_",
    "Language",
    "day",
    "long_day",
    "negotiate",
    "number",
    "translations",
]


def translations(language: str) -> gettext.GNUTranslations:
    """The web app's compiled catalog of ``language`` (one of ``LANGUAGES``)."""
    return catalog(LOCALE_DIR, DOMAIN, language)


def negotiate(chosen: str | None, accept_language: str | None) -> Language:
    """The page's language: the user's choice, else the first of ours the browser accepts
    (``Accept-Language``, by its q-values), else Dutch."""
    choice = known(chosen)
    if choice is not None:
        return choice
    ranked: list[tuple[float, int, Language]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = known(tag.strip().lower().split("-")[0])
        if primary is not None and quality > 0:
            ranked.append((-quality, index, primary))
    return min(ranked)[2] if ranked else DEFAULT
