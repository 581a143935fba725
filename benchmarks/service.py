"""The HTTP service under load: ``matcher serve`` (uvicorn and one job worker) on loopback,
driven by a bounded load generator of httpx clients in threads.

- recommendations for one family of the shipped region (600 volunteers): latency at 1 and 20
  concurrent clients, and requests per second;
- a location round (``scenarios/location``) through the API, POST to result, against the same
  solve called in-process;
- a mixed load (reads, upserts, recommendations, rounds, accepts) at 50 clients: errors (any 5xx,
  or a status no client should get) and the server's memory before and after.

The load generator shares the machine's cores with the server: the figures are what a case
system on the same host would see, not the server's ceiling.
"""

from __future__ import annotations

import itertools
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from matcher import prepare, solve_prepared
from matcher.io.rounds import load_round

SCENARIOS = Path(__file__).parent.parent / "scenarios"
COLUMNS = (
    "measure", "requests", "p50_ms", "p95_ms", "per_s", "statuses", "target", "in_process_ms",
    "ratio_to_in_process", "errors", "rss_before_mb", "rss_after_mb",
)  # fmt: skip
EXPECTED = {200, 201, 202, 204, 409, 412}
"""Statuses of a healthy mixed load: 409 and 412 are the answers to two writers at once."""


@dataclass
class Server:
    """A running ``matcher serve`` and what the load needs from it."""

    base: str
    process: subprocess.Popen[bytes]
    service_key: str
    keys: dict[str, str] = field(default_factory=dict)

    def rss_mb(self) -> float:
        """Resident memory of the server and its worker, in MB."""
        total = 0
        for pid in [self.process.pid, *_children(self.process.pid)]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
            total += int(line.split()[1])
        return total / 1024


def service_rows(seconds: float, round_repeat: int) -> list[dict[str, object]]:
    """The three measurements, one row per measured setting."""
    with _served() as server:
        client = httpx.Client(base_url=server.base, timeout=60)
        region = _location(client, server, "region", SCENARIOS / "region.json")
        location = _location(client, server, "location", SCENARIOS / "location")
        rows = []
        waiting = [
            f.id
            for f in load_round(SCENARIOS / "region.json").families
            if f.id
            not in {m.family_id for m in load_round(SCENARIOS / "region.json").active_matches}
        ]
        for clients in (1, 20):
            rows.append(_recommendations(server, region, waiting, clients, seconds))
        rows.append(_rounds(client, server, location, round_repeat))
        rows.append(_mixed(server, region, location, waiting, 50, 60.0))
    return rows


def _recommendations(
    server: Server, key: str, families: list[str], clients: int, seconds: float
) -> dict[str, object]:
    paths = itertools.cycle(
        f"/v1/locations/region/families/{f}/recommendations?k=10" for f in families
    )
    lock = threading.Lock()

    def request(http: httpx.Client) -> int:
        with lock:
            path = next(paths)
        return http.get(path, headers=_auth(key)).status_code

    _load(server, key, 1, 2.0, request)  # warm: the prepared round is kept after the first
    latencies, statuses, elapsed = _load(server, key, clients, seconds, request)
    return _row(f"recommendations, {clients} client(s)", latencies, statuses, elapsed) | {
        "target": "p95 <= 50 ms at 20 clients" if clients == 20 else "",
    }


def _rounds(client: httpx.Client, server: Server, key: str, repeat: int) -> dict[str, object]:
    latencies = []
    for _ in range(repeat):
        started = time.perf_counter()
        job = client.post("/v1/locations/location/rounds", headers=_auth(key)).json()
        while True:
            status = client.get(f"/v1/locations/location/rounds/{job['id']}", headers=_auth(key))
            if status.json()["status"] in ("done", "failed"):
                break
            time.sleep(0.005)
        result = client.get(f"/v1/locations/location/rounds/{job['id']}/result", headers=_auth(key))
        assert result.status_code == 200, result.text
        latencies.append(time.perf_counter() - started)
    prepared = prepare(load_round(SCENARIOS / "location"))
    in_process = []
    for _ in range(repeat):
        started = time.perf_counter()
        solve_prepared(prepared)
        in_process.append(time.perf_counter() - started)
    row = _row("location round, POST to result", latencies, [200] * repeat, sum(latencies))
    return row | {
        "target": "p95 <= 300 ms",
        "in_process_ms": round(statistics.median(in_process) * 1000, 1),
        "ratio_to_in_process": round(
            statistics.median(latencies) / statistics.median(in_process), 1
        ),
    }


def _mixed(
    server: Server,
    region: str,
    location: str,
    families: list[str],
    clients: int,
    seconds: float,
) -> dict[str, object]:
    volunteers = [v.id for v in load_round(SCENARIOS / "region.json").volunteers]
    lock = threading.Lock()
    rng = random.Random(1)

    def request(http: httpx.Client) -> int:
        with lock:
            draw = rng.random()
            volunteer = rng.choice(volunteers)
            family = rng.choice(families)
        if draw < 0.5:
            return http.get(
                f"/v1/locations/region/volunteers/{volunteer}", headers=_auth(region)
            ).status_code
        if draw < 0.7:
            path = f"/v1/locations/region/volunteers/{volunteer}"
            read = http.get(path, headers=_auth(region))
            body = read.json() | {"capacity": 1 + (read.json()["capacity"] % 3)}
            headers = _auth(region) | {"If-Match": read.headers["ETag"]}
            return http.put(path, json=body, headers=headers).status_code
        if draw < 0.85:
            return http.get(
                f"/v1/locations/region/families/{family}/recommendations", headers=_auth(region)
            ).status_code
        if draw < 0.95:
            return http.post("/v1/locations/location/rounds", headers=_auth(location)).status_code
        pending = http.get(
            "/v1/locations/location/proposals?status=pending", headers=_auth(location)
        ).json()
        if not pending:
            return 200
        chosen = pending[0]
        return http.post(
            f"/v1/locations/location/rounds/{chosen['round_id']}/proposals/"
            f"{chosen['family_id']}/accept",
            headers=_auth(location),
        ).status_code

    before = server.rss_mb()
    latencies, statuses, elapsed = _load(server, region, clients, seconds, request)
    after = server.rss_mb()
    errors = sum(s not in EXPECTED for s in statuses)
    return _row(f"mixed load, {clients} clients", latencies, statuses, elapsed) | {
        "target": "0 errors",
        "errors": errors,
        "rss_before_mb": round(before),
        "rss_after_mb": round(after),
    }


def _load(
    server: Server,
    key: str,
    clients: int,
    seconds: float,
    request: Callable[[httpx.Client], int],
) -> tuple[list[float], list[int], float]:
    """Run ``request`` from ``clients`` threads for ``seconds``: each latency and status."""
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client_loop() -> None:
        with httpx.Client(base_url=server.base, timeout=60) as http:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                try:
                    status = request(http)
                except httpx.HTTPError:
                    status = 599
                with lock:
                    latencies.append(time.perf_counter() - started)
                    statuses.append(status)

    began = time.perf_counter()
    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, time.perf_counter() - began


def _row(
    what: str, latencies: list[float], statuses: list[int], elapsed: float
) -> dict[str, object]:
    """A row with every column of the table (the ones a measure has no figure for are empty)."""
    ordered = sorted(latencies)
    return dict.fromkeys(COLUMNS, "") | {
        "measure": what,
        "requests": len(latencies),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
        "per_s": round(len(latencies) / elapsed, 1),
        "statuses": " ".join(f"{s}:{n}" for s, n in sorted(_counts(statuses).items())),
    }


def _counts(statuses: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return counts


def _location(client: httpx.Client, server: Server, location: str, source: Path) -> str:
    """Create a location with the round at ``source``; its admin key."""
    auth = _auth(server.service_key)
    made = client.post("/v1/locations", json={"id": location, "name": location}, headers=auth)
    assert made.status_code == 201, made.text
    key = client.post(
        f"/v1/locations/{location}/keys", json={"name": "bench", "scope": "admin"}, headers=auth
    ).json()["key"]
    round_ = load_round(source)
    put = client.put(
        f"/v1/locations/{location}/round",
        content=round_.model_dump_json(),
        headers=_auth(key) | {"Content-Type": "application/json"},
    )
    assert put.status_code == 200, put.text
    return str(key)


@contextmanager
def _served() -> Iterator[Server]:
    with tempfile.TemporaryDirectory(prefix="matcher-bench-") as folder:
        env = os.environ | {"MATCHER_DATA_DIR": folder, "MATCHER_RATE_PER_MINUTE": "10000000"}
        command = [sys.executable, "-m", "matcher"]
        service_key = subprocess.run(
            [*command, "admin", "service-key"], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        port = _free_port()
        process = subprocess.Popen([*command, "serve", "--port", str(port)], env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(base)
            yield Server(base, process, service_key)
        finally:
            workers = _children(process.pid)
            process.terminate()
            process.wait(timeout=60)
            _wait_gone(workers)  # they stop when the server is gone: before the data goes


def _wait_ready(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the service did not start within 60 s")


def _wait_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(_running(pid) for pid in pids):
        time.sleep(0.1)


def _running(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
