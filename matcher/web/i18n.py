"""Languages of the web app: Dutch by default, English available. Every text a person reads
comes from the message catalogs under ``locale/`` (``.po`` files, compiled in memory when the
package is imported, so a wheel ships only the sources); numbers and dates are formatted by Babel
in the page's language."""

from __future__ import annotations

import gettext
import io
from datetime import date
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("nl", "en")
DEFAULT = "nl"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs; it is translated where it is shown."""
    return message


@cache
def translations(language: str) -> gettext.GNUTranslations:
    """The compiled catalog of ``language`` (one of ``LANGUAGES``)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def negotiate(chosen: str | None, accept_language: str | None) -> str:
    """The page's language: the user's choice, else the first of ours the browser accepts
    (``Accept-Language``, by its q-values), else Dutch."""
    if chosen in LANGUAGES:
        return str(chosen)
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, index, primary))
    return min(ranked)[2] if ranked else DEFAULT


def number(value: float, language: str, digits: int = 1) -> str:
    """``value`` with at most ``digits`` decimals as the language writes it (nl: ``2,1``)."""
    return format_decimal(round(value, digits), locale=language)


def day(value: date, language: str) -> str:
    """A date as a short day (nl: ``di 24 nov``)."""
    return format_date(value, "EEE d MMM", locale=language)


def long_day(value: date, language: str) -> str:
    """A date with its year (nl: ``24 november 2026``)."""
    return format_date(value, "d MMMM y", locale=language)
