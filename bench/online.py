"""Online serving benchmark: virtualfs against the raw client reading the same stored bytes.

    .venv/bin/python bench/online.py [--calls 3000] [--batch-calls 1000] [--rows 1000000] [--rounds 3]
    .venv/bin/python bench/online.py --store redis-cluster [--nodes HOST:PORT,...]
    .venv/bin/python bench/online.py --on-demand [--calls 5000]

Measures, in one run, on SQLite and Redis (127.0.0.1:6379, db 7, keys under ``vfs_bench:``):
- one entity, two views, six features: ``get_online_features`` vs two primary-key SELECTs
  (sqlite3) or one MGET of the two keys (redis-py), p50 / p99 over ``--calls`` calls;
- 100 entities: vs two ``IN`` SELECTs of 100 keys (sqlite3) or one MGET of 200 keys (redis-py);
- materialization of ``--rows`` rows (DuckDB -> store, query included) in rows/s vs a raw bulk
  write of the same encoded rows (``executemany`` INSERT, one transaction per 100,000 rows, same
  pragmas; pipelined MSET of 1,000 keys each), alternating over ``--rounds`` fresh stores.
Reads of ours and of the raw client alternate call by call, so load on the machine hits both alike.
``--store redis-cluster`` measures the same on a Redis Cluster (the raw client: redis-py's
``RedisCluster.mget_nonatomic`` / ``mset_nonatomic``) and on single-node Redis in the same run, and
adds a table of the cluster against single-node Redis. Without ``--nodes`` it starts a local
cluster of three primaries on loopback (tests/redis_cluster.py) and stops it at the end.
``--on-demand`` measures instead what request-time features add to a one-entity read: the same
six features alone, then with two on-demand features computed from them and a request field (an
expression body; a Python body), the variants alternating call by call.
Prints Markdown tables for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from virtualfs import Entity, Feature, FeatureView, OnDemandView, RequestField, Source  # noqa: E402
from virtualfs.compile.latest import build_latest_query  # noqa: E402
from virtualfs.online.rows import ViewRows  # noqa: E402
from virtualfs.refresh.materialize import materialize_views  # noqa: E402
from virtualfs.registry import Registry  # noqa: E402
from virtualfs.serving.read import get_online_features  # noqa: E402
from virtualfs.warehouses.duckdb import DuckDBWarehouse  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/7"
PREFIX = "vfs_bench:"
CUSTOMERS = 10_000
END = datetime(2030, 1, 1, tzinfo=timezone.utc)
CUSTOMER = Entity("customer", ["customer_id"])
VIEWS = [
    FeatureView("customer_orders", [CUSTOMER], Source("orders", table="orders", timestamp="ordered_at",
                created="loaded_at"), [Feature("total", "float64"), Feature("orders", "int64"),
                Feature("last_item", "string")], ttl="3650d"),
    FeatureView("customer_profile", [CUSTOMER], Source("profiles", table="profiles", timestamp="updated_at"),
                [Feature("segment", "string"), Feature("vip", "bool"), Feature("signup", "timestamp")]),
]
FEATURES = ["customer_orders:*", "customer_profile:*"]
BASKET_INPUTS = ["customer_orders:total", "customer_orders:orders", RequestField("cart_total", "float64")]
BASKET_FEATURES = [Feature("ratio", "float64"), Feature("big", "bool")]


def basket_by_function(columns):
    carts, totals, orders = columns["cart_total"], columns["total"], columns["orders"]
    return {"ratio": [None if c is None or not t else c / t for c, t in zip(carts, totals, strict=True)],
            "big": [None if c is None or t is None or o is None else c > 2 * t and o > 0
                    for c, t, o in zip(carts, totals, orders, strict=True)]}


ON_DEMAND = [
    OnDemandView("basket", BASKET_INPUTS, BASKET_FEATURES, expressions={
        "ratio": "cart_total / NULLIF(total, 0)", "big": "cart_total > 2 * total AND orders > 0"}),
    OnDemandView("basket_py", BASKET_INPUTS, BASKET_FEATURES, function=basket_by_function),
]


class Watermarks:
    def __init__(self) -> None:
        self.values: dict = {}

    def get_watermark(self, view):
        return self.values.get(view.name)

    def set_watermark(self, view, value) -> None:
        self.values[view.name] = value


def make_warehouse(customers: int, rows: int) -> DuckDBWarehouse:
    warehouse = DuckDBWarehouse()
    run = warehouse.connection.execute
    # Sizes travel as parameters: the statements themselves are constant text.
    run("""CREATE TABLE orders AS SELECT (i % $1)::BIGINT AS customer_id,
           TIMESTAMP '2026-01-01' + i * INTERVAL 1 SECOND AS ordered_at,
           TIMESTAMP '2026-01-01' + i * INTERVAL 1 SECOND + INTERVAL 5 MINUTE AS loaded_at,
           random() * 500 AS total, (i % 37)::BIGINT AS orders, 'item-' || (i % 1000) AS last_item
           FROM range($1 * 3) t(i)""", [customers])
    run("""CREATE TABLE profiles AS SELECT i::BIGINT AS customer_id,
           TIMESTAMP '2026-01-01' + i * INTERVAL 1 SECOND AS updated_at,
           ['bronze', 'silver', 'gold'][1 + i % 3] AS segment, i % 10 = 0 AS vip,
           TIMESTAMP '2020-01-01' + i * INTERVAL 1 HOUR AS signup FROM range($1) t(i)""", [customers])
    run("""CREATE TABLE big AS SELECT i::BIGINT AS customer_id,
           TIMESTAMP '2026-01-01' + i * INTERVAL 1 SECOND AS ordered_at,
           TIMESTAMP '2026-01-01' + i * INTERVAL 1 SECOND AS loaded_at,
           random() * 500 AS total, (i % 37)::BIGINT AS orders, 'item-' || (i % 1000) AS last_item
           FROM range($1) t(i)""", [rows])
    return warehouse


def open_stores(folder: Path, names: list[str], nodes: list[str], prefix: str = PREFIX) -> dict:
    from virtualfs.online.redis import RedisOnlineStore
    from virtualfs.online.redis_cluster import RedisClusterOnlineStore
    from virtualfs.online.sqlite import SQLiteOnlineStore

    folder.mkdir(parents=True, exist_ok=True)
    makers = {"sqlite": lambda: SQLiteOnlineStore(str(folder / "online.db"), project="bench"),
              "redis": lambda: RedisOnlineStore(REDIS_URL, key_prefix=prefix, project="bench"),
              "redis-cluster": lambda: RedisClusterOnlineStore(nodes, key_prefix=prefix, project="bench")}
    return {name: makers[name]() for name in names}


def raw_readers(name: str, store) -> tuple[Callable, Callable]:
    """The raw client reading the same bytes: (one entity's 2 keys, many entities' keys per view)."""
    if name == "sqlite":
        connection = sqlite3.connect(store.path)
        by_key = 'SELECT "value" FROM "_vfs_online" WHERE "key" = ?'

        def single(keys: list[str]) -> list:
            return [connection.execute(by_key, (key,)).fetchone()[0] for key in keys]

        def batch(per_view: list[list[str]]) -> list:
            found = []
            for keys in per_view:
                marks = ",".join("?" * len(keys))
                statement = 'SELECT "key", "value" FROM "_vfs_online" WHERE "key" IN (' + marks + ")"  # noqa: S608 (placeholders only)
                found += connection.execute(statement, keys).fetchall()
            return found

        return single, batch
    client = store.client
    # a cluster refuses MGET across slots: redis-py splits it by slot, one pipeline round trip per node
    fetch = client.mget_nonatomic if name == "redis-cluster" else client.mget

    def mget(keys: list[str]) -> list:
        return fetch([PREFIX + key for key in keys])

    return mget, lambda per_view: mget([key for keys in per_view for key in keys])


def timed(function: Callable, *args) -> tuple[float, float]:
    """Wall-clock and this thread's CPU milliseconds of one call."""
    began, cpu = time.perf_counter(), time.thread_time()
    function(*args)
    return (time.perf_counter() - began) * 1000, (time.thread_time() - cpu) * 1000


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return statistics.median(samples), cuts[98]


def bench_reads(name: str, store, registry: Registry, calls: int, entities: int) -> dict:
    prefixes = [ViewRows(view, "bench").prefix for view in VIEWS]
    raw_single, raw_batch = raw_readers(name, store)
    rng = random.Random(7)
    ours, raw, ours_cpu, raw_cpu = [], [], [], []
    for index in range(calls + 200):  # the first 200 warm caches and are dropped
        ids = [rng.randrange(CUSTOMERS) for _ in range(entities)]
        rows = [{"customer_id": i} for i in ids]
        per_view = [[f"{prefix}{i}}}" for i in ids] for prefix in prefixes]
        ours_ms = timed(get_online_features, store, registry, rows, FEATURES)
        if entities == 1:
            raw_ms = timed(raw_single, [keys[0] for keys in per_view])
        else:
            raw_ms = timed(raw_batch, per_view)
        if index >= 200:
            ours.append(ours_ms[0])
            raw.append(raw_ms[0])
            ours_cpu.append(ours_ms[1])
            raw_cpu.append(raw_ms[1])
    return {"ours": percentiles(ours), "raw": percentiles(raw),
            "cpu": statistics.median(ours_cpu) - statistics.median(raw_cpu)}


def side_by_side(stores: tuple, registry: Registry, calls: int, entities: int) -> list[tuple[float, float]]:
    """p50 and p99 ms of ``get_online_features`` on each store, the stores alternating call by call
    over the same entities, so that the load of the machine hits both alike."""
    rng = random.Random(11)
    samples: list[list[float]] = [[] for _ in stores]
    for index in range(calls + 200):  # the first 200 warm caches and are dropped
        rows = [{"customer_id": rng.randrange(CUSTOMERS)} for _ in range(entities)]
        for store, kept in zip(stores, samples, strict=True):
            elapsed = timed(get_online_features, store, registry, rows, FEATURES)[0]
            if index >= 200:
                kept.append(elapsed)
    return [percentiles(kept) for kept in samples]


def bench_materialize(name: str, folder: Path, warehouse: DuckDBWarehouse, rows: int,
                      rounds: int, nodes: list[str]) -> tuple[float, float]:
    """Median rows/s over ``rounds`` of (ours, raw) into fresh stores, alternating, so a change in
    the machine's load hits both sides alike."""
    view = FeatureView("big_orders", [CUSTOMER], Source("big", table="big", timestamp="ordered_at",
                       created="loaded_at"), list(VIEWS[0].features))
    encoded = [ViewRows(view, "raw").write_batch(batch)
               for batch in warehouse.fetch_batches(build_latest_query(view, None, END, "duckdb"))]
    ours, raw = [], []
    for round_ in range(rounds):
        store = open_stores(folder / f"round{round_}", [name], nodes, f"{PREFIX}m{round_}:")[name]
        began = time.perf_counter()
        [result] = materialize_views(warehouse, store, Watermarks(), [view], end=END)
        ours.append(result.rows / (time.perf_counter() - began))
        began = time.perf_counter()
        raw_write(name, store, encoded)
        raw.append(sum(len(batch) for batch in encoded) / (time.perf_counter() - began))
        if name != "sqlite":
            clean_redis(store)
    return statistics.median(ours), statistics.median(raw)


def raw_write(name: str, store, batches: list) -> None:
    if name == "sqlite":
        connection = sqlite3.connect(store.path + ".raw", isolation_level=None)
        for pragma in ("page_size = 16384", "journal_mode = WAL", "synchronous = NORMAL",  # as ours
                       "cache_size = -65536", "wal_autocheckpoint = 4096", "journal_size_limit = 67108864"):
            connection.execute("PRAGMA " + pragma)
        connection.execute('CREATE TABLE t ("key" TEXT PRIMARY KEY, "value" BLOB NOT NULL, "expires_at" REAL)'
                           " WITHOUT ROWID")
        for batch in batches:
            connection.execute("BEGIN")
            rows = zip(batch.keys, batch.values, strict=True)
            connection.executemany("INSERT INTO t VALUES (?, ?, NULL)", rows)
            connection.execute("COMMIT")
        return
    if name == "redis-cluster":  # MSET per slot, all slots of a batch in one pipeline
        for batch in batches:
            keys = [store.key_prefix + "raw:" + key for key in batch.keys]
            store.client.mset_nonatomic(dict(zip(keys, batch.values, strict=True)))
        return
    for batch in batches:
        pipe = store.client.pipeline(transaction=False)
        for start in range(0, len(batch), 1000):
            keys = [store.key_prefix + "raw:" + key for key in batch.keys[start:start + 1000]]
            pipe.mset(dict(zip(keys, batch.values[start:start + 1000], strict=True)))
        pipe.execute()


def clean_redis(store) -> None:
    if store.name != "redis":
        return
    keys = list(store.client.scan_iter(match=PREFIX + "*", count=10_000))
    for start in range(0, len(keys), 10_000):
        store.client.delete(*keys[start:start + 10_000])


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, load average at start {' '.join(load)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--batch-calls", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3, help="materialization rounds (median)")
    parser.add_argument("--store", choices=["sqlite", "redis", "redis-cluster"], action="append",
                        help="stores to measure (repeatable; default sqlite and redis; redis-cluster "
                             "measures single-node redis beside it)")
    parser.add_argument("--nodes", help="HOST:PORT,... of a running Redis Cluster (default: a local one)")
    parser.add_argument("--on-demand", action="store_true", help="what on-demand features add to a read")
    args = parser.parse_args()
    names = args.store or ["sqlite", "redis"]
    if args.on_demand:
        print(f"machine: {machine()}")
        print("\n".join(on_demand_table(names, args)))
        return
    if "redis-cluster" in names and "redis" not in names:
        names.insert(names.index("redis-cluster"), "redis")
    print(f"machine: {machine()}")
    with cluster_nodes("redis-cluster" in names, args.nodes) as nodes:
        results = run(names, nodes, args)
    print("\n| store | measure | virtualfs | raw client | overhead / ratio | CPU overhead p50 |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(line for name in names for line in table_rows(name, *results[name], args)))
    if "redis-cluster" in names:
        print("\n" + "\n".join(cluster_table(results, args)))


def run(names: list[str], nodes: list[str], args) -> dict[str, tuple]:
    warehouse = make_warehouse(CUSTOMERS, args.rows)
    registry = Registry.from_objects(VIEWS)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        stores = open_stores(Path(folder), names, nodes)
        for store in stores.values():
            clean_redis(store)
        try:
            for name, store in stores.items():
                materialize_views(warehouse, store, Watermarks(), list(registry.views.values()), end=END)
                single = bench_reads(name, store, registry, args.calls, 1)
                batch = bench_reads(name, store, registry, args.batch_calls, 100)
                throughput = bench_materialize(name, Path(folder), warehouse, args.rows, args.rounds, nodes)
                results[name] = (single, batch, throughput)
            if "redis-cluster" in stores:
                pair = (stores["redis"], stores["redis-cluster"])
                results["side by side"] = (side_by_side(pair, registry, args.calls, 1),
                                           side_by_side(pair, registry, args.batch_calls, 100))
        finally:
            for store in stores.values():
                clean_redis(store)
    return results


def on_demand_table(names: list[str], args) -> list[str]:
    """p50 / p99 of a one-entity read of six features, alone and with on-demand features."""
    warehouse = make_warehouse(CUSTOMERS, 200_000)
    registry = Registry.from_objects([*VIEWS, *ON_DEMAND])
    variants = {"six features": (FEATURES, None),
                "+ 2 on-demand, expressions": ([*FEATURES, "basket:*"], "cart_total"),
                "+ 2 on-demand, Python function": ([*FEATURES, "basket_py:*"], "cart_total")}
    lines = ["| store | read | p50 ms | p99 ms | added at p50 |", "| --- | --- | ---: | ---: | ---: |"]
    with tempfile.TemporaryDirectory() as folder:
        for name, store in open_stores(Path(folder), [n for n in names if n != "redis-cluster"], []).items():
            clean_redis(store)
            try:
                materialize_views(warehouse, store, Watermarks(), VIEWS, end=END)
                samples = _alternating_reads(store, registry, variants, args.calls)
            finally:
                clean_redis(store)
            base = percentiles(samples["six features"])[0]
            for variant, values in samples.items():
                p50, p99 = percentiles(values)
                added = "" if variant == "six features" else f"{(p50 - base) * 1000:+.1f} µs"
                lines.append(f"| {name} | {variant} | {p50:.3f} | {p99:.3f} | {added} |")
    return lines


def _alternating_reads(store, registry: Registry, variants: dict, calls: int) -> dict[str, list[float]]:
    rng = random.Random(5)
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for index in range(calls + 200):  # the first 200 warm caches and are dropped
        rows = [{"customer_id": rng.randrange(CUSTOMERS)}]
        cart = {"cart_total": [round(rng.uniform(1, 500), 2)]}
        for name, (features, field) in variants.items():
            began = time.perf_counter()
            get_online_features(store, registry, rows, features, request_data=cart if field else None)
            if index >= 200:
                samples[name].append((time.perf_counter() - began) * 1000)
    return samples


@contextmanager
def cluster_nodes(wanted: bool, given: str | None) -> Iterator[list[str]]:
    """The cluster's nodes: given, or a local cluster started here and stopped afterwards."""
    if not wanted or given:
        yield given.split(",") if given else []
        return
    from tests.redis_cluster import start_cluster

    cluster = start_cluster()
    try:
        print(f"local Redis Cluster: primaries {cluster.nodes}, one replica")
        yield cluster.nodes
    finally:
        cluster.stop()


def cluster_table(results: dict[str, tuple], args) -> list[str]:
    """virtualfs on the cluster against virtualfs on single-node Redis, reads alternating call by call."""
    lines = ["| measure | Redis (1 node) | Redis Cluster (3 primaries) | cluster / single |",
             "| --- | ---: | ---: | ---: |"]
    for label, calls, (single, cluster) in (("1 entity", args.calls, results["side by side"][0]),
                                            ("100 entities", args.batch_calls, results["side by side"][1])):
        for index, stat in enumerate(("p50", "p99")):
            lines.append(f"| {label}, 2 views: {stat} ms ({calls:,} calls each) | {single[index]:.3f} | "
                         f"{cluster[index]:.3f} | {cluster[index] / single[index]:.2f}x |")
    single, cluster = results["redis"][2][0], results["redis-cluster"][2][0]
    lines.append(f"| materialize {args.rows:,} rows: rows/s (median of {args.rounds}) | {single:,.0f} | "
                 f"{cluster:,.0f} | {cluster / single:.2f}x |")
    return lines


def table_rows(name: str, single: dict, batch: dict, throughput: tuple, args) -> list[str]:
    rows = []
    for label, result, calls in (("1 entity, 2 views, 6 features", single, args.calls),
                                 ("100 entities, 2 views, 6 features", batch, args.batch_calls)):
        for index, stat in enumerate(("p50", "p99")):
            ours, raw = result["ours"][index], result["raw"][index]
            cpu = f"+{result['cpu']:.3f} ms" if stat == "p50" else ""
            rows.append(f"| {name} | {label}: {stat} ms ({calls:,} calls) | {ours:.3f} | {raw:.3f} | "
                        f"{ours - raw:+.3f} ms | {cpu} |")
    ours, raw = throughput
    rows.append(f"| {name} | materialize {args.rows:,} rows: rows/s (median of {args.rounds}) | "
                f"{ours:,.0f} | {raw:,.0f} | "
                f"{ours / raw:.2f}x | |")
    return rows


if __name__ == "__main__":
    main()
