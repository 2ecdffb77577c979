"""``bench/offline.py --warehouse postgres``: training frames on PostgreSQL, every PIT strategy
the dialect allows side by side, against a hand-written query of the same rule.

The data are the DuckDB benchmark's (same generator, same seed), copied into a scratch schema
``vfs_bench_offline`` of the database at ``--postgres-url`` (the local server by default) and
dropped afterwards. Each case is timed twice: on the bare tables, and after
``CREATE INDEX ... (customer_id, <event time>)`` on both sources — an index is what makes a
per-row probe (``LATERAL ... LIMIT 1``) pay, so the chosen strategy must hold up against the
probe on indexed tables too.

Timed per run: ``get_historical_features(...).to_pandas()`` as chosen and with each strategy
forced (entity frame uploaded by ``COPY`` into a temporary table, query, result to pandas); two
hand-written queries (``DISTINCT ON`` over the joined candidates, and a ``LATERAL ... LIMIT 1``
probe per row) read the entity rows from a table already in the database and return the same
frame. A run past the statement timeout is stopped and shown as ``> 60``.
Variants take turns (A, B, C, A, B, C, ...) so that load elsewhere on the machine falls on all.
"""

from __future__ import annotations

import dataclasses
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

SCHEMA = "vfs_bench_offline"
TIMEOUT_S = 60
EVENT_TIME = {"orders": "ordered_at", "page_views": "viewed_at"}

# What one writes by hand in PostgreSQL for "the newest row known at t": a LATERAL probe per
# entity row. Known-time rule: only rows with event and landing time <= t; event-time rule: rows
# with event time <= t, the latest landing winning a tie. The 30-day TTL bounds the probe.
_PROBES = {
    "known": """
LEFT JOIN LATERAL (
  SELECT amount, quantity FROM orders AS o
  WHERE o.customer_id = e.customer_id AND o.ordered_at <= e.event_timestamp
    AND o.loaded_at <= e.event_timestamp AND o.ordered_at >= e.event_timestamp - INTERVAL '30 days'
  ORDER BY o.ordered_at DESC, o.loaded_at DESC LIMIT 1) AS o ON TRUE
LEFT JOIN LATERAL (
  SELECT dwell_seconds, device FROM page_views AS p
  WHERE p.customer_id = e.customer_id AND p.viewed_at <= e.event_timestamp
    AND p.loaded_at <= e.event_timestamp
  ORDER BY p.viewed_at DESC, p.loaded_at DESC LIMIT 1) AS p ON TRUE""",
    "event": """
LEFT JOIN LATERAL (
  SELECT amount, quantity FROM orders AS o
  WHERE o.customer_id = e.customer_id AND o.ordered_at <= e.event_timestamp
    AND o.ordered_at >= e.event_timestamp - INTERVAL '30 days'
  ORDER BY o.ordered_at DESC, o.loaded_at DESC LIMIT 1) AS o ON TRUE
LEFT JOIN LATERAL (
  SELECT dwell_seconds, device FROM page_views AS p
  WHERE p.customer_id = e.customer_id AND p.viewed_at <= e.event_timestamp
  ORDER BY p.viewed_at DESC, p.loaded_at DESC LIMIT 1) AS p ON TRUE""",
}
# Without an index, what one writes instead: every candidate joined once, the newest kept per row.
_DISTINCT_ON = """
WITH o AS (
  SELECT DISTINCT ON (e.row_id) e.row_id, s.amount, s.quantity
  FROM entity_rows AS e JOIN orders AS s ON s.customer_id = e.customer_id
   AND s.ordered_at <= e.event_timestamp AND s.ordered_at >= e.event_timestamp - INTERVAL '30 days' {known_o}
  ORDER BY e.row_id, s.ordered_at DESC, s.loaded_at DESC
), p AS (
  SELECT DISTINCT ON (e.row_id) e.row_id, s.dwell_seconds, s.device
  FROM entity_rows AS e JOIN page_views AS s ON s.customer_id = e.customer_id
   AND s.viewed_at <= e.event_timestamp {known_p}
  ORDER BY e.row_id, s.viewed_at DESC, s.loaded_at DESC
)
SELECT e.customer_id, e.event_timestamp, o.amount, o.quantity, p.dwell_seconds, p.device
FROM entity_rows AS e LEFT JOIN o ON o.row_id = e.row_id LEFT JOIN p ON p.row_id = e.row_id
ORDER BY e.row_id
"""
HAND_WRITTEN = """
SELECT e.customer_id, e.event_timestamp, o.amount, o.quantity, p.dwell_seconds, p.device
FROM entity_rows AS e {probes}
ORDER BY e.row_id
"""


def run(url: str, scale: str, repeat: int, make_data, registry) -> None:
    """Load the benchmark data into PostgreSQL, time every variant, print the table."""
    from virtualfs.compile.pit import BY_NAME
    from virtualfs.warehouses.postgres import PostgresWarehouse

    warehouse = PostgresWarehouse(url)
    try:
        began = time.perf_counter()
        rows = _load(warehouse, scale, make_data)
        warehouse.connection.execute(f"SET statement_timeout = '{TIMEOUT_S}s'")
        strategies = sorted(n for n, s in BY_NAME.items() if s.supports(warehouse.capabilities))
        version = warehouse.connection.execute("SHOW server_version").fetchone()[0]
        print(f"PostgreSQL {version}, scale {scale}: "
              f"{rows['entity_rows']:,} entity rows, {rows['orders']:,} + {rows['page_views']:,} source "
              f"rows (loaded in {time.perf_counter() - began:.1f} s); median of {repeat}; a run is "
              f"stopped after {TIMEOUT_S} s\n")
        print("| rule | source indexes | query | seconds | vs the faster hand-written |")
        print("| --- | --- | --- | ---: | ---: |")
        defined, entities = registry(), _entities(warehouse)
        for indexed in (False, True):
            if indexed:
                _index(warehouse)
            for rule in ("known", "event"):
                chosen = _Retrieval(warehouse, defined, entities, rule, None)
                variants = {f"virtualfs, as chosen ({chosen.strategy_name})": chosen}
                for name in strategies:
                    forced = _Retrieval(warehouse, defined, entities, rule, BY_NAME[name])
                    variants[f"virtualfs, {name} forced"] = forced
                variants["hand-written DISTINCT ON"] = _hand_written(warehouse, rule, distinct_on=True)
                variants["hand-written LATERAL"] = _hand_written(warehouse, rule)
                seconds = _alternating(variants, repeat)
                finished = [v for k, v in seconds.items() if k.startswith("hand") and v is not None]
                hand = min(finished, default=None)
                for name, value in seconds.items():
                    shown = f"> {TIMEOUT_S}" if value is None else f"{value:.2f}"
                    ratio = "" if value is None or hand is None else f"{value / hand:.2f}x"
                    indexes = "yes" if indexed else "no"
                    print(f"| {rule} | {indexes} | {name} | {shown} | {ratio} |", flush=True)
    finally:
        warehouse.connection.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        warehouse.close()


def _load(warehouse, scale: str, make_data) -> dict[str, int]:
    """The DuckDB benchmark's tables, copied into PostgreSQL as CSV through ``COPY``."""
    connection = warehouse.connection
    connection.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    connection.execute(f"CREATE SCHEMA {SCHEMA}")
    connection.execute(f"SET search_path = {SCHEMA}")
    connection.execute("""
        CREATE TABLE orders (customer_id BIGINT, ordered_at TIMESTAMP, loaded_at TIMESTAMP,
                             amount DOUBLE PRECISION, quantity BIGINT);
        CREATE TABLE page_views (customer_id BIGINT, viewed_at TIMESTAMP, loaded_at TIMESTAMP,
                                 dwell_seconds DOUBLE PRECISION, device TEXT);
        CREATE TABLE entity_rows (row_id BIGINT, customer_id BIGINT, event_timestamp TIMESTAMP);
    """)
    counts = {}
    with tempfile.TemporaryDirectory(prefix="vfs_bench_pg_") as folder:
        path = Path(folder) / "warehouse.duckdb"
        make_data(path, scale)
        with duckdb.connect(str(path), read_only=True) as source:
            for table in ("orders", "page_views", "entity_rows"):
                csv = Path(folder) / f"{table}.csv"
                source.execute(f"COPY {table} TO '{csv}' (HEADER, FORMAT csv)")
                with connection.cursor() as cursor, \
                        cursor.copy(f"COPY {table} FROM STDIN (FORMAT csv, HEADER)") as copy, \
                        csv.open("rb") as lines:
                    while block := lines.read(1 << 20):
                        copy.write(block)
                counts[table] = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    connection.execute("ANALYZE")
    return counts


def _index(warehouse) -> None:
    for table, event in EVENT_TIME.items():
        warehouse.connection.execute(f"CREATE INDEX ON {table} (customer_id, {event})")
    warehouse.connection.execute("ANALYZE")


def _entities(warehouse) -> pd.DataFrame:
    """The entity rows, in row order, as the frame a user passes in."""
    rows = warehouse.connection.execute(
        "SELECT customer_id, event_timestamp FROM entity_rows ORDER BY row_id").fetchall()
    entities = pd.DataFrame(rows, columns=["customer_id", "event_timestamp"])
    entities["event_timestamp"] = pd.to_datetime(entities["event_timestamp"], utc=True)
    return entities


class _Retrieval:
    """``get_historical_features(...).to_pandas()``, with the strategy forced or as chosen."""

    def __init__(self, warehouse, defined, entities: pd.DataFrame, rule: str, strategy) -> None:
        from virtualfs.retrieval import get_historical_features

        refs = [f"{view}:*" for view in EVENT_TIME]
        self.job = get_historical_features(warehouse, defined, entities, refs, point_in_time=rule)
        if strategy is not None:
            self.job = dataclasses.replace(self.job, strategy=strategy)
        self.strategy_name = self.job.strategy.name

    def __call__(self) -> pd.DataFrame:
        return self.job.to_pandas()


def _hand_written(warehouse, rule: str, distinct_on: bool = False):
    landed = "AND s.loaded_at <= e.event_timestamp" if rule == "known" else ""
    sql = (_DISTINCT_ON.format(known_o=landed, known_p=landed) if distinct_on
           else HAND_WRITTEN.format(probes=_PROBES[rule]))

    def retrieve() -> pd.DataFrame:
        with warehouse.connection.cursor() as cursor:
            cursor.execute(sql)
            columns = [d.name for d in cursor.description]
            frame = pd.DataFrame(cursor.fetchall(), columns=columns)
        frame["event_timestamp"] = pd.to_datetime(frame["event_timestamp"], utc=True)
        return frame

    return retrieve


def _alternating(variants: dict, repeat: int) -> dict[str, float | None]:
    """Median seconds per variant, variants taking turns; ``None`` for a variant stopped by the
    statement timeout (it is not run again). Every finished frame must equal the first one's."""
    import psycopg

    from virtualfs.errors import WarehouseError

    columns = ["amount", "quantity", "dwell_seconds", "device"]
    runs: dict[str, list[float] | None] = {name: [] for name in variants}
    expected = None
    for _ in range(repeat):
        for name, retrieve in variants.items():
            if runs[name] is None:
                continue
            began = time.perf_counter()
            try:
                frame = retrieve()
            except (WarehouseError, psycopg.errors.QueryCanceled) as error:
                if "statement timeout" not in str(error):
                    raise
                runs[name] = None
                continue
            runs[name].append(time.perf_counter() - began)
            values = frame[columns].astype(object).where(frame[columns].notna(), None)
            values = [values[c].tolist() for c in columns]
            expected = values if expected is None else expected
            assert values == expected, f"{name} returned different features"
    return {name: None if values is None else statistics.median(values) for name, values in runs.items()}
