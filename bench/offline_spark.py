"""``bench/offline.py --warehouse spark``: training frames on a local Spark session (``local[2]``),
virtualfs as chosen (Spark 4.3: ``LEFT ASOF JOIN ... MATCH_CONDITION``) and with the window
strategy forced, against the best hand-written Spark SQL of the same rule in both techniques.

The data are the DuckDB benchmark's (same generator, same seed), written to Parquet and loaded
into a scratch database of a session whose tables live in a temporary folder. One session for
every run: starting Spark (about ten seconds) is not what is measured.

Timed per run, for every variant alike: the entity frame (pandas) uploaded with Arrow into a
temporary view, the query, the result back to pandas. Hand-written:

- ``LEFT ASOF``: the known-time rule keeps each key's running best row by (event, created) in the
  order rows became known (a ``MAX(STRUCT(...))`` window), then ``LEFT ASOF JOIN`` on the known
  time; the event-time rule deduplicates ties on the event time, then joins on the event time;
- ``window``: every candidate row joined to its entity row, the newest kept per row
  (``ROW_NUMBER()``), then joined back.

Variants take turns (A, B, C, D, A, ...) so that load elsewhere on the machine falls on all; every
frame must equal the first one's.
"""

from __future__ import annotations

import dataclasses
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

DATABASE = "vfs_bench_offline"
EVENT_TIME = {"orders": "ordered_at", "page_views": "viewed_at"}
_TTL = "o.ordered_at >= e.event_timestamp - INTERVAL 30 DAYS"

_BEST_KNOWN = """
  SELECT customer_id, {event}, {values}, GREATEST({event}, loaded_at) AS known FROM (
    SELECT *, MAX(STRUCT({event}, loaded_at)) OVER (
      PARTITION BY customer_id ORDER BY GREATEST({event}, loaded_at)
      RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS best
    FROM {table})
  WHERE best.{event} = {event} AND best.loaded_at = loaded_at"""
_BEST_EVENT = """
  SELECT customer_id, {event}, {values} FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY customer_id, {event} ORDER BY loaded_at DESC) AS n
    FROM {table})
  WHERE n = 1"""
ASOF = """
WITH o AS ({best_o}), p AS ({best_p})
SELECT e.customer_id, e.event_timestamp,
  CASE WHEN {ttl} THEN o.amount END AS amount, CASE WHEN {ttl} THEN o.quantity END AS quantity,
  p.dwell_seconds, p.device
FROM entities AS e
LEFT ASOF JOIN o MATCH_CONDITION (e.event_timestamp >= o.{probe_o}) ON e.customer_id = o.customer_id
LEFT ASOF JOIN p MATCH_CONDITION (e.event_timestamp >= p.{probe_p}) ON e.customer_id = p.customer_id
ORDER BY e.row_id
"""
WINDOW = """
WITH o AS (
  SELECT row_id, amount, quantity FROM (
    SELECT e.row_id, o.amount, o.quantity, ROW_NUMBER() OVER (
      PARTITION BY e.row_id ORDER BY o.ordered_at DESC, o.loaded_at DESC) AS n
    FROM entities AS e JOIN orders AS o ON o.customer_id = e.customer_id
     AND o.ordered_at <= e.event_timestamp AND {ttl} {known_o})
  WHERE n = 1
), p AS (
  SELECT row_id, dwell_seconds, device FROM (
    SELECT e.row_id, p.dwell_seconds, p.device, ROW_NUMBER() OVER (
      PARTITION BY e.row_id ORDER BY p.viewed_at DESC, p.loaded_at DESC) AS n
    FROM entities AS e JOIN page_views AS p ON p.customer_id = e.customer_id
     AND p.viewed_at <= e.event_timestamp {known_p})
  WHERE n = 1
)
SELECT e.customer_id, e.event_timestamp, o.amount, o.quantity, p.dwell_seconds, p.device
FROM entities AS e LEFT JOIN o ON o.row_id = e.row_id LEFT JOIN p ON p.row_id = e.row_id
ORDER BY e.row_id
"""
VALUES = {"orders": "amount, quantity", "page_views": "dwell_seconds, device"}


def hand_written(rule: str, technique: str) -> str:
    if technique == "window":
        known = {alias: f"AND {alias}.loaded_at <= e.event_timestamp" if rule == "known" else ""
                 for alias in ("o", "p")}
        return WINDOW.format(ttl=_TTL, known_o=known["o"], known_p=known["p"])
    best = _BEST_KNOWN if rule == "known" else _BEST_EVENT
    parts = {alias: best.format(event=EVENT_TIME[table], values=VALUES[table], table=table)
             for alias, table in (("o", "orders"), ("p", "page_views"))}
    probes = {alias: "known" if rule == "known" else EVENT_TIME[table]
              for alias, table in (("o", "orders"), ("p", "page_views"))}
    return ASOF.format(best_o=parts["o"], best_p=parts["p"], ttl=_TTL,
                       probe_o=probes["o"], probe_p=probes["p"])


def run(scale: str, repeat: int, make_data, registry) -> None:
    """Load the benchmark data into a local Spark session, time every variant, print the table."""
    from virtualfs.compile.pit import WindowRank
    from virtualfs.warehouses.spark import SparkWarehouse, open_session

    folder = tempfile.mkdtemp(prefix="vfs_bench_spark_")
    session = open_session("local[2]", None, {
        "spark.sql.warehouse.dir": str(Path(folder) / "warehouse"), "spark.log.level": "ERROR",
        "spark.ui.showConsoleProgress": "false", "spark.driver.memory": "4g",
        "spark.sql.shuffle.partitions": "4"})
    try:
        began = time.perf_counter()
        rows, entities = _load(session, folder, scale, make_data)
        warehouse = SparkWarehouse(session, database=DATABASE)
        print(f"Spark {session.version} local[2], scale {scale}: {rows['entity_rows']:,} entity rows, "
              f"{rows['orders']:,} + {rows['page_views']:,} source rows (loaded in "
              f"{time.perf_counter() - began:.1f} s); median of {repeat}\n")
        print("| rule | query | seconds | vs the faster hand-written |")
        print("| --- | --- | ---: | ---: |")
        defined = registry()
        for rule in ("known", "event"):
            chosen = _Retrieval(warehouse, defined, entities, rule, None)
            variants = {
                f"virtualfs, as chosen ({chosen.strategy_name})": chosen,
                "virtualfs, window_rank forced": _Retrieval(warehouse, defined, entities, rule, WindowRank()),
                "hand-written LEFT ASOF": _HandWritten(session, entities, hand_written(rule, "asof")),
                "hand-written window": _HandWritten(session, entities, hand_written(rule, "window")),
            }
            seconds = _alternating(variants, repeat)
            hand = min(v for k, v in seconds.items() if k.startswith("hand"))
            for name, value in seconds.items():
                print(f"| {rule} | {name} | {value:.2f} | {value / hand:.2f}x |", flush=True)
    finally:
        session.sql(f"DROP DATABASE IF EXISTS {DATABASE} CASCADE")
        session.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _load(session, folder: str, scale: str, make_data) -> tuple[dict[str, int], pd.DataFrame]:
    """The DuckDB benchmark's tables as Spark tables (through Parquet); the entity frame."""
    path = Path(folder) / "warehouse.duckdb"
    make_data(path, scale)
    session.sql(f"CREATE DATABASE IF NOT EXISTS {DATABASE}")
    counts = {}
    with duckdb.connect(str(path), read_only=True) as source:
        source.execute("SET TimeZone = 'UTC'")
        for table in ("orders", "page_views", "entity_rows"):
            parquet = Path(folder) / f"{table}.parquet"
            source.execute(f"COPY {table} TO '{parquet}' (FORMAT parquet)")
            session.read.parquet(str(parquet)).write.saveAsTable(f"{DATABASE}.{table}")
            counts[table] = source.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
        entities = source.execute(
            "SELECT customer_id, event_timestamp FROM entity_rows ORDER BY row_id").df()
    entities["event_timestamp"] = pd.to_datetime(entities["event_timestamp"], utc=True)
    return counts, entities


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


class _HandWritten:
    """The entity frame uploaded with Arrow (row ids added), the query, the result to pandas."""

    def __init__(self, session, entities: pd.DataFrame, sql: str) -> None:
        import pyarrow as pa

        self.session, self.sql = session, sql
        self.table = pa.Table.from_pandas(entities.assign(row_id=range(len(entities))), preserve_index=False)

    def __call__(self) -> pd.DataFrame:
        self.session.createDataFrame(self.table).createOrReplaceTempView("entities")
        try:
            return self.session.sql(self.sql).toArrow().to_pandas()
        finally:
            self.session.catalog.dropTempView("entities")


def _alternating(variants: dict, repeat: int) -> dict[str, float]:
    """Median seconds per variant, variants taking turns; every frame must equal the first one's."""
    columns = ["amount", "quantity", "dwell_seconds", "device"]
    runs: dict[str, list[float]] = {name: [] for name in variants}
    expected = None
    for _ in range(repeat):
        for name, retrieve in variants.items():
            began = time.perf_counter()
            frame = retrieve()
            runs[name].append(time.perf_counter() - began)
            values = frame[columns].astype(object).where(frame[columns].notna(), None)
            values = [values[c].tolist() for c in columns]
            expected = values if expected is None else expected
            assert values == expected, f"{name} returned different features"
    return {name: statistics.median(values) for name, values in runs.items()}
