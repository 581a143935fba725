"""The engine's texts in one language: its catalog's messages, numbers with the language's
decimal sign, and language names.

Numbers keep the digits the English texts have always shown (``2.1``, ``8``) and only take the
language's signs (nl: ``2,1``), so English output stays byte for byte what it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from gettext import GNUTranslations
from typing import Final

from babel import Locale
from babel.dates import get_day_names
from babel.numbers import get_decimal_symbol

from matcher.domain.slots import DAYS
from matcher.domain.vocab import canonical_language, language_name
from matcher.i18n import LANGUAGES, N_, engine_texts, long_day

ENGLISH: Final = "en"


@dataclass(frozen=True)
class Wording:
    """The engine's texts in ``language`` (one of ``matcher.i18n.LANGUAGES``)."""

    language: str
    catalog: GNUTranslations
    decimal_sign: str

    def gettext(self, message: str) -> str:
        """``message`` in this language."""
        return self.catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural form of a message for ``n``, in this language."""
        return self.catalog.ngettext(singular, plural, n)

    def fixed(self, value: float, digits: int = 1) -> str:
        """``value`` with exactly ``digits`` decimals (nl: ``2,1``)."""
        return self._signs(f"{value:.{digits}f}")

    def short(self, value: float) -> str:
        """``value`` as briefly as it is exact (``8``, nl: ``7,5``)."""
        return self._signs(f"{value:g}")

    def percent(self, share: float, digits: int = 0) -> str:
        """A share (0..1) as a percentage with ``digits`` decimals (``85%``, nl: ``0,25%``)."""
        return self._signs(f"{share:.{digits}%}")

    def long_day(self, value: date) -> str:
        """A date for a title: ISO in English (``2026-11-24``), written out in other languages
        (nl: ``24 november 2026``)."""
        return value.isoformat() if self.language == ENGLISH else long_day(value, self.language)

    def slot(self, name: str) -> str:
        """A weekly half-day as this language writes it (nl: ``tue-morning`` -> ``di-ochtend``,
        which the round files accept too)."""
        if self.language == ENGLISH:
            return name
        day, part = name.split("-")
        weekday = _day_names(self.language)[DAYS.index(day)]
        return f"{weekday}-{self.gettext(PART_WORDS[part])}"

    def slots(self, names: Iterable[str], separator: str = " ") -> str:
        """Weekly half-days as this language writes them, joined by ``separator``."""
        return separator.join(self.slot(name) for name in names)

    def language_name(self, code: str) -> str:
        """The name of an ISO 639 language in this language (nl: ``ar`` -> ``Arabisch``, from
        Babel's names); the code itself when unknown."""
        if self.language == ENGLISH:
            return language_name(code)
        canonical = canonical_language(code) or code
        return _language_names(self.language).get(canonical, code)

    def joined(self, items: Iterable[str], last: str) -> str:
        """``items`` joined by ``last`` (a word such as "and", "or", in this language)."""
        return f" {last} ".join(items)

    def _signs(self, text: str) -> str:
        return text if self.decimal_sign == "." else text.replace(".", self.decimal_sign)


@cache
def wording(language: str = ENGLISH) -> Wording:
    """The engine's wording in ``language``; ``ValueError`` for a language it does not have."""
    if language not in LANGUAGES:
        raise ValueError(f"no texts in language {language!r}; choose one of {LANGUAGES}")
    # English numbers are Python's own, as they always were (and need no locale data loaded).
    sign = "." if language == ENGLISH else get_decimal_symbol(language)
    return Wording(language, engine_texts(language), sign)


PART_WORDS = {"morning": N_("morning"), "afternoon": N_("afternoon"), "evening": N_("evening")}
"""The parts of a day, as the half-days name them."""


@cache
def _day_names(language: str) -> dict[int, str]:
    return dict(get_day_names("abbreviated", locale=language))


@cache
def _language_names(language: str) -> dict[str, str]:
    return dict(Locale(language).languages)
