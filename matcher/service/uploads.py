"""A whole round sent as a file (an .xlsx, a .json or a .zip of CSV files), read by the same
readers as the command line, with problems named by the file name the user sent."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import date
from pathlib import Path

from matcher.domain.round import Round
from matcher.io.limits import MAX_FILE_BYTES
from matcher.io.problems import InputError, InputProblem
from matcher.io.rounds import load_round


def read_upload(name: str, content: bytes, today: date) -> Round:
    """A round from an uploaded file, read by the same readers as the command line."""
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="matcher-import-") as folder:
        if suffix == ".zip":
            target = Path(folder) / "round"
            target.mkdir()
            _unzip_csv(name, content, target)
            return load_round(target, today=today)
        if suffix not in (".xlsx", ".json"):
            raise InputError(
                [InputProblem(name, None, None, "send an .xlsx, a .json or a .zip of CSV files")]
            )
        path = Path(folder) / f"round{suffix}"
        path.write_bytes(content)
        try:
            return load_round(path, today=today)
        except InputError as error:
            raise InputError([_renamed(p, str(path), name) for p in error.problems]) from None


def _unzip_csv(name: str, content: bytes, target: Path) -> None:
    """The CSV files at the top of a zip (or in one folder), bounded in size; nothing else."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise InputError([InputProblem(name, None, None, "not a zip file")]) from None
    total = 0
    with archive:
        for info in archive.infolist():
            base = Path(info.filename).name
            if info.is_dir() or not base.lower().endswith(".csv") or base.startswith("."):
                continue
            total += info.file_size
            if total > MAX_FILE_BYTES:
                raise InputError([InputProblem(name, None, None, "the CSV files are too large")])
            (target / base).write_bytes(archive.read(info))


def _renamed(problem: InputProblem, path: str, name: str) -> InputProblem:
    return InputProblem(
        problem.file.replace(path, name), problem.row, problem.field, problem.message
    )
