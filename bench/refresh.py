"""Full vs incremental refresh time, against hand-written DuckDB SQL doing the same work.

    .venv/bin/python bench/refresh.py --scale 100     # ~10M orders: the "medium" scale

The demo warehouse's orders are split at a landing time: 99% are in the source at first, then
the last 1% lands. Timed: a full rebuild of the view's table, an incremental refresh picking up
the 1%, and the same two statements written by hand (CREATE TABLE AS / DELETE+INSERT by window).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path

import duckdb

from virtualfs import FeatureStore
from virtualfs.demo import make_demo_warehouse
from virtualfs.refresh import RefreshRequest, RefreshRunner

DEFINITIONS = '''
from virtualfs import Entity, Feature, FeatureView, Source

customer = Entity("customer", ["customer_id"])
orders = Source("orders", table="orders_landed", timestamp="ordered_at", created="loaded_at")
customer_orders = FeatureView(
    "customer_orders", [customer], orders,
    [Feature("amount", "float64"), Feature("quantity", "int64"), Feature("payment_method", "string")],
    materialize="incremental",
)
'''
COLUMNS = "customer_id, ordered_at, loaded_at, amount, quantity, payment_method"


def timed(action) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="vfs_bench_refresh_"))
    try:
        run(root, args.scale, args.repeat)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run(root: Path, scale: float, repeat: int) -> None:
    warehouse = root / "data" / "warehouse.duckdb"
    counts = make_demo_warehouse(warehouse, scale=scale)
    (root / "virtualfs.yaml").write_text("project: bench\n")
    (root / "views.py").write_text(DEFINITIONS)
    with duckdb.connect(str(warehouse)) as connection:
        cutoff = connection.execute("SELECT quantile_disc(loaded_at, 0.99) FROM orders").fetchone()[0]
    rows = {"full rebuild": [], "incremental (1% landed)": []}
    baseline = {"full rebuild": [], "incremental (1% landed)": []}
    for _ in range(repeat):
        with duckdb.connect(str(warehouse)) as connection:
            connection.execute(
                "CREATE OR REPLACE TABLE orders_landed AS SELECT * FROM orders WHERE loaded_at < ?", [cutoff])
            connection.execute("DROP SCHEMA IF EXISTS virtualfs_features CASCADE")
        shutil.rmtree(root / ".virtualfs", ignore_errors=True)
        with FeatureStore(root) as store:
            store.apply()
            runner, view = RefreshRunner(store.context), store.get_feature_view("customer_orders")
            rows["full rebuild"].append(timed(partial(runner.refresh, view, RefreshRequest(full=True))))
            table_mark = store.copies.table_mark(view)
            # an incremental run re-reads rows landed since the watermark less the lookback
            since = store.catalog.marks.watermark(view.name, table_mark) - view.effective_lookback
            store.warehouse.close()
        with duckdb.connect(str(warehouse)) as connection:
            connection.execute("INSERT INTO orders_landed SELECT * FROM orders WHERE loaded_at >= ?",
                               [cutoff])
        with FeatureStore(root) as store:
            runner, view = RefreshRunner(store.context), store.get_feature_view("customer_orders")
            rows["incremental (1% landed)"].append(timed(partial(runner.refresh, view, RefreshRequest())))
        with duckdb.connect(str(warehouse)) as connection:
            baseline["full rebuild"].append(timed(lambda: connection.execute(
                f"CREATE OR REPLACE TABLE hand AS SELECT {COLUMNS} FROM orders_landed")))  # noqa: S608
            connection.execute("DELETE FROM hand WHERE loaded_at >= ?", [since.replace(tzinfo=None)])
            incremental = partial(hand_incremental, connection, since)
            baseline["incremental (1% landed)"].append(timed(incremental))
    report(counts["orders"], rows, baseline)


def hand_incremental(connection, since) -> None:
    connection.execute("BEGIN")
    connection.execute("DELETE FROM hand WHERE loaded_at >= ?", [since.replace(tzinfo=None)])
    connection.execute(f"INSERT INTO hand SELECT {COLUMNS} FROM orders_landed WHERE loaded_at >= ?",  # noqa: S608
                       [since.replace(tzinfo=None)])
    connection.execute("COMMIT")


def report(source_rows: int, ours: dict, hand: dict) -> None:
    print(f"\nsource rows: {source_rows:,} orders (median of {len(next(iter(ours.values())))})\n")
    print("| refresh | virtualfs (s) | hand-written DuckDB (s) | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for name in ours:
        a, b = statistics.median(ours[name]), statistics.median(hand[name])
        print(f"| {name} | {a:.3f} | {b:.3f} | {a / b:.2f}x |")


if __name__ == "__main__":
    main()
