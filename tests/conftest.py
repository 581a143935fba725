import os
import sys
from pathlib import Path

# The suite expects the command line's default language, English, whatever this machine's
# locale (tests of another language set their own).
os.environ["LC_ALL"] = "C.UTF-8"

# Test helpers (builders, random rounds) and the benchmark readers are imported by name.
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))


import pytest

from matcher import SolverSettings

# Fixture modules that test modules also import by name: their asserts are rewritten too.
pytest.register_assert_rewrite("chromium_site", "db_engines", "service_api", "web_client")


@pytest.fixture(params=["flow", "cpsat"])
def exact(request: pytest.FixtureRequest) -> SolverSettings:
    """Settings for each exact backend: hand-made cases must hold on every one of them."""
    return SolverSettings(backend=request.param)
