"""The README's Python examples run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
BLOCKS = re.findall(
    r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.DOTALL
)


@pytest.mark.parametrize(
    ("index", "output_starts"),
    [(0, "optimal 0.0"), (1, "1 decision; optimal"), (2, "# What-if simulation")],
)
def test_example_runs(
    index: int,
    output_starts: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(BLOCKS[index], "README.md", "exec"), {})
    assert capsys.readouterr().out.startswith(output_starts)
