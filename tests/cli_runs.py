"""Running the command line in tests, and what a refusal must look like."""

from __future__ import annotations

from click.testing import CliRunner, Result

from matcher.cli import main


def run(*args: str) -> Result:
    """``matcher ARGS`` through click's runner."""
    return CliRunner().invoke(main, list(args))


def refused(result: Result, *fragments: str) -> None:
    """Exit code 2, no traceback, and a message holding every fragment."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output
