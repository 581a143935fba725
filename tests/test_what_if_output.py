"""What the what-if writes: byte-identical charts, written atomically, and scenario text
escaped in the Markdown report."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest

from matcher.simulate import plots
from matcher.simulate.report import markdown_report
from matcher.simulate.runner import run_simulation
from matcher.simulate.what_if import Lever, Simulation
from matcher.synthetic.generate import Area

SIM = Simulation(
    area=Area(places=("Zwolle",)),
    start_date=date(2027, 1, 4),
    horizon_weeks=12,
    replications=2,
    levers=(Lever(name="wider | $x$ <i>", extra_travel_km=5),),
)


def test_charts_are_byte_identical_across_runs(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    names = plots.write_plots(run_simulation(SIM), first, "report")
    assert plots.write_plots(run_simulation(SIM), second, "report") == names
    for name in names:
        data = (first / name).read_bytes()
        assert data == (second / name).read_bytes(), name
        assert b"<dc:date>" not in data


def test_charts_are_byte_identical_in_another_process() -> None:
    script = (
        "import hashlib, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from test_what_if_output import SIM\n"
        "from matcher.simulate.plots import render_plots\n"
        "from matcher.simulate.runner import run_simulation\n"
        "for name, (_, svg) in sorted(render_plots(run_simulation(SIM), 'r').items()):\n"
        "    print(name, hashlib.sha256(svg).hexdigest())\n"
    )
    there = subprocess.run(
        [sys.executable, "-c", script, str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    here = "".join(
        f"{name} {hashlib.sha256(svg).hexdigest()}\n"
        for name, (_, svg) in sorted(plots.render_plots(run_simulation(SIM), "r").items())
    )
    assert there == here


def test_charts_are_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[Path]] = []
    real = plots.write_files_atomic

    def recording(files: Mapping[Path, str | bytes]) -> None:
        calls.append(sorted(files))
        real(files)

    monkeypatch.setattr(plots, "write_files_atomic", recording)
    names = plots.write_plots(run_simulation(SIM), tmp_path, "report")
    assert calls == [sorted(tmp_path / name for name in names)]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)


def test_scenario_text_is_escaped_in_the_report() -> None:
    text = markdown_report(run_simulation(SIM))
    assert "<i>" not in text
    header = next(line for line in text.splitlines() if line.startswith("| measure |"))
    assert header == r"| measure | baseline | wider \| \$x\$ \<i\> |"


def test_a_lever_name_that_looks_like_mathtext_is_drawn_literally() -> None:
    # Unescaped, matplotlib would parse $\frac{$ as broken mathtext and raise ValueError.
    sim = SIM.model_copy(update={"levers": (Lever(name=r"cost $\frac{$", extra_travel_km=5),)})
    charts = plots.render_plots(run_simulation(sim), "r")
    assert all(svg.startswith(b"<?xml") for _, svg in charts.values())
