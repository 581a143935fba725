"""A seeded fuzz of every input path through the whole command line.

Each case mutates a shipped scenario (truncation, byte flips, type swaps, huge numbers, deep
nesting, broken workbooks, edited results, odd options), runs one ``matcher`` command on it
through click's runner, and checks the promise of the CLI: exit code 0 (or 3, no solution) or
2, never a traceback, nothing written on an error, and on exit 2 a message naming the file.

Cases run in worker processes with a memory limit; a case that takes longer than the per-case
timeout is a hang (its worker is replaced). Case ``i`` of seed ``s`` is the same on every run.

    python -m benchmarks.run --only fuzz                       # 10,000 cases
    python -m benchmarks.fuzz --cases 500 --seed 7 --show 5    # quick look, failures printed
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import shutil
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from multiprocessing import Pipe, Process
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
KINDS = ("json", "csv", "xlsx", "result", "options")
WEIGHTS = (35, 25, 20, 12, 8)
TIMEOUT_S = 30.0
MEMORY_LIMIT = 3 * 1024**3
OK_EXITS = {0, 2, 3}


# --- values and mutations ------------------------------------------------------------------


PLAUSIBLE: list[Any] = [
    "tue-evening",
    ["sat-morning", "sun-evening"],
    "di-ochtend wo-middag",
    "ar",
    ["tr", "nl"],
    "tzm",
    1,
    2,
    3,
    0.5,
    12.5,
    52.37,
    4.89,
    53.2,
    6.56,
    "2026-06-01",
    "2025-12-31",
    "2026-11-24",
    "2020-02-29",
    True,
    False,
    "hard",
    "soft",
    "female",
    "car",
    "walk",
    "1012",
    "9999",
    "1011 AB",
    "0-1",
    "pregnancy",
    "crying_sleep:high",
    "F0001",
    "V0001",
]
"""Values that are valid somewhere, so that mutated rounds also get through to the solver."""


def _hostile_value(rng: random.Random) -> Any:
    """A value of the wrong type, size or sign for a field of any type, or a plausible one."""
    if rng.random() < 0.4:
        return rng.choice(PLAUSIBLE)
    choices: list[Any] = [
        None,
        [],
        {},
        [[]],
        [None],
        [{"a": 1}],
        "",
        " ",
        0,
        -1,
        2**31,
        2**63,
        10**30,
        1e308,
        -1e308,
        1.5,
        True,
        "x" * rng.choice([65, 1000, 100_000]),
        '=HYPERLINK("http://example.com","x")',
        "<script>alert(1)</script>",
        "1900-01-01",
        "1979-12-31",
        "2108-01-01",
        "9999-12-31",
        "0001-01-01",
        "mon-morning",
        "jan@example.nl",
        "0612345678",
        "111222333",
        "\u0000",
        "\ud7ff\ufffe",
        "nl ar tr",
        "1234 AB",
        "yes",
        _deep(rng.choice([10, 40, 500])),
    ]
    return rng.choice(choices)


def _deep(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


def _mutate_tree(document: Any, rng: random.Random, edits: int) -> Any:
    """Replace, delete or duplicate random nodes of a JSON document."""
    for _ in range(edits):
        path: list[Any] = []
        node = document
        while isinstance(node, dict | list) and node and rng.random() < 0.8:
            key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
            path.append(key)
            node = node[key]
        if not path:
            continue
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        action = rng.random()
        if action < 0.7:
            parent[last] = _hostile_value(rng)
        elif action < 0.85:
            del parent[last]
        elif isinstance(parent, list):
            parent.extend([parent[last]] * rng.choice([1, 2, 50]))
        else:
            parent[last + "_x" if isinstance(last, str) else last] = parent[last]
    return document


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """Truncate, flip, insert or delete bytes."""
    action = rng.randrange(6)
    if not data:
        return bytes([rng.randrange(256)])
    at = rng.randrange(len(data))
    if action == 0:
        return data[:at]
    if action == 1:
        flipped = bytearray(data)
        for _ in range(rng.choice([1, 3, 20])):
            flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        return bytes(flipped)
    if action == 2:
        noise = rng.choice([b"\xff\xfe", b'"', b",", b";", b"\n", b"\x00", b"[" * 5000, b"\r"])
        return data[:at] + noise + data[at:]
    if action == 3:
        return data[:at] + data[at + rng.randrange(1, 200) :]
    if action == 4:
        return data[:at] + rng.randbytes(rng.randrange(1, 50)) + data[at:]
    return data * rng.choice([2, 3])


# --- seeds -----------------------------------------------------------------------------------


@dataclass
class Seeds:
    """The shipped scenarios as bytes, built once per worker."""

    folder: dict[str, bytes]
    town: str
    xlsx: bytes
    result: str
    family_ids: list[str]
    extra: dict[str, Any] = field(default_factory=dict)


def _seeds() -> Seeds:
    from click.testing import CliRunner

    from matcher.cli import main

    folder = {p.name: p.read_bytes() for p in sorted((SCENARIOS / "location").glob("*.csv"))}
    work = Path(tempfile.mkdtemp(prefix="fuzz-seed-"))
    try:
        out = work / "out"
        CliRunner().invoke(main, ["solve", str(SCENARIOS / "location"), "--out", str(out)])
        result = (out / "result.json").read_text()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    families = [p["family_id"] for p in json.loads(result)["proposals"]]
    return Seeds(
        folder=folder,
        town=(SCENARIOS / "town.json").read_text(),
        xlsx=_workbook(folder),
        result=result,
        family_ids=families,
    )


def _workbook(folder: dict[str, bytes]) -> bytes:
    import csv

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, data in folder.items():
        sheet = workbook.create_sheet(name.removesuffix(".csv"))
        for row in csv.reader(io.StringIO(data.decode())):
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- cases -----------------------------------------------------------------------------------


@dataclass
class Case:
    """One command on one mutated input in a private folder."""

    kind: str
    args: list[str]
    file: str  # the name a refusal must mention
    written: Path | None  # must not exist after an error
    unchanged: dict[Path, bytes]  # files that must keep their bytes after an error


def _case(kind: str, rng: random.Random, seeds: Seeds, work: Path) -> Case:
    return {
        "json": _json_case,
        "csv": _csv_case,
        "xlsx": _xlsx_case,
        "result": _result_case,
        "options": _options_case,
    }[kind](rng, seeds, work)


def _round_command(rng: random.Random, path: Path, work: Path) -> tuple[list[str], Path | None]:
    if rng.random() < 0.3:
        out = work / "out"
        return ["solve", str(path), "--out", str(out)], out
    return ["validate", str(path)], None


def _smaller(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The round cut to a few dozen people, with the pairs that still name them."""
    document["volunteers"] = document["volunteers"][: rng.randrange(1, 40)]
    document["families"] = document["families"][: rng.randrange(1, 40)]
    volunteers = {v["id"] for v in document["volunteers"]}
    families = {f["id"] for f in document["families"]}
    for pairs in ("active_matches", "declined_pairs", "exclusions"):
        document[pairs] = [
            p
            for p in document.get(pairs, [])
            if p["volunteer_id"] in volunteers and p["family_id"] in families
        ]
    return document


def _json_case(rng: random.Random, seeds: Seeds, work: Path) -> Case:
    text = seeds.town
    if rng.random() < 0.6:
        document = _smaller(json.loads(text), rng)
        _mutate_tree(document, rng, rng.choice([1, 1, 2, 5]))
        data = json.dumps(document).encode()
    else:
        data = _mutate_bytes(text.encode(), rng)
    path = work / "round.json"
    path.write_bytes(data)
    args, out = _round_command(rng, path, work)
    return Case("json", args, "round.json", out, {})


def _csv_case(rng: random.Random, seeds: Seeds, work: Path) -> Case:
    folder = work / "round"
    folder.mkdir()
    for name, data in seeds.folder.items():
        (folder / name).write_bytes(data)
    target = folder / rng.choice([*seeds.folder, "settings.csv", "declined_pairs.csv"])
    data = target.read_bytes() if target.exists() else b"key,value\n"
    if rng.random() < 0.5:
        lines = data.decode().splitlines()
        at = rng.randrange(len(lines))
        cells = lines[at].split(",")
        cells[rng.randrange(len(cells))] = json.dumps(_hostile_value(rng))[:2000]
        lines[at] = ",".join(cells)
        if rng.random() < 0.2:
            lines.append(rng.choice(["weights,3", "weights.distance,inf", "solver.seed,1e99"]))
        data = ("\n".join(lines) + "\n").encode()
    else:
        data = _mutate_bytes(data, rng)
    target.write_bytes(data)
    args, out = _round_command(rng, folder, work)
    return Case("csv", args, "round/", out, {})  # errors may name the file that refers


def _xlsx_case(rng: random.Random, seeds: Seeds, work: Path) -> Case:
    path = work / "round.xlsx"
    mutate = _mutate_bytes if rng.random() < 0.3 else _mutate_parts
    path.write_bytes(mutate(seeds.xlsx, rng))
    args, out = _round_command(rng, path, work)
    return Case("xlsx", args, "round.xlsx", out, {})


def _mutate_parts(xlsx: bytes, rng: random.Random) -> bytes:
    """Rewrite one part of the workbook: its XML mutated, dropped, or made huge."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source:
        names = source.namelist()
        victim = rng.choice(names)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for name in names:
                data = source.read(name)
                if name == victim:
                    action = rng.randrange(5)
                    if action == 0:
                        continue
                    if action == 1:
                        data = _mutate_bytes(data, rng)
                    elif action == 2:
                        data = _xml_edit(data.decode(), rng).encode()
                    elif action == 3:
                        data = data + b" " * rng.choice([10, 100_000_000])
                    else:
                        data = b""
                target.writestr(name, data)
    return out.getvalue()


def _xml_edit(text: str, rng: random.Random) -> str:
    edits = [
        ('<dimension ref="', '<dimension ref="A1:XFD1048576" x="'),
        ('<dimension ref="', '<dimension ref="A1:B2" x="'),
        ('r="A2"', 'r="A1048576"'),
        ('r="A2"', 'r="XFD2"'),
        ('<row r="2"', '<row r="999999999"'),
        ('t="s"', 't="e"'),
        ('t="s"', 't="d"'),
        ('t="s"', 't="n"'),
        ("<v>", "<f>1+1</f><v>"),
        ("<v>", "<v>99999999"),
        ("<v>", "<v>-"),
        ("sheetData>", "sheetData><row><c><f>NOW()</f></c></row><x"),
        ("<sheet ", '<sheet name="volunteers" sheetId="99" r:id="rId99"/><sheet '),
    ]
    old, new = rng.choice(edits)
    return text.replace(old, new, rng.choice([1, 100]))


def _result_case(rng: random.Random, seeds: Seeds, work: Path) -> Case:
    folder = work / "round"
    folder.mkdir()
    for name, data in seeds.folder.items():
        (folder / name).write_bytes(data)
    result = work / "result.json"
    if rng.random() < 0.7:
        document = json.loads(seeds.result)
        _mutate_tree(document, rng, rng.choice([1, 1, 3]))
        result.write_text(json.dumps(document))
    else:
        result.write_bytes(_mutate_bytes(seeds.result.encode(), rng))
    unchanged = {p: p.read_bytes() for p in folder.iterdir()}
    family = rng.choice([*seeds.family_ids, "F9999", "=1+1"])
    if rng.random() < 0.5:
        out = work / "plan"
        args = ["plan", str(folder), "--result", str(result), "--out", str(out)]
        return Case("result", args, "result.json", out, unchanged)
    verdict = rng.choice(["--accept", "--decline"])
    args = ["decide", str(folder), "--result", str(result), "--family", family, verdict]
    return Case("result", args, "result.json", None, unchanged)


def _options_case(rng: random.Random, seeds: Seeds, work: Path) -> Case:
    folder = work / "round"
    folder.mkdir()
    for name, data in seeds.folder.items():
        (folder / name).write_bytes(data)
    result = work / "result.json"
    result.write_text(seeds.result)
    unchanged = {p: p.read_bytes() for p in folder.iterdir()}
    odd = rng.choice(
        ["-1", "0", "2147483648", "9" * 30, "1e400", "nan", "inf", "", "x", "0001-01-01",
         "9999-12-31", "1979-12-31", "2108-01-01", "2026-02-30", "=1+1", "F0001"]
    )  # fmt: skip
    family = rng.choice([*seeds.family_ids, odd])
    out = work / "out"
    commands = [
        ["solve", str(folder), "--out", str(out), "--seed", odd],
        ["solve", str(folder), "--out", str(out), "--time-limit", odd, "--backend", "cpsat"],
        ["solve", str(folder), "--out", str(out), "--workers", odd],
        ["shortlist", str(folder), "--family", family, "-k", odd],
        ["explain", str(folder), "--family", family],
        ["plan", str(folder), "--result", str(result), "--out", str(out), "--start", odd],
        ["plan", str(folder), "--result", str(result), "--out", str(out), "--weeks", odd],
        ["plan", str(folder), "--result", str(result), "--out", str(out), "--review-weeks", odd],
        ["end", str(folder), "--family", family, "--reason", "family_stops", "--date", odd],
        ["decide", str(folder), "--result", str(result), "--family", family, "--accept"],
        ["scenario", "generate", str(out), "--place", "Zwolle", "--volunteers", odd],
        ["scenario", "generate", str(out), "--place", odd, "--reference-date", odd],
    ]
    args = rng.choice(commands)
    written = out if args[0] in ("solve", "plan", "scenario") else None
    return Case("options", args, "", written, unchanged)


# --- running ---------------------------------------------------------------------------------


def run_case(seed: int, index: int, seeds: Seeds) -> dict[str, Any]:
    """Build case ``index`` of ``seed``, run it, and say what happened."""
    from click.testing import CliRunner

    from matcher.cli import main

    rng = random.Random(seed * 1_000_003 + index)
    kind = rng.choices(KINDS, WEIGHTS)[0]
    work = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        case = _case(kind, rng, seeds, work)
        outcome = CliRunner().invoke(main, case.args)
        exit_code = outcome.exit_code
        problem = None
        if outcome.exception is not None and not isinstance(outcome.exception, SystemExit):
            assert outcome.exc_info is not None
            frame = traceback.extract_tb(outcome.exc_info[2])[-1]
            where = f"{Path(frame.filename).name}:{frame.lineno}"
            problem = f"traceback {type(outcome.exception).__name__} at {where}: " + str(
                outcome.exception
            )[:160].replace("\n", " ")
        elif "Traceback" in outcome.output:
            problem = "traceback printed"
        elif exit_code not in OK_EXITS:
            problem = f"exit code {exit_code}"
        elif exit_code != 0:
            if case.written is not None and case.written.exists():
                problem = f"wrote {case.written.name} on exit {exit_code}"
            elif any(p.read_bytes() != data for p, data in case.unchanged.items()):
                problem = f"changed the round on exit {exit_code}"
            elif exit_code == 2 and not _names_the_input(outcome.output, case):
                problem = f"message does not name {case.file}: {outcome.output[:160]!r}"
        return {
            "kind": kind,
            "exit": exit_code,
            "problem": problem,
            "command": " ".join(case.args[:1]),
            "memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _names_the_input(output: str, case: Case) -> bool:
    """Whether a refusal says what was wrong: the file, or for a decision the family."""
    if not case.file or case.file in output:
        return True
    return case.args[0] in ("decide", "end") and "family" in output


def _worker(connection: Connection, seed: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    seeds = _seeds()
    connection.send("ready")
    while True:
        index = connection.recv()
        if index is None:
            return
        try:
            connection.send(run_case(seed, index, seeds))
        except MemoryError:
            connection.send({"kind": "?", "exit": None, "problem": "MemoryError", "memory_mb": 0})
        except Exception as error:  # a fault of this harness, reported rather than fatal
            problem = f"harness {type(error).__name__}: {error}"[:200]
            connection.send({"kind": "?", "exit": None, "problem": problem, "memory_mb": 0})


@dataclass
class _Slot:
    process: Process
    connection: Connection
    index: int | None = None
    started: float = 0.0


def _start(seed: int) -> _Slot:
    parent, child = Pipe()
    process = Process(target=_worker, args=(child, seed), daemon=True)
    process.start()
    if not parent.poll(120):
        raise RuntimeError("a fuzz worker did not start")
    parent.recv()
    return _Slot(process, parent)


def fuzz(
    cases: int, seed: int = 1, workers: int = 2, timeout_s: float = TIMEOUT_S
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run ``cases`` seeded cases; return one row of counts per input kind and a summary."""
    slots = [_start(seed) for _ in range(workers)]
    pending = list(range(cases))
    pending.reverse()
    outcomes: list[dict[str, Any]] = []
    hangs: list[int] = []
    began = time.perf_counter()
    while pending or any(s.index is not None for s in slots):
        for slot in slots:
            if slot.index is None and pending:
                slot.index = pending.pop()
                slot.started = time.perf_counter()
                slot.connection.send(slot.index)
        ready = wait([s.connection for s in slots if s.index is not None], timeout=0.5)
        for slot in slots:
            if slot.index is None:
                continue
            if slot.connection in ready:
                try:
                    outcome = slot.connection.recv()
                except EOFError:  # the worker died (e.g. out of memory)
                    outcome = {"kind": "?", "exit": None, "problem": "worker died"}
                    slots[slots.index(slot)] = _replace(slot, seed)
                outcome["index"] = slot.index
                outcomes.append(outcome)
                slot.index = None
            elif time.perf_counter() - slot.started > timeout_s:
                hangs.append(slot.index)
                outcomes.append({"kind": "?", "exit": None, "problem": "hang", "index": slot.index})
                slots[slots.index(slot)] = _replace(slot, seed)
    for slot in slots:
        slot.connection.send(None)
        slot.process.join(5)
    return _rows(outcomes), {
        "cases": cases,
        "seed": seed,
        "seconds": time.perf_counter() - began,
        "failures": [o for o in outcomes if o.get("problem")],
        "hangs": hangs,
    }


def _replace(slot: _Slot, seed: int) -> _Slot:
    slot.process.kill()
    slot.process.join()
    return _start(seed)


def _rows(outcomes: list[dict[str, Any]]) -> list[dict[str, object]]:
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for outcome in outcomes:
        by_kind[outcome["kind"]].append(outcome)
    rows: list[dict[str, object]] = []
    for kind in (*KINDS, "?"):
        group = by_kind.get(kind, [])
        if not group:
            continue
        exits = Counter(o["exit"] for o in group)
        problems = Counter(
            (o.get("problem") or "").split(" ")[0] for o in group if o.get("problem")
        )
        rows.append(
            {
                "input": kind,
                "runs": len(group),
                "exit 0": exits.get(0, 0),
                "exit 2": exits.get(2, 0),
                "exit 3": exits.get(3, 0),
                "other exits": sum(n for e, n in exits.items() if e not in (0, 2, 3)),
                "tracebacks": problems.get("traceback", 0),
                "hangs": problems.get("hang", 0),
                "other failures": sum(
                    n for p, n in problems.items() if p not in ("traceback", "hang")
                ),
                "memory peak MB": round(max((o.get("memory_mb", 0) for o in group), default=0)),
            }
        )
    return rows


def section_notes(summary: dict[str, Any]) -> list[str]:
    """What the benchmark report says under the table."""
    notes = [
        f"{summary['cases']:,} cases from seed {summary['seed']} in {summary['seconds']:.0f} s; "
        f"per-case timeout {TIMEOUT_S:g} s, memory limit {MEMORY_LIMIT // 1024**3} GiB per worker. "
        f"Reproduce: `python -m benchmarks.fuzz --cases {summary['cases']} "
        f"--seed {summary['seed']}`."
    ]
    notes += [f"- case {f['index']}: {f['problem']}" for f in summary["failures"][:20]]
    return notes


def main() -> None:
    parser = argparse.ArgumentParser(description="Fuzz every input path of the CLI.")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S, help="seconds per case")
    parser.add_argument("--show", type=int, default=20, help="failures to print")
    args = parser.parse_args()
    rows, summary = fuzz(args.cases, args.seed, args.workers, args.timeout)
    for row in rows:
        print(row)
    print(f"{summary['cases']} cases in {summary['seconds']:.0f} s")
    for failure in summary["failures"][: args.show]:
        print(f"case {failure['index']}: {failure['problem']}", file=sys.stderr)


if __name__ == "__main__":
    main()
