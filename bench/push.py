"""Benchmark pushes: rows/s pushed online to Redis from Python, and single-row HTTP pushes/s.

    .venv/bin/python bench/push.py [--batches 20] [--seconds 3] [--workers 2]

Builds a throwaway repository with a push-only view (``card_tx``: a string key, four features)
on a DuckDB warehouse and Redis (127.0.0.1:6379, keys under a unique prefix, deleted afterwards):

- Python: ``FeatureStore.push(view, table, to="online")`` of ``--batches`` batches of 10,000 rows
  (pyarrow tables, and pandas frames), against the baseline of the same rows, already encoded,
  written with a raw redis-py pipeline of ``SET`` (no validation, no newer-wins);
- HTTP: ``virtualfs serve`` with ``--workers`` processes, driven at concurrency 16 by the
  keep-alive client of ``bench/server.py`` with single-row ``POST /v1/push`` (to online), against
  the baseline of single-entity ``POST /v1/online-features`` reads of the same view in the same run.

Each measure is the median of three runs; everything stops within 60 s (a watchdog).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parent))
import server as http_bench  # noqa: E402  (bench/server.py: the load generator)

HOST = http_bench.HOST
BATCH = 10_000
CONCURRENCY = 16
DEADLINE_SECONDS = 60
DEFINITIONS = """\
from virtualfs import Entity, Feature, FeatureView, Source

card = Entity("card", ["card_id"])
card_tx = FeatureView(
    "card_tx", [card],
    Source("card_tx", timestamp="tx_at", created="pushed_at", dtypes={"card_id": "string"}),
    [Feature("amount", "float64"), Feature("merchant", "string"), Feature("items", "int64"),
     Feature("online", "bool")], push=True,
)
"""


def main() -> None:
    args = _arguments()
    http_bench._watchdog(DEADLINE_SECONDS)
    prefix = f"vfs_bench_push_{os.getpid()}:"
    with tempfile.TemporaryDirectory(prefix="vfs-bench-push-") as folder:
        root = Path(folder)
        _write_repo(root, prefix)
        try:
            python_rows = _python(root, args.batches)
            http_rows = _over_http(root, args.workers, args.seconds)
        finally:
            http_bench._delete_keys(prefix)
    _report(python_rows, http_rows)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20, help="batches of 10,000 rows per run")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each HTTP load step")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    return parser.parse_args()


def _write_repo(root: Path, prefix: str) -> None:
    (root / "virtualfs.yaml").write_text(textwrap.dedent(f"""\
        project: bench
        warehouse: {{type: duckdb, path: data/warehouse.duckdb}}
        online: {{type: redis, url: 'redis://{HOST}:6379/0', key_prefix: '{prefix}'}}
        server: {{reload_seconds: 0}}
        """))
    (root / "features.py").write_text(DEFINITIONS)
    (root / "data").mkdir()
    import duckdb

    duckdb.connect(str(root / "data" / "warehouse.duckdb")).close()  # an empty warehouse
    from virtualfs.store import FeatureStore

    with FeatureStore(root) as store:
        store.apply()


def _batch(index: int):
    import pyarrow as pa

    now = datetime.now(timezone.utc)
    cards = [f"card_{(index * BATCH + i) % 100_000}" for i in range(BATCH)]
    times = pa.array([now - timedelta(seconds=i) for i in range(BATCH)], pa.timestamp("us", tz="UTC"))
    return pa.table({"card_id": cards, "tx_at": times, "amount": [i * 0.5 for i in range(BATCH)],
                     "merchant": [f"m{i % 97}" for i in range(BATCH)], "items": [i % 7 for i in range(BATCH)],
                     "online": [i % 2 == 0 for i in range(BATCH)]})


def _python(root: Path, batches: int) -> list[tuple[str, float]]:
    """Rows/s: ``store.push`` of Arrow tables and of pandas frames, and the raw pipeline."""
    from virtualfs.store import FeatureStore

    tables = [_batch(i) for i in range(batches)]
    frames = [table.to_pandas() for table in tables]
    with FeatureStore(root) as store:
        store.push("card_tx", tables[0], to="online")  # warm: connection, script, plan
        arrow = _median(lambda: _timed(lambda: [store.push("card_tx", t, to="online") for t in tables]))
        pandas = _median(lambda: _timed(lambda: [store.push("card_tx", f, to="online") for f in frames]))
        encoded = [_encoded(store, table) for table in tables]
        client = store.online.client
        raw = _median(lambda: _timed(lambda: [_pipeline_set(client, batch) for batch in encoded]))
    rows = batches * BATCH
    return [("raw redis-py pipeline SET, pre-encoded (baseline)", rows / raw),
            ("store.push(pyarrow.Table, to='online')", rows / arrow),
            ("store.push(pandas.DataFrame, to='online')", rows / pandas)]


def _encoded(store, table):
    """The keys and values ``push`` writes for ``table``, encoded once (the baseline's input)."""
    import pyarrow as pa

    from virtualfs.online.rows import ViewRows

    view = store.get_feature_view("card_tx")
    stamped = table.append_column("pushed_at", pa.array([datetime.now(timezone.utc)] * table.num_rows,
                                                        pa.timestamp("us", tz="UTC")))
    names = ["card_id", "tx_at", "pushed_at", "amount", "merchant", "items", "online"]
    batch = pa.RecordBatch.from_arrays([stamped.column(n).combine_chunks() for n in names], names=names)
    written = ViewRows(view, store.project).write_batch(batch)
    prefix = store.online.key_prefix + "raw:"
    return [(prefix + key, value) for key, value in zip(written.keys, written.values, strict=True)]


def _pipeline_set(client, pairs) -> None:
    pipeline = client.pipeline(transaction=False)
    for key, value in pairs:
        pipeline.set(key, value)
    pipeline.execute()


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _median(measure) -> float:
    return statistics.median(measure() for _ in range(3))


def _over_http(root: Path, workers: int, seconds: float) -> list[http_bench.Row]:
    port = http_bench._free_port()
    command = [sys.executable, "-m", "virtualfs.cli", "serve", "--repo", str(root), "--host", HOST,
               "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    http_bench._SERVERS.append(server)
    try:
        http_bench._wait_ready(port, server)
        pushes, reads = _push_requests(), _read_requests()
        http_bench._run(_load(port, pushes, 0.5))  # warm every worker
        http_bench._run(_load(port, reads, 0.5))
        rows = []
        for name, requests in (("HTTP POST /v1/online-features, 1 entity (baseline)", reads),
                               ("HTTP POST /v1/push, 1 row, to online", pushes)):
            cpu = http_bench._cpu_seconds(server.pid)
            latencies = http_bench._run(_load(port, requests, seconds))
            cpu = http_bench._cpu_seconds(server.pid) - cpu if cpu is not None else None
            row = http_bench.Row(f"{name}, {workers} workers", CONCURRENCY, None, latencies, seconds, cpu)
            rows.append(row)
        return rows
    finally:
        server.terminate()
        server.wait(timeout=5)


async def _load(port: int, requests: list[bytes], seconds: float) -> list[int]:
    loop = asyncio.get_running_loop()
    clients = []
    for _ in range(CONCURRENCY):
        _, client = await loop.create_connection(lambda: http_bench._Client(requests), HOST, port)
        clients.append(client)
    until = loop.time() + seconds
    await asyncio.gather(*(client.run(until, None) for client in clients))
    for client in clients:
        client.transport.close()
    return [latency for client in clients for latency in client.latencies]


def _push_requests() -> list[bytes]:
    now = datetime.now(timezone.utc)
    bodies = [{"view": "card_tx", "to": "online",
               "rows": {"card_id": [f"card_{random.randrange(100_000)}"],
                        "tx_at": [(now + timedelta(microseconds=i)).isoformat()], "amount": [i * 0.5],
                        "merchant": [f"m{i % 97}"], "items": [i % 7], "online": [True]}} for i in range(1024)]
    return [_post("/v1/push", body) for body in bodies]


def _read_requests() -> list[bytes]:
    return [_post("/v1/online-features", {"features": ["card_tx:amount", "card_tx:merchant"],
                                          "entities": {"card_id": [f"card_{random.randrange(100_000)}"]}})
            for _ in range(1024)]


def _post(path: str, body: dict) -> bytes:
    data = orjson.dumps(body)
    head = (f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n")
    return head.encode() + data


def _report(python_rows: list[tuple[str, float]], http_rows: list[http_bench.Row]) -> None:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{os.cpu_count()} cores; {platform.machine()}; Python {platform.python_version()}; "
          f"load average (1, 5, 15 min): {load}")
    print("| Python, batches of 10,000 rows | rows/s |")
    print("| --- | ---: |")
    for name, rate in python_rows:
        print(f"| {name} | {rate:,.0f} |")
    print("\n| HTTP | concurrency | requests/s | p50 ms | p99 ms | server CPU µs/req |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in http_rows:
        cpu = f"{row.cpu_us:,.0f}" if row.cpu_us is not None else "?"
        print(f"| {row.name} | {row.concurrency} | {row.rate:,.0f} | {row.p50:.3f} | {row.p99:.3f} | {cpu} |")
    print(f"\ntargets: >= 50,000 rows/s pushed online from Python (Arrow: {python_rows[1][1]:,.0f}); "
          f">= 5,000 single-row HTTP pushes/s at concurrency 16 ({http_rows[1].rate:,.0f})")


if __name__ == "__main__":
    main()
