"""Benchmark the HTTP feature server against the in-process read, on loopback only.

    .venv/bin/python bench/server.py [--store redis|sqlite] [--workers 2] [--seconds 5]

Builds a throwaway repository (10,000 customers, a view of 5 features, a service) in a temporary
folder, materializes it into the online store (Redis on 127.0.0.1:6379 by default, keys under a
unique prefix, deleted afterwards), starts ``virtualfs serve`` on a free loopback port and drives
it with a small asyncio HTTP/1.1 keep-alive client (uvloop, raw protocol) sending single-entity
requests by feature service:

- closed loop at concurrency 1, 16 and 64 (each connection sends its next request as soon as
  the answer arrives): the most the server does, requests/s, p50, p99;
- paced: 16 connections offering ``--rate`` requests/s in total (default 1,500, the target), each
  on a fixed schedule: the latency an application sees at that rate.

The same run times ``get_online_features`` in-process for comparison, and reports the server's
CPU time per request (from /proc; the measure that stays honest on a busy machine). Everything
stops by itself within 30 s (a watchdog enforces it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import orjson

HOST = "127.0.0.1"
CUSTOMERS = 10_000
CONCURRENCY = (1, 16, 64)
PACED_CONNECTIONS = 16
DEADLINE_SECONDS = 30
SERVICE = "scoring"
_SERVERS: list[subprocess.Popen] = []  # for the watchdog
DEFINITIONS = """\
from virtualfs import Entity, Feature, FeatureService, FeatureView, Source

customer = Entity("customer", ["customer_id"])
stats = Source("customer_stats", table="customer_stats", timestamp="updated_at")
customer_stats = FeatureView(
    "customer_stats", [customer], stats,
    [Feature("orders", "int64"), Feature("spend", "float64"), Feature("segment", "string"),
     Feature("vip", "bool"), Feature("last_order", "timestamp")],
)
scoring = FeatureService("scoring", ["customer_stats:*"])
"""


def main() -> None:
    args = _arguments()
    _watchdog(DEADLINE_SECONDS)
    with tempfile.TemporaryDirectory(prefix="vfs-bench-") as folder:
        root = Path(folder)
        prefix = f"vfs_bench_{os.getpid()}:"
        _write_repo(root, args.store, prefix)
        try:
            _materialize(root)
            rows = [_in_process(root, args.seconds)]
            rows += _over_http(root, args.workers, args.seconds, args.rate)
        finally:
            if args.store == "redis":
                _delete_keys(prefix)
    _report(args, rows)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=("redis", "sqlite"), default="redis")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each load step")
    parser.add_argument("--rate", type=float, default=1500.0, help="requests/s of the paced step")
    args = parser.parse_args()
    if args.seconds * (len(CONCURRENCY) + 2) > DEADLINE_SECONDS - 12:
        parser.error(f"--seconds too long: the whole run must end within {DEADLINE_SECONDS} s")
    return args


def _watchdog(seconds: float) -> None:
    """Stop the server and this process after ``seconds``, whatever is happening."""
    def stop() -> None:
        print(f"bench: {seconds} s deadline reached, stopping", file=sys.stderr)
        for server in _SERVERS:
            server.kill()
        os._exit(2)

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    timer.start()


def _write_repo(root: Path, store: str, prefix: str) -> None:
    import duckdb

    online = (f"{{type: redis, url: 'redis://{HOST}:6379/0', key_prefix: '{prefix}'}}"
              if store == "redis" else "{type: sqlite, path: .virtualfs/online.db}")
    (root / "virtualfs.yaml").write_text(textwrap.dedent(f"""\
        project: bench
        warehouse: {{type: duckdb, path: data/warehouse.duckdb}}
        online: {online}
        server: {{reload_seconds: 0}}
        """))
    (root / "features.py").write_text(DEFINITIONS)
    (root / "data").mkdir()
    with duckdb.connect(str(root / "data" / "warehouse.duckdb")) as connection:
        connection.execute(
            "CREATE TABLE customer_stats AS SELECT range AS customer_id, "
            "TIMESTAMP '2026-01-01' + to_seconds(range) AS updated_at, range % 17 AS orders, "
            "range * 1.5 AS spend, 'segment_' || (range % 5) AS segment, range % 7 = 0 AS vip, "
            "TIMESTAMP '2025-12-01' + to_seconds(range) AS last_order FROM range(?)", [CUSTOMERS]
        )


def _materialize(root: Path) -> None:
    from virtualfs.store import FeatureStore

    with FeatureStore(root) as store:
        store.apply()
        store.materialize()


def _in_process(root: Path, seconds: float) -> Row:
    """``get_online_features`` for one entity, called in a loop in this process."""
    from virtualfs.store import FeatureStore

    ids = [random.randrange(CUSTOMERS) for _ in range(4096)]
    latencies = []
    with FeatureStore(root) as store:
        store.get_online_features([{"customer_id": 0}], SERVICE)  # warm the plan and connection
        cpu = time.process_time()
        end = time.perf_counter() + seconds
        index = 0
        while time.perf_counter() < end:
            started = time.perf_counter_ns()
            store.get_online_features([{"customer_id": ids[index & 4095]}], SERVICE)
            latencies.append(time.perf_counter_ns() - started)
            index += 1
        cpu = time.process_time() - cpu
    return Row("in-process get_online_features", 1, None, latencies, seconds, cpu)


def _over_http(root: Path, workers: int, seconds: float, rate: float) -> list[Row]:
    port = _free_port()
    command = [sys.executable, "-m", "virtualfs.cli", "serve", "--repo", str(root), "--host", HOST,
               "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _SERVERS.append(server)
    try:
        _wait_ready(port, server)
        _run(_load(port, CONCURRENCY[-1], 0.5))  # warm every worker and connection path
        name = f"HTTP, {workers} worker{'s' if workers > 1 else ''}"
        rows = []
        for concurrency in CONCURRENCY:
            cpu = _cpu_seconds(server.pid)
            latencies = _run(_load(port, concurrency, seconds))
            cpu = _cpu_seconds(server.pid) - cpu if cpu is not None else None
            rows.append(Row(name, concurrency, None, latencies, seconds, cpu))
        cpu = _cpu_seconds(server.pid)
        latencies = _run(_load(port, PACED_CONNECTIONS, seconds, interval=PACED_CONNECTIONS / rate))
        cpu = _cpu_seconds(server.pid) - cpu if cpu is not None else None
        rows.append(Row(name + ", paced", PACED_CONNECTIONS, rate, latencies, seconds, cpu))
        return rows
    finally:
        server.terminate()
        server.wait(timeout=5)


def _run(coroutine):
    """Run the load on uvloop when it is installed: the generator must cost less than the server."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _wait_ready(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"bench: the server exited: {server.stderr.read().decode()}")
        try:
            with socket.create_connection((HOST, port), timeout=0.2) as connection:
                connection.sendall(b"GET /readyz HTTP/1.1\r\nHost: bench\r\n\r\n")
                if connection.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit("bench: the server was not ready within 10 s")


class _Client(asyncio.Protocol):
    """One keep-alive connection sending one request at a time and timing each response."""

    def __init__(self, requests: list[bytes]) -> None:
        self.requests, self.latencies = requests, []
        self.buffer, self.expected = b"", -1
        self.done: asyncio.Future | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.expected < 0:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            if not self.buffer.startswith(b"HTTP/1.1 200"):
                self.done.set_exception(RuntimeError(self.buffer[:200].decode(errors="replace")))
                return
            length_at = self.buffer.find(b"content-length: ", 0, head_end) + 16
            length = int(self.buffer[length_at:self.buffer.find(b"\r\n", length_at)])
            self.expected = head_end + 4 + length
        if len(self.buffer) >= self.expected:
            self.buffer, self.expected = b"", -1
            self.done.set_result(None)

    async def run(self, until: float, interval: float | None) -> None:
        """Send until ``until``: back to back, or one request every ``interval`` seconds."""
        loop = asyncio.get_running_loop()
        index = random.randrange(len(self.requests))
        due = loop.time() + (random.random() * interval if interval else 0.0)  # spread the schedules
        while loop.time() < until:
            if interval:
                if due > loop.time():
                    await asyncio.sleep(due - loop.time())
                due += interval
            self.done = loop.create_future()
            started = time.perf_counter_ns()
            self.transport.write(self.requests[index % len(self.requests)])
            await self.done
            self.latencies.append(time.perf_counter_ns() - started)
            index += 1


async def _load(port: int, concurrency: int, seconds: float, interval: float | None = None) -> list[int]:
    """Latencies (ns) of ``concurrency`` connections each sending requests for ``seconds``."""
    loop = asyncio.get_running_loop()
    requests = [_request(random.randrange(CUSTOMERS)) for _ in range(1024)]
    clients = []
    for _ in range(concurrency):
        _, client = await loop.create_connection(lambda: _Client(requests), HOST, port)
        clients.append(client)
    until = loop.time() + seconds
    await asyncio.gather(*(client.run(until, interval) for client in clients))
    for client in clients:
        client.transport.close()
    return [latency for client in clients for latency in client.latencies]


def _request(customer_id: int) -> bytes:
    body = orjson.dumps({"feature_service": SERVICE, "entities": {"customer_id": [customer_id]}})
    head = (f"POST /v1/online-features HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


class Row:
    """One measured step: requests/s, p50 and p99 in ms, and CPU microseconds per request."""

    def __init__(self, name: str, concurrency: int, offered: float | None, latencies_ns: list[int],
                 seconds: float, cpu_seconds: float | None) -> None:
        cuts = statistics.quantiles(latencies_ns, n=100, method="inclusive")
        self.name, self.concurrency, self.offered = name, concurrency, offered
        self.rate = len(latencies_ns) / seconds
        self.p50, self.p99 = cuts[49] / 1e6, cuts[98] / 1e6
        self.cpu_us = cpu_seconds / len(latencies_ns) * 1e6 if cpu_seconds is not None else None


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a process and its children (uvicorn's workers), from /proc on Linux."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _delete_keys(prefix: str) -> None:
    import redis

    client = redis.Redis(host=HOST, port=6379, db=0)
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def _report(args: argparse.Namespace, rows: list[Row]) -> None:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"store: {args.store}; {os.cpu_count()} cores; {platform.machine()}; "
          f"Python {platform.python_version()}; load average (1, 5, 15 min): {load}")
    print("| path | concurrency | offered req/s | requests/s | p50 ms | p99 ms | server CPU µs/req |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        offered = f"{row.offered:,.0f}" if row.offered else "as fast as answered"
        cpu = f"{row.cpu_us:,.0f}" if row.cpu_us is not None else "?"
        print(f"| {row.name} | {row.concurrency} | {offered} | {row.rate:,.0f} | {row.p50:.3f} | "
              f"{row.p99:.3f} | {cpu} |")
    overhead = rows[1].p50 - rows[0].p50
    paced = rows[-1]
    print(f"\nserver overhead at p50, concurrency 1: {overhead:.3f} ms over the in-process read "
          "(target < 1 ms)")
    print(f"paced {paced.offered:,.0f} req/s over {paced.concurrency} connections: {paced.rate:,.0f} "
          f"answered/s, p99 {paced.p99:.3f} ms (target: 1,500/s with p99 < 5 ms)")


if __name__ == "__main__":
    main()
