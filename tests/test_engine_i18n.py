"""The engine's languages: every message its code uses (explanations, reports, workbook
headers, CLI messages) is in both catalogs and translated to Dutch, and the language follows the
environment's locale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from matcher import i18n

ROOT = Path(__file__).resolve().parents[1]
MAPPING = ROOT / "matcher" / "babel.cfg"


def extracted(folder: Path = ROOT, mapping: Path = MAPPING) -> dict[Any, str]:
    """Every message id the engine's code uses, with where it is used."""
    with mapping.open() as source:
        method_map, options_map = parse_mapping_cfg(source, str(mapping))
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found: dict[Any, str] = {}
    for filename, line, message, _comments, _context in extract_from_dir(
        str(folder), method_map, options_map, keywords=keywords
    ):
        found.setdefault(message, f"{filename}:{line}")
    return found


def catalog(language: str) -> dict[Any, Any]:
    path = i18n.ENGINE_LOCALE / language / "LC_MESSAGES" / f"{i18n.ENGINE_DOMAIN}.po"
    with path.open("rb") as source:
        return {m.id: m.string for m in read_po(source, abort_invalid=True) if m.id}


def missing(used: dict[Any, str], language: str, translated: bool) -> list[str]:
    known = catalog(language)
    return sorted(
        f"{where}: {message!r}"
        for message, where in used.items()
        if message not in known
        or (
            translated
            and not all(known[message] if isinstance(known[message], tuple) else (known[message],))
        )
    )


def test_every_engine_message_is_in_both_catalogs_and_in_dutch() -> None:
    used = extracted()
    assert missing(used, "nl", translated=True) == []
    assert missing(used, "en", translated=False) == []
    for language in i18n.LANGUAGES:
        assert sorted(map(str, set(catalog(language)) - set(used))) == []


def test_the_web_apps_code_is_not_the_engines() -> None:
    assert not any("matcher/web/" in where for where in extracted().values())


def test_a_message_missing_from_the_engine_catalog_is_caught(tmp_path: Path) -> None:
    (tmp_path / "matcher").mkdir()
    (tmp_path / "matcher" / "new.py").write_text('LABEL = N_("A reason nobody translated")\n')
    used = extracted(tmp_path)
    assert missing(used, "nl", translated=True) == [
        "matcher/new.py:1: 'A reason nobody translated'"
    ]


def test_the_language_follows_the_locale_else_english() -> None:
    assert i18n.from_environment({"LANG": "nl_NL.UTF-8"}) == "nl"
    assert i18n.from_environment({"LC_ALL": "en_GB.UTF-8", "LANG": "nl_NL.UTF-8"}) == "en"
    assert i18n.from_environment({"LANG": "de_DE.UTF-8"}) == "en"
    assert i18n.from_environment({"LANG": "C"}) == "en"
    assert i18n.from_environment({}) == "en"
