import sys
from pathlib import Path

# Test helpers (builders, random rounds) and the benchmark readers are imported by name.
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
