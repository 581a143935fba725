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


def test_charts_are_byte_identical_across_runs() -> None:
    first = plots.render_plots(run_simulation(SIM), "report")
    second = plots.render_plots(run_simulation(SIM), "report")
    assert first == second
    assert all(b"<dc:date>" not in svg for _, svg in first.values())


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


def test_the_report_and_its_charts_are_written_in_one_atomic_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from matcher.cli import main, simulation

    scenario = tmp_path / "what-if.toml"
    scenario.write_text(
        'area = { places = ["Zwolle"] }\nstart_date = 2027-01-04\nhorizon_weeks = 6\n'
        "replications = 1\n"
    )
    calls: list[list[str]] = []
    real = simulation.write_files_atomic

    def recording(files: Mapping[Path, str | bytes]) -> None:
        calls.append(sorted(path.name for path in files))
        real(files)

    monkeypatch.setattr(simulation, "write_files_atomic", recording)
    out = tmp_path / "out" / "report.md"
    done = CliRunner().invoke(main, ["simulate", str(scenario), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert len(calls) == 1 and "report.md" in calls[0] and len(calls[0]) == 4
    assert sorted(p.name for p in out.parent.iterdir()) == calls[0]


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
