"""JSON documents read from a user's file or stdin, with bounded size and nesting; every
problem is an ``InputError`` naming the file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, NoReturn, TextIO

from matcher.io.limits import MAX_FILE_BYTES, MAX_JSON_DEPTH
from matcher.io.problems import InputError, InputProblem


def read_text(path: Path, display: str) -> str:
    """A UTF-8 text file (a byte order mark is dropped), refused when missing, unreadable or
    larger than ``MAX_FILE_BYTES``."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            _refuse(display, f"too large ({size:,} bytes; at most {MAX_FILE_BYTES:,})")
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        _refuse(display, "no such file or folder")
    except IsADirectoryError:
        _refuse(display, "is a folder, not a file")
    except OSError as error:
        _refuse(display, f"cannot be read ({error.strerror or type(error).__name__})")
    if len(data) > MAX_FILE_BYTES:
        _refuse(display, f"too large (more than {MAX_FILE_BYTES:,} bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        _refuse(display, f"not UTF-8 text (byte {error.start}: {error.reason})")


def read_stream(stream: TextIO, display: str) -> str:
    """Text from a stream such as stdin, at most ``MAX_FILE_BYTES`` characters."""
    try:
        text = stream.read(MAX_FILE_BYTES + 1)
    except UnicodeDecodeError as error:
        _refuse(display, f"not UTF-8 text ({error.reason})")
    if len(text) > MAX_FILE_BYTES:
        _refuse(display, f"too large (more than {MAX_FILE_BYTES:,} characters)")
    return text


def parse_json(text: str, display: str) -> Any:
    """Parse JSON text: syntax errors name the line and column; ``NaN``, ``Infinity``, numbers
    with thousands of digits and nesting deeper than ``MAX_JSON_DEPTH`` are refused."""
    depth = nesting_depth(text)
    if depth > MAX_JSON_DEPTH:
        _refuse(display, f"nested too deeply (more than {MAX_JSON_DEPTH} levels)")
    try:
        return json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        raise InputError(
            [
                InputProblem(
                    display,
                    error.lineno,
                    None,
                    f"invalid JSON at column {error.colno}: {error.msg}",
                )
            ]
        ) from None
    except ValueError as error:
        if "integer string conversion" in str(error):
            _refuse(display, "invalid JSON: a number has too many digits")
        _refuse(display, f"invalid JSON: {_short(error)}")
    except RecursionError:
        _refuse(display, f"nested too deeply (more than {MAX_JSON_DEPTH} levels)")


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` outside strings, counted without recursion."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are all different: a repeated key would silently drop a value."""
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise ValueError(f"the key {key[:40]!r} appears twice in one object")
        document[key] = value
    return document


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number JSON allows")


def _short(error: BaseException) -> str:
    text = str(error)
    return text if len(text) <= 120 else text[:117] + "..."


def _refuse(display: str, message: str) -> NoReturn:
    raise InputError([InputProblem(display, None, None, message)])
