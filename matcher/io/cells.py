"""Table cells, in and out: the text of a CSV or workbook cell as the value a field needs, and a
value as the text a Dutch or English file holds.

Reading, whatever the file's language:

- yes/no fields take ``yes``/``no``, ``ja``/``nee`` (also ``j``/``n``, ``waar``/``onwaar``,
  ``true``/``false``), in any case;
- a number may have a decimal comma: ``3,5`` is 3.5;
- lists (languages, slots, age groups, themes) are separated by spaces, ``;``, ``|`` or ``,``;
- children's ages are a list of numbers, so there a comma is always a decimal comma and only
  spaces, ``;`` and ``|`` separate: ``3,5; 7`` is two children, 3.5 and 7 years old. A cell such
  as ``3,5,7`` or ``3, 5`` is refused as ambiguous rather than guessed.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum, StrEnum
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from matcher.domain.people import Child
from matcher.domain.slots import SLOT_INDEX
from matcher.domain.vocab import YES_NO_WORDS, dutch_word
from matcher.io.tabular import unprotected

_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_ITEM_SEPARATORS = re.compile(r"[\s,;|]+")
_AGE_SEPARATORS = re.compile(r"[\s;|]+")
_DUTCH_DAYS = {"mon": "ma", "tue": "di", "wed": "wo", "thu": "do", "fri": "vr", "sat": "za"}
_DUTCH_PARTS = {"morning": "ochtend", "afternoon": "middag", "evening": "avond"}


class Kind(Enum):
    """How a field's cell is read and written."""

    TEXT = "text"  # ids, postcodes, dates, names: as written
    BOOL = "bool"
    NUMBER = "number"
    WORD = "word"  # one value of a vocabulary, or a slot
    WORDS = "words"  # a list of vocabulary values, slots or language codes
    AGES = "ages"  # the children: ages (numbers) or birth dates


@dataclass(frozen=True)
class Style:
    """How a file writes its values: Dutch words (``ja``, ``vrouw``, ``di-ochtend``) or English
    ones, and a decimal comma or point."""

    dutch: bool = False
    decimal_comma: bool = False


ENGLISH = Style()


def kinds(model: type[BaseModel]) -> dict[str, Kind]:
    """The kind of every field of a model, from its type."""
    return {name: _kind(name, info.annotation) for name, info in model.model_fields.items()}


def _kind(name: str, annotation: Any) -> Kind:
    inner = _unwrapped(annotation)
    if name == "slot":
        return Kind.WORD
    if inner is bool:
        return Kind.BOOL
    if inner in (int, float):
        return Kind.NUMBER
    if isinstance(inner, type) and issubclass(inner, StrEnum):
        return Kind.WORD
    if get_origin(inner) is tuple:
        item = _unwrapped(get_args(inner)[0])
        return Kind.AGES if item is Child else Kind.WORDS
    return Kind.TEXT


def _unwrapped(annotation: Any) -> Any:
    """A type without ``Annotated`` and without ``| None``."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            return annotation


def read_cell(text: str, kind: Kind) -> object:
    """A cell's text as the value to validate (``ValueError`` for an ambiguous list of ages).
    Text the model then refuses is passed on as it is, so the error names it."""
    return _READERS[kind](unprotected(text).strip())


def _number(text: str) -> str:
    return text.replace(",", ".") if "," in text and _DECIMAL_COMMA.match(text) else text


def _words(text: str) -> list[str]:
    return [item for item in _ITEM_SEPARATORS.split(text) if item]


def _ages(text: str) -> list[str]:
    return [_age(item) for item in _AGE_SEPARATORS.split(text) if item]


def _as_written(text: str) -> str:
    return text


def _yes_no(text: str) -> object:
    return YES_NO_WORDS.get(text.lower(), text)


_READERS: dict[Kind, Callable[[str], object]] = {
    Kind.TEXT: _as_written,
    Kind.BOOL: _yes_no,
    Kind.NUMBER: _number,
    Kind.WORD: _as_written,
    Kind.WORDS: _words,
    Kind.AGES: _ages,
}


def _age(item: str) -> str:
    if "," not in item:
        return item
    if _DECIMAL_COMMA.match(item.removesuffix("y").removesuffix("j")):
        return item.replace(",", ".").removesuffix("j")
    raise ValueError(
        f"ambiguous list of ages {item!r}: a comma is a decimal comma (3,5 is 3.5); "
        "separate children with ';', '|' or spaces, e.g. '3,5; 7'"
    )


def write_cell(value: object, kind: Kind, style: Style = ENGLISH) -> str:
    """A value (as ``model_dump(mode="json")`` gives it) as cell text in the file's style."""
    if value is None:
        return ""
    if isinstance(value, bool):
        if style.dutch:
            return "ja" if value else "nee"
        return "yes" if value else "no"
    if isinstance(value, list):
        return " ".join(_item(item, style) for item in value)
    if isinstance(value, int | float):
        return _number_text(value, style)
    if kind in (Kind.WORD, Kind.WORDS) and style.dutch:
        return _dutch(str(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _item(item: object, style: Style) -> str:
    """A list element: a child as its birth date or age, a question as ``theme:priority``."""
    if isinstance(item, dict):
        if "theme" in item:
            theme, priority = str(item["theme"]), str(item["priority"])
            if style.dutch:
                return f"{dutch_word(theme)}:{dutch_word(priority)}"
            return f"{theme}:{priority}"
        if item["birth_date"]:
            return str(item["birth_date"])
        return _number_text(item["age_years"], style)
    return _dutch(str(item)) if style.dutch else str(item)


def _number_text(value: object, style: Style) -> str:
    text = str(value)
    return text.replace(".", ",") if style.decimal_comma else text


def _dutch(value: str) -> str:
    """A vocabulary value or slot in Dutch (``tue-morning`` -> ``di-ochtend``)."""
    if value in SLOT_INDEX:
        day, part = value.split("-")
        return f"{_DUTCH_DAYS.get(day, 'zo')}-{_DUTCH_PARTS[part]}"
    return dutch_word(value)
