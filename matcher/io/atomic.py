"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path


def write_files_atomic(files: Mapping[Path, str | bytes]) -> None:
    """Write several files all or nothing.

    Every new file is written and synced beside its target first; then each target is renamed
    into place. If anything fails, the targets already replaced get their previous content back
    (kept as hard links until the end), so an error leaves the files as they were. A rename is
    atomic, so each single file is always whole; only a power cut in the middle of the renames
    can leave some files new and some old.
    """
    temporaries: dict[Path, Path] = {}
    backups: dict[Path, Path | None] = {}
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = _beside(path, "tmp")
            temporaries[path] = temporary
            data = text.encode("utf-8") if isinstance(text, str) else text
            # Opened like any new file, so it gets the user's usual permissions (umask).
            with temporary.open("xb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
        for path, temporary in temporaries.items():
            backups[path] = _keep(path)
            os.replace(temporary, path)
    except BaseException:
        for path, backup in backups.items():
            if backup is not None:
                os.replace(backup, path)
            else:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        raise
    finally:
        for leftover in (*temporaries.values(), *(b for b in backups.values() if b)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _beside(path: Path, kind: str) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}.{kind}")


def _keep(path: Path) -> Path | None:
    """A hard link to the current file, to restore it if a later step fails."""
    if not path.exists():
        return None
    backup = _beside(path, "bak")
    os.link(path, backup)
    return backup
