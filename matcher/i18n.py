"""Languages: Dutch and English. Every text a person reads comes from a message catalog (``.po``
files, compiled in memory on first use, so a wheel ships only the sources); numbers and dates are
formatted by Babel in the reader's language.

The engine (explanations, reports, workbooks, the CLI) has its catalog under ``matcher/locale``
(domain ``matcher``); the web app has its own under ``matcher/web/locale``.
"""

from __future__ import annotations

import gettext
import io
import locale
import os
from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = ("nl", "en")
ENGINE_LOCALE = Path(__file__).parent / "locale"
ENGINE_DOMAIN = "matcher"


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs; it is translated where it is shown."""
    return message


@cache
def catalog(directory: Path, domain: str, language: str) -> gettext.GNUTranslations:
    """The compiled catalog ``domain`` of ``language`` (one of ``LANGUAGES``) in ``directory``."""
    path = directory / language / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as source:
        messages = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, messages)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def engine_texts(language: str) -> gettext.GNUTranslations:
    """The engine's catalog in ``language``."""
    return catalog(ENGINE_LOCALE, ENGINE_DOMAIN, language)


def known(code: str | None) -> Language | None:
    """``code`` as one of ``LANGUAGES``, or None when it is none of them."""
    return next((language for language in LANGUAGES if language == code), None)


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language the environment's locale names (``LC_ALL``, ``LC_MESSAGES``, ``LANG``),
    when it is one of ours; else English."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            primary = locale.normalize(value).split("_")[0].split(".")[0].lower()
            return primary if primary in LANGUAGES else "en"
    return "en"


def number(value: float, language: str, digits: int = 1) -> str:
    """``value`` with at most ``digits`` decimals as the language writes it (nl: ``2,1``)."""
    return format_decimal(round(value, digits), locale=language)


def day(value: date, language: str) -> str:
    """A date as a short day (nl: ``di 24 nov``)."""
    return format_date(value, "EEE d MMM", locale=language)


def long_day(value: date, language: str) -> str:
    """A date with its year (nl: ``24 november 2026``)."""
    return format_date(value, "d MMMM y", locale=language)
