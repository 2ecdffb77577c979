"""Serving-log benchmark: what logging served requests costs a single-entity online read.

    .venv/bin/python bench/serving_log.py [--calls 20000] [--sink warehouse|parquet|sqlite]
                                          [--store sqlite|redis]

One repository (DuckDB warehouse, 10,000 customers, one view of three features, materialized into
SQLite or Redis at 127.0.0.1:6379 db 7 under ``vfs_bench_log:``) opened three times in one process:
logging off (the baseline), off again (an A/A pair: how far two identical stores differ on this
machine), ``sample: 1.0`` and ``sample: 0.01``, both to ``--sink``. Calls to
``FeatureStore.get_online_features`` for one random customer alternate between the stores call
by call, in a new random order each time, so load on the machine hits all of them alike; p50 /
p99 per store, and the p50 against the baseline's. The sampled stores' loggers write on their
own threads while the reads run (that contention is part of what is measured); the time their
final flush takes and their counts (written, dropped) are printed after. Prints Markdown tables
for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from virtualfs import FeatureStore  # noqa: E402

CUSTOMERS = 10_000
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
DEFINITIONS = """\
from virtualfs import Entity, Feature, FeatureView, Source

customer = Entity("customer", ["customer_id"])
orders = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
customer_orders = FeatureView("customer_orders", [customer], orders,
                              [Feature("amount", "float64"), Feature("items", "int64"),
                               Feature("channel", "string")], ttl="3650d")
"""
FEATURES = ["customer_orders:amount", "customer_orders:items", "customer_orders:channel"]
SINKS = {"warehouse": "warehouse", "parquet": "{type: parquet, path: %s}",
         "sqlite": "{type: sqlite, path: %s}"}
# the benchmark's own data, made once in DuckDB: constant text, no value from outside
ORDERS = """
CREATE TABLE orders AS SELECT range AS customer_id,
       TIMESTAMP '2026-01-01' + range * INTERVAL 1 MINUTE AS ordered_at,
       TIMESTAMP '2026-01-01' + range * INTERVAL 1 MINUTE + INTERVAL 1 HOUR AS loaded_at,
       range * 0.5 AS amount, range % 7 AS items, CASE WHEN range % 2 = 0 THEN 'web' ELSE 'app' END AS channel
FROM range(10000)
"""


def write_repo(root: Path, shared: Path, online: str, logging: str | None) -> Path:
    """A repository over the shared warehouse, online store and catalog, with its own logging."""
    root.mkdir(parents=True)
    text = (f"project: shop\nwarehouse: {{type: duckdb, path: {shared / 'warehouse.duckdb'}}}\n"
            f"online: {online}\ncatalog: {{url: 'sqlite:///{shared / 'catalog.db'}'}}\n")
    if logging is not None:
        text += f"logging: {logging}\n"
    (root / "virtualfs.yaml").write_text(text)
    (root / "features.py").write_text(textwrap.dedent(DEFINITIONS))
    return root


def make_data(shared: Path) -> None:
    shared.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(shared / "warehouse.duckdb")) as connection:
        connection.execute(ORDERS)


def measure(stores: dict[str, FeatureStore], calls: int, seed: int = 3) -> dict[str, list[float]]:
    """Per store, the microseconds of each call; the stores take turns call by call."""
    pick = random.Random(seed)
    names = list(stores)
    timings: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(calls):
        key = pick.randrange(CUSTOMERS)
        pick.shuffle(names)  # a new order each call: no store always follows the same other
        for name in names:
            store = stores[name]
            started = time.perf_counter_ns()
            store.get_online_features([{"customer_id": key}], FEATURES)
            timings[name].append((time.perf_counter_ns() - started) / 1000)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--sink", choices=list(SINKS), default="warehouse")
    parser.add_argument("--store", choices=["sqlite", "redis"], default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vfs_bench_log_") as folder:
        run(Path(folder), args)


def run(folder: Path, args: argparse.Namespace) -> None:
    shared = folder / "shared"
    make_data(shared)
    online = f"{{type: sqlite, path: {shared / 'online.db'}}}" if args.store == "sqlite" else \
        "{type: redis, url: 'redis://127.0.0.1:6379/7', key_prefix: 'vfs_bench_log:'}"
    configs: dict[str, str | None] = {"off": None, "off (A/A)": None}
    for name, sample in (("sample 1.0", 1.0), ("sample 0.01", 0.01)):
        sink = SINKS[args.sink]
        if args.sink != "warehouse":
            sink = sink % (folder / name.replace(" ", "_"))
        configs[name] = f"{{sample: {sample}, sink: {sink}, seed: 1, queue: 100000}}"
    repos = {name: write_repo(folder / f"repo{i}", shared, online, logging)
             for i, (name, logging) in enumerate(configs.items())}
    with FeatureStore(repos["off"]) as store:
        store.apply()
        store.materialize()
    stores = {name: FeatureStore(root) for name, root in repos.items()}
    try:
        measure(stores, 500, seed=1)  # warm: plans cached, connections open, loggers' sinks opened
        timings = measure(stores, args.calls)
        report(stores, timings, args)
    finally:
        if args.store == "redis":  # the benchmark's keys, under its own prefix
            for prefix in stores["off"].online.key_prefixes("shop"):
                stores["off"].online.delete_prefix(prefix)
        for store in stores.values():
            store.close()


def report(stores: dict[str, FeatureStore], timings: dict[str, list[float]],
           args: argparse.Namespace) -> None:
    base = statistics.median(timings["off"])
    print(f"{args.calls:,} calls per store, one customer, three features; online store {args.store}, "
          f"log sink {args.sink}; {platform.python_version()}, {os.cpu_count()} cores; "
          f"load {os.getloadavg()[0]:.2f}")
    print("\n| logging | p50 (µs) | p99 (µs) | p50 vs off |\n| --- | ---: | ---: | ---: |")
    for name, values in timings.items():
        p50 = statistics.median(values)
        print(f"| {name} | {p50:.1f} | {percentile(values, 0.99):.1f} | {(p50 / base - 1) * 100:+.1f}% |")
    print("\n| logging | final flush (s) | sampled | written | dropped |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, store in stores.items():
        logger = store.served_log
        if logger is None:
            continue
        started = time.perf_counter()
        logger.flush(timeout=300)
        counts = logger.counts
        print(f"| {name} | {time.perf_counter() - started:.2f} | {counts.sampled:,} | {counts.written:,} | "
              f"{counts.dropped:,} |")


if __name__ == "__main__":
    main()
