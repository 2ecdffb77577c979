"""Windowed aggregations on DuckDB: the compiled query against a naive range join and a
hand-written window query, same data, same run.

    .venv/bin/python bench/aggregations.py                 # 100k entity rows, 10M events
    .venv/bin/python bench/aggregations.py --scale 0.1     # 10k entity rows, 1M events

Events: ``--keys`` customers (default 2,000), each with about the same number of events spread
over a year, a created time 0-10 minutes after the event, an ``amount`` (float) and a
``quantity`` (int). Entity rows: customers at random times in the last 11 months. Per window
(1h, 1d, 7d, 30d), five aggregations on the two columns: count and sum and avg of amount, sum
and max of quantity. Every result is checked equal to the naive one before it is timed.

- compiled: ``choose_formulation("duckdb")`` (``Tiled``), summarising tiles at query time;
- kept tiles: the same, reading the tiles a refresh keeps (windows of 7 days and more); the
  time to build them from nothing (what ``refresh --full`` adds) is printed below the table;
- naive: ``RangeJoin``, the reference formulation;
- hand-written: one ``RANGE BETWEEN`` window over events and entity rows sorted together,
  event-time rule only (a window frame cannot drop rows that landed after each label).
"""

from __future__ import annotations

import argparse
import math
import platform
import tempfile
import time
from dataclasses import replace
from datetime import timedelta

import duckdb
import pyarrow as pa
from sqlglot import exp

from virtualfs import Aggregation, Entity, FeatureView, Source
from virtualfs.catalog import Catalog
from virtualfs.compile.aggregate import (
    AggregateColumn,
    AggregateRequest,
    RangeJoin,
    build_aggregate_select,
    choose_formulation,
)
from virtualfs.compile.aggregate.kept_tiles import KeptTiles, plan_kept_tiles
from virtualfs.compile.feature_schema import FeatureSchema
from virtualfs.compile.request import EntityRelation
from virtualfs.context import ProjectContext
from virtualfs.copies import StoredCopies
from virtualfs.definitions import DType
from virtualfs.refresh.keep_tiles import keep_tiles
from virtualfs.warehouses.duckdb import DuckDBWarehouse

WINDOWS = {"1h": timedelta(hours=1), "1d": timedelta(days=1), "7d": timedelta(days=7),
           "30d": timedelta(days=30)}
FUNCTIONS = (("count", "amount", DType.INT64), ("sum", "amount", DType.FLOAT64),
             ("avg", "amount", DType.FLOAT64), ("sum", "quantity", DType.INT64),
             ("max", "quantity", DType.INT64))
YEAR_US = 365 * 86_400_000_000
EVENTS_SQL = """
CREATE OR REPLACE TABLE events AS
SELECT (hash(i) % $keys)::BIGINT AS customer_id,
       make_timestamptz(1735689600000000 + (hash(i * 7 + 1) % $year)::BIGINT) AS event_ts,
       event_ts + to_microseconds((hash(i * 3 + 2) % 600000000)::BIGINT) AS created_ts,
       (hash(i * 5 + 3) % 10000) / 100.0 AS amount,
       (hash(i * 11 + 4) % 10)::BIGINT AS quantity
FROM range($events) AS r(i)
"""
ENTITIES_SQL = """
SELECT (hash(i + 99) % $keys)::BIGINT AS customer_id,
       make_timestamptz(1738368000000000 + (hash(i * 13 + 5) % $span)::BIGINT) AS event_timestamp,
       i AS _vfs_row
FROM range($rows) AS r(i)
"""
# Rows landing after everything before them: created within the hour after the last landing,
# events up to two days before that.
LANDING_SQL = """
INSERT INTO events
WITH last AS (SELECT max(created_ts) AS at FROM events)
SELECT (hash(i + 7) % $keys)::BIGINT,
       last.at - to_microseconds((hash(i * 17 + 3) % 172800000000)::BIGINT),
       last.at + to_microseconds(1 + (hash(i * 19 + 1) % 3600000000)::BIGINT),
       (hash(i * 23 + 5) % 10000) / 100.0, (hash(i * 29 + 7) % 10)::BIGINT
FROM range($rows) AS r(i), last
"""


# The hand-written query: what one writes in DuckDB for "sum over the last w" per label row.
WINDOW_SQL = """
WITH u AS (
  SELECT customer_id, epoch_us(event_ts) AS ts, amount, quantity, NULL::BIGINT AS _vfs_row FROM events
  UNION ALL
  SELECT customer_id, epoch_us(event_timestamp), NULL, NULL, _vfs_row FROM _vfs_entities)
SELECT _vfs_row, count(amount) OVER w, sum(amount) OVER w, avg(amount) OVER w,
       sum(quantity) OVER w, max(quantity) OVER w
FROM u
WINDOW w AS (PARTITION BY customer_id ORDER BY ts RANGE BETWEEN $preceding PRECEDING AND CURRENT ROW)
QUALIFY _vfs_row IS NOT NULL
ORDER BY _vfs_row
"""

COPIES = StoredCopies(FeatureSchema.of("features", "bench"), "bench")

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 100k entity rows, 10M events")
    parser.add_argument("--keys", type=int, help="distinct customers (default 2,000 x scale)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per query; the best is reported")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--windows", nargs="+", choices=[*WINDOWS, "all"], default=[*WINDOWS, "all"])
    parser.add_argument("--rules", nargs="+", choices=["event", "known"], default=["event", "known"])
    args = parser.parse_args()
    warehouse = DuckDBWarehouse()
    warehouse.connection.execute(f"SET threads = {args.threads}")
    events, rows = int(10_000_000 * args.scale), int(100_000 * args.scale)
    keys = args.keys or max(1, int(2000 * args.scale))
    relation = load(warehouse, events, rows, keys)
    print(f"{events:,} events, {rows:,} entity rows, {keys:,} keys; DuckDB {duckdb.__version__}, "
          f"{args.threads} threads, {platform.processor() or platform.machine()}; best of {args.repeat}\n")
    print("| rule | window | compiled (s) | kept tiles (s) | naive range join (s) | "
          "hand-written window (s) | naive / compiled | naive / kept tiles |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    cases = [(label, [WINDOWS[label]]) for label in WINDOWS if label in args.windows]
    if "all" in args.windows:
        cases.append(("all four", list(WINDOWS.values())))
    builds: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        catalog = Catalog(f"sqlite:///{folder}/catalog.db", "bench")
        for rule in args.rules:
            for label, windows in cases:
                report(warehouse, relation, rule, label, windows, args.repeat, catalog, builds)
        print("\nKept tiles built from nothing (what a full refresh adds):", "; ".join(builds) or "none")
        if builds:
            maintain(warehouse, catalog, events // 100)


def maintain(warehouse: DuckDBWarehouse, catalog: Catalog, landed: int) -> None:
    """An incremental refresh's share: ``landed`` rows land after the tiles' watermark (events
    up to two days old); the tiles of the 30-day view are updated, then rebuilt, and compared."""
    view = view_for([WINDOWS["30d"]])
    kept = keep(warehouse, catalog, view)
    connection = warehouse.connection
    keys = connection.execute("SELECT count(DISTINCT customer_id) FROM events").fetchone()[0]
    connection.execute(LANDING_SQL.replace("$rows", str(landed)).replace("$keys", str(keys)))
    known_by = connection.execute("SELECT max(greatest(event_ts, created_ts)) FROM events").fetchone()[0]
    began = time.perf_counter()
    keep_tiles(ProjectContext("bench", warehouse, catalog, COPIES), view, known_by, rebuild=False)
    updated = time.perf_counter() - began
    table, copy = kept[0].relation("duckdb"), exp.to_table("updated")
    warehouse.execute(exp.Create(this=copy, kind="TABLE", expression=exp.select("*").from_(table.copy())))
    began = time.perf_counter()
    keep_tiles(ProjectContext("bench", warehouse, catalog, COPIES), view, known_by, rebuild=True)
    rebuilt = time.perf_counter() - began
    check_same_tiles(warehouse.fetch_arrow(exp.select("*").from_(copy)),
                     warehouse.fetch_arrow(exp.select("*").from_(table)))
    print(f"Kept tiles after {landed:,} rows landed (events up to 2 days old): incremental update "
          f"{updated:.2f} s, rebuild {rebuilt:.2f} s ({rebuilt / updated:.1f}x); same tiles")


def load(warehouse: DuckDBWarehouse, events: int, rows: int, keys: int) -> EntityRelation:
    connection = warehouse.connection
    connection.execute(EVENTS_SQL.replace("$keys", str(keys)).replace("$year", str(YEAR_US))
                       .replace("$events", str(events)))
    sql = (ENTITIES_SQL.replace("$keys", str(keys)).replace("$span", str(YEAR_US * 11 // 12))
           .replace("$rows", str(rows)))
    rows = connection.execute(sql).to_arrow_table()
    table = warehouse.upload("_vfs_entities", rows)
    # the entity rows in memory, as get_historical_features passes them to the compiler
    return EntityRelation(table, "event_timestamp", (("customer_id", "customer_id"),), (), rows=rows)


def keep(warehouse: DuckDBWarehouse, catalog: Catalog, view: FeatureView) -> tuple[KeptTiles, ...]:
    """Build the view's kept tiles from nothing, as a refresh does; those a read may use, with
    the watermark they are built to (every event has landed by then)."""
    warehouse.execute(exp.Create(this=exp.to_identifier("features"), kind="SCHEMA", exists=True))
    latest = "SELECT max(greatest(event_ts, created_ts)) FROM events"
    known_by = warehouse.connection.execute(latest).fetchone()[0]
    keep_tiles(ProjectContext("bench", warehouse, catalog, COPIES), view, known_by, rebuild=True)
    return tuple(replace(k, known_by=known_by) for k in plan_kept_tiles(view, COPIES.schema))


def view_for(windows: list[timedelta]) -> FeatureView:
    aggregations = [
        Aggregation(f"{function}_{column}_{int(w.total_seconds())}", function, column, w)
        for w in windows for function, column, _ in FUNCTIONS
    ]
    source = Source("events", table="events", timestamp="event_ts", created="created_ts")
    customer = Entity("customer", ["customer_id"])
    return FeatureView("activity", [customer], source, [], aggregations=aggregations,
                       materialize="incremental")


def report(warehouse: DuckDBWarehouse, relation: EntityRelation, rule: str, label: str,
           windows: list[timedelta], repeat: int, catalog: Catalog, builds: list[str]) -> None:
    view = view_for(windows)
    dtypes = [dtype for _ in windows for _, _, dtype in FUNCTIONS]
    columns = tuple(AggregateColumn(a, a.name, d) for a, d in zip(view.aggregations, dtypes, strict=True))
    request = AggregateRequest(view, columns, relation, rule)
    compiled = build_aggregate_select(request, "duckdb", choose_formulation("duckdb"))
    naive = build_aggregate_select(request, "duckdb", RangeJoin())
    reference = warehouse.fetch_arrow(naive)
    check(reference, warehouse.fetch_arrow(compiled), "compiled")
    actions = {"compiled": lambda: warehouse.fetch_arrow(compiled),
               "naive": lambda: warehouse.fetch_arrow(naive)}
    if any(w >= timedelta(days=7) for w in windows):
        began = time.perf_counter()
        kept = keep(warehouse, catalog, view)
        if kept:
            builds.append(f"{label} {time.perf_counter() - began:.2f} s")
            with_kept = build_aggregate_select(replace(request, kept=kept), "duckdb",
                                               choose_formulation("duckdb"))
            check(reference, warehouse.fetch_arrow(with_kept), "kept tiles")
            actions["kept"] = lambda: warehouse.fetch_arrow(with_kept)
    times = timed(actions, repeat)
    hand = "n/a"
    if rule == "event" and len(windows) == 1:
        preceding = str(windows[0] // timedelta(microseconds=1) - 1)
        sql = WINDOW_SQL.replace("$preceding", preceding)
        check(reference, warehouse.connection.execute(sql).to_arrow_table(), "hand-written")
        seconds = timed({"hand": lambda: warehouse.connection.execute(sql).to_arrow_table()}, repeat)
        hand = f"{seconds['hand']:.2f}"
    kept_time, kept_ratio = "n/a", "n/a"
    if "kept" in times:
        kept_time, kept_ratio = f"{times['kept']:.2f}", f"{times['naive'] / times['kept']:.1f}x"
    ratio = times["naive"] / times["compiled"]
    print(f"| {rule} | {label} | {times['compiled']:.2f} | {kept_time} | {times['naive']:.2f} | {hand} | "
          f"{ratio:.1f}x | {kept_ratio} |", flush=True)


def check_same_tiles(updated: pa.Table, rebuilt: pa.Table) -> None:
    """The same (key, tile) rows with the same summaries (sums of floats to rounding: a sum's
    order differs between runs)."""
    order = [("_vfs_k0", "ascending"), ("_vfs_tile", "ascending")]
    check(updated.sort_by(order), rebuilt.sort_by(order), "updated tiles", first=0)


def check(expected: pa.Table, actual: pa.Table, what: str, first: int = 1) -> None:
    """Same rows, same values (floats to 1e-9 relative), column by column in order."""
    assert expected.num_rows == actual.num_rows, what
    for index in range(first, expected.num_columns):
        pairs = zip(expected.column(index).to_pylist(), actual.column(index).to_pylist(), strict=True)
        for want, got in pairs:
            both = want is not None and got is not None
            assert want == got or (both and math.isclose(want, got, rel_tol=1e-9)), (
                f"{what}: column {expected.column_names[index]}: {got!r} != {want!r}")


def timed(actions: dict, repeat: int) -> dict[str, float]:
    """The best of ``repeat`` runs of each action, run in turn so that load elsewhere on the
    machine falls on all of them alike."""
    runs: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeat):
        for name, action in actions.items():
            began = time.perf_counter()
            action()
            runs[name].append(time.perf_counter() - began)
    return {name: min(values) for name, values in runs.items()}


if __name__ == "__main__":
    main()
