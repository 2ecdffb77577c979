"""Training-frame retrieval on DuckDB against hand-written DuckDB SQL of the same rule.

    .venv/bin/python bench/offline.py --scale small     # 10k entity rows, 1M source rows per view
    .venv/bin/python bench/offline.py --scale medium    # 100k entity rows, 10M source rows per view
    .venv/bin/python bench/offline.py --scale large --repeat 1   # 1M entity rows, 50M source rows per view
    .venv/bin/python bench/offline.py --warehouse postgres   # PostgreSQL on 127.0.0.1:5432, small scale
    .venv/bin/python bench/offline.py --warehouse spark [--scale medium]   # a local Spark session

Two views (orders with a 30-day TTL, page views), both with a created time, both rules. Timed:
``get_historical_features(...).to_pandas()`` and a hand-written query returning the same frame
(entity rows in order, all input columns): for the known-time rule a running best row per key
by (event, created) in the order rows became known, then ASOF JOIN on that time; for the
event-time rule ties deduplicated, then ASOF JOIN. Also shown, for scale, a plain ASOF JOIN on
the event time without any tie-break (wrong on ties). Each variant runs in its own process,
``--repeat`` times; the two variants of a rule alternate (A, B, A, B) so that load from other
work on the machine falls on both. Reported: the median time, and the peak memory above the
process's size before its first run, and the peak of the whole process (Python, pandas and the
embedded DuckDB together, which keeps to the warehouse's default memory limit). Last, the time
to compile the SQL of a 20-view request.

``--warehouse postgres`` times every PIT strategy PostgreSQL allows side by side instead (see
``bench/offline_postgres.py``); ``--warehouse spark`` times virtualfs on a local Spark session
against hand-written ``LEFT ASOF`` and window queries (see ``bench/offline_spark.py``).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

SCALES = {"small": (10_000, 1_000_000, 10_000), "medium": (100_000, 10_000_000, 100_000),
          "large": (1_000_000, 50_000_000, 1_000_000)}
DEFINITIONS = {
    "orders": ("ordered_at", "30d", ("amount", "quantity")),
    "page_views": ("viewed_at", None, ("dwell_seconds", "device")),
}
HAND_WRITTEN = {
    "known": """
WITH o AS (
  SELECT customer_id, ordered_at, amount, quantity, greatest(ordered_at, loaded_at) AS known
  FROM orders
  QUALIFY (ordered_at, loaded_at) = max((ordered_at, loaded_at)) OVER (
    PARTITION BY customer_id ORDER BY greatest(ordered_at, loaded_at)
    RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
), p AS (
  SELECT customer_id, dwell_seconds, device, greatest(viewed_at, loaded_at) AS known
  FROM page_views
  QUALIFY (viewed_at, loaded_at) = max((viewed_at, loaded_at)) OVER (
    PARTITION BY customer_id ORDER BY greatest(viewed_at, loaded_at)
    RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT e.customer_id, e.event_timestamp,
  CASE WHEN o.ordered_at >= e.event_timestamp - INTERVAL 30 DAY THEN o.amount END AS amount,
  CASE WHEN o.ordered_at >= e.event_timestamp - INTERVAL 30 DAY THEN o.quantity END AS quantity,
  p.dwell_seconds, p.device
FROM entities AS e
ASOF LEFT JOIN o ON e.customer_id = o.customer_id AND e.event_timestamp >= o.known
ASOF LEFT JOIN p ON e.customer_id = p.customer_id AND e.event_timestamp >= p.known
ORDER BY e.row_id
""",
    "event": """
WITH o AS (
  SELECT customer_id, ordered_at, amount, quantity FROM orders
  QUALIFY row_number() OVER (PARTITION BY customer_id, ordered_at ORDER BY loaded_at DESC) = 1
), p AS (
  SELECT customer_id, viewed_at, dwell_seconds, device FROM page_views
  QUALIFY row_number() OVER (PARTITION BY customer_id, viewed_at ORDER BY loaded_at DESC) = 1
)
SELECT e.customer_id, e.event_timestamp,
  CASE WHEN o.ordered_at >= e.event_timestamp - INTERVAL 30 DAY THEN o.amount END AS amount,
  CASE WHEN o.ordered_at >= e.event_timestamp - INTERVAL 30 DAY THEN o.quantity END AS quantity,
  p.dwell_seconds, p.device
FROM entities AS e
ASOF LEFT JOIN o ON e.customer_id = o.customer_id AND e.event_timestamp >= o.ordered_at
ASOF LEFT JOIN p ON e.customer_id = p.customer_id AND e.event_timestamp >= p.viewed_at
ORDER BY e.row_id
""",
    "floor": """
SELECT e.customer_id, e.event_timestamp, o.amount, o.quantity, p.dwell_seconds, p.device
FROM entities AS e
ASOF LEFT JOIN orders AS o ON e.customer_id = o.customer_id AND e.event_timestamp >= o.ordered_at
ASOF LEFT JOIN page_views AS p ON e.customer_id = p.customer_id AND e.event_timestamp >= p.viewed_at
ORDER BY e.row_id
""",
}

MAKE_SOURCE = """
CREATE TABLE {table} AS
SELECT customer_id, event_at AS {event},
       event_at + to_microseconds(CASE WHEN random() < 0.05 THEN (random() * 30 * 86400e6)::BIGINT
                                       ELSE (random() * 3600e6)::BIGINT END) AS loaded_at,
       {values}
FROM (SELECT (random() * $keys)::BIGINT AS customer_id,
             TIMESTAMP '2025-01-01' + to_microseconds((random() * 365 * 86400)::BIGINT * 1000000) AS event_at
      FROM range($rows))
"""
VALUES = {
    "orders": "round(random() * 200, 2) AS amount, (1 + random() * 5)::BIGINT AS quantity",
    "page_views": "round(random() * 300, 1) AS dwell_seconds, "
                  "CASE WHEN random() < 0.6 THEN 'mobile' ELSE 'desktop' END AS device",
}


def make_data(path: Path, scale: str) -> None:
    """Two source tables and the entity rows, deterministic (DuckDB's seeded random)."""
    entities, rows, keys = SCALES[scale]
    with duckdb.connect(str(path)) as connection:
        connection.execute("SELECT setseed(0.25)")
        for table, (event, _, _) in DEFINITIONS.items():
            sql = MAKE_SOURCE.format(table=table, event=event, values=VALUES[table])
            connection.execute(sql, {"rows": rows, "keys": keys})
        connection.execute(
            "CREATE TABLE entity_rows AS SELECT row_number() OVER () - 1 AS row_id, "
            "(random() * $keys)::BIGINT AS customer_id, TIMESTAMP '2025-03-01' + "
            "to_microseconds((random() * 300 * 86400)::BIGINT * 1000000) AS event_timestamp FROM range($n)",
            {"keys": keys, "n": entities},
        )


def registry():
    from virtualfs import Entity, Feature, FeatureView, Source
    from virtualfs.registry import Registry

    customer = Entity("customer", ["customer_id"])
    types = {"amount": "float64", "quantity": "int64", "dwell_seconds": "float64", "device": "string"}
    views = [
        FeatureView(table, [customer], Source(table, table=table, timestamp=event, created="loaded_at"),
                    [Feature(f, types[f]) for f in features], ttl=ttl)
        for table, (event, ttl, features) in DEFINITIONS.items()
    ]
    return Registry.from_objects(views)


def child(path: str, variant: str, rule: str, repeat: int) -> None:
    """One variant in this process: prints median seconds and peak MB above the starting size."""
    from virtualfs.retrieval import get_historical_features
    from virtualfs.warehouses.duckdb import DuckDBWarehouse

    warehouse = DuckDBWarehouse(path, read_only=True)
    frame = warehouse.connection.execute("SELECT * FROM entity_rows ORDER BY row_id").df()
    entities = frame[["customer_id", "event_timestamp"]]
    refs = [f"{view}:*" for view in DEFINITIONS]
    defined = registry()
    start_mb = _rss_mb()

    def run():
        if variant == "virtualfs":
            return get_historical_features(warehouse, defined, entities, refs, point_in_time=rule).to_pandas()
        warehouse.connection.register("entities", frame)
        try:
            return warehouse.connection.execute(HAND_WRITTEN[variant]).df()
        finally:
            warehouse.connection.unregister("entities")

    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - began)
    process_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_mb = process_mb - start_mb
    print(json.dumps({"times": times, "peak_mb": peak_mb, "process_mb": process_mb, "rows": len(result),
                      "filled": int(result["amount"].notna().sum())}))


def compile_times(views: int = 20, repeat: int = 20) -> dict[str, tuple[float, float]]:
    """Median milliseconds to compile a request of ``views`` views to trees, and to SQL text.

    Compiling is single-threaded Python, so it is timed in CPU time: on a busy machine the wall
    clock also counts the time other processes hold the CPU.
    """
    from virtualfs import Entity, Feature, FeatureView, Source
    from virtualfs.compile import names
    from virtualfs.compile.historical import build_retrieval
    from virtualfs.compile.request import EntityRelation, PitRequest
    from virtualfs.compile.resolve import resolve_lookups
    from virtualfs.dialects import KNOWN, capabilities_of
    from virtualfs.dialects.identifiers import temp_table
    from virtualfs.registry import Registry

    customer = Entity("customer", ["customer_id"])
    defined = Registry.from_objects([
        FeatureView(f"view_{i}", [customer], Source(f"s{i}", table=f"t{i}", timestamp="e", created="c"),
                    [Feature(f"f{i}_{j}", "float64") for j in range(3)], ttl="30d") for i in range(views)
    ])
    entities = EntityRelation(temp_table(names.ENTITIES), "event_timestamp",
                              (("customer_id", "customer_id"),), ("customer_id", "event_timestamp"))
    result = {}
    for dialect, capabilities in ((name, capabilities_of(name)) for name in KNOWN):
        trees, texts = [], []
        for _ in range(repeat):
            began = time.process_time()
            lookups = resolve_lookups(defined, [f"view_{i}:*" for i in range(views)])
            compiled = build_retrieval(PitRequest(lookups, entities), dialect, capabilities)
            built = time.process_time()
            compiled.render(dialect)
            trees.append(built - began)
            texts.append(time.process_time() - began)
        result[dialect] = (statistics.median(trees) * 1000, statistics.median(texts) * 1000)
    return result


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--scale", choices=list(SCALES), default="small")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warehouse", choices=["duckdb", "postgres", "spark"], default="duckdb")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--child", nargs=3, metavar=("PATH", "VARIANT", "RULE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.repeat)
        return
    if args.warehouse == "postgres":
        import offline_postgres

        offline_postgres.run(args.postgres_url, args.scale, args.repeat, make_data, registry)
        return
    if args.warehouse == "spark":
        import offline_spark

        # bench/profile.py would shadow the standard library's profile, which pyspark imports
        sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
        offline_spark.run(args.scale, args.repeat, make_data, registry)
        return
    with tempfile.TemporaryDirectory(prefix="vfs_bench_offline_") as folder:
        path = Path(folder) / "warehouse.duckdb"
        began = time.perf_counter()
        make_data(path, args.scale)
        entities, rows, _ = SCALES[args.scale]
        print(f"scale {args.scale}: {entities:,} entity rows, {rows:,} source rows per view, 2 views "
              f"(made in {time.perf_counter() - began:.1f} s); median of {args.repeat}\n")
        print("| rule | query | seconds | peak MB | whole process MB | vs hand-written (time / memory) |")
        print("|---|---|---|---|---|---|")
        for rule in ("known", "event"):
            hand, ours = _alternating(path, [rule, "virtualfs"], rule, args.repeat)
            assert ours["rows"] == hand["rows"] and ours["filled"] == hand["filled"], (ours, hand)
            print(f"| {rule} | hand-written | {hand['seconds']:.2f} | {hand['peak_mb']:.0f} | "
                  f"{hand['process_mb']:.0f} | |")
            print(f"| {rule} | virtualfs | {ours['seconds']:.2f} | {ours['peak_mb']:.0f} | "
                  f"{ours['process_mb']:.0f} | "
                  f"{ours['seconds'] / hand['seconds']:.2f}x / {ours['peak_mb'] / hand['peak_mb']:.2f}x |")
        (floor,) = _alternating(path, ["floor"], "event", args.repeat)
        print(f"| - | ASOF on event time, no tie-break (wrong on ties) | {floor['seconds']:.2f} | "
              f"{floor['peak_mb']:.0f} | {floor['process_mb']:.0f} | |")
    print("\ncompile a 20-view request, median CPU ms (trees / trees + SQL text):")
    for dialect, (trees, text) in compile_times().items():
        print(f"- {dialect}: {trees:.1f} / {text:.1f}")


def _alternating(path: Path, variants: list[str], rule: str, repeat: int) -> list[dict]:
    """Each variant ``repeat`` times, one process per run, variants taking turns."""
    runs: dict[str, list[dict]] = {variant: [] for variant in variants}
    for _ in range(repeat):
        for variant in variants:
            command = [sys.executable, __file__, "--child", str(path), variant, rule, "--repeat", "1"]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            runs[variant].append(json.loads(done.stdout.strip().splitlines()[-1]))
    return [{"seconds": statistics.median(t for run in results for t in run["times"]),
             "peak_mb": statistics.median(run["peak_mb"] for run in results),
             "process_mb": max(run["process_mb"] for run in results),
             "rows": results[0]["rows"], "filled": results[0]["filled"]} for results in runs.values()]


if __name__ == "__main__":
    main()
