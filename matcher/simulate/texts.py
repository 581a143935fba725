"""The what-if report's words, numbers and dates in the reader's language (Dutch or English).

Words come from the engine's catalog (``matcher.i18n``); English keeps the report's own
formats (``0.50``, ``76%``, ``2027-01-04``) so its output stays as it was, and Dutch writes
numbers and dates as a Dutch reader expects (``0,50``, ``76%``, ``ma 4 jan. 2027``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel import Locale
from babel.numbers import format_decimal

from matcher.domain.vocab import canonical_language, language_name
from matcher.i18n import LANGUAGES, day, engine_texts
from matcher.simulate.what_if import BASELINE_NAME

ENGLISH = "en"


@dataclass(frozen=True)
class Texts:
    """Translation and formatting for one language (one of ``matcher.i18n.LANGUAGES``)."""

    language: str = ENGLISH

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(f"unknown language {self.language!r}")

    def gettext(self, message: str) -> str:
        """``message`` (a catalog id) in this language."""
        return engine_texts(self.language).gettext(message)

    def variant(self, name: str) -> str:
        """A variant as the reader sees it: the baseline in their language, a lever by its name."""
        return self.gettext("baseline") if name == BASELINE_NAME else name

    def number(self, value: float, digits: int = 2) -> str:
        """``value`` with exactly ``digits`` decimals (nl: ``0,50``)."""
        if self.language == ENGLISH:
            return f"{value:.{digits}f}"
        pattern = "0." + "0" * digits if digits else "0"
        return format_decimal(value, format=pattern, locale=self.language)

    def signed(self, value: float, digits: int = 2) -> str:
        """``value`` with its sign, always (``+0.50``, nl: ``+0,50``)."""
        return ("+" if value >= 0 else "-") + self.number(abs(value), digits)

    def share(self, value: float, digits: int = 0, sign: bool = False) -> str:
        """A share as a percentage (``76%``; with ``sign``: ``+1.2%``, nl: ``+1,2%``)."""
        if self.language == ENGLISH:
            return f"{value:+.{digits}%}" if sign else f"{value:.{digits}%}"
        percent = value * 100
        return (self.signed(percent, digits) if sign else self.number(percent, digits)) + "%"

    def date(self, value: date) -> str:
        """A date with its year (``2027-01-04``, nl: ``ma 4 jan. 2027``)."""
        if self.language == ENGLISH:
            return str(value)
        return f"{day(value, self.language)} {value.year}"

    def language_name(self, code: str) -> str:
        """The name of a home language (ISO 639 code), in this language."""
        if self.language == ENGLISH:
            return language_name(code)
        canonical = canonical_language(code) or code
        name = Locale(self.language).languages.get(canonical)
        return name if name is not None else code
