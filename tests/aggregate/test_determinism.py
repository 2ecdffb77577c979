"""Sums and averages of floats come out the same bits every time the same request runs.

DuckDB adds a double column's values in whatever order its threads finish, so a plain ``SUM``
over a few row groups differs from run to run in the last digits (this test failed that way
before sums were taken exactly, see ``virtualfs.dialects.sums``). Enough rows to span several
row groups, floats with many digits, every formulation; five runs, byte for byte.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pyarrow as pa
import pytest
from sqlglot import exp

from tests.aggregate.helpers import create_source, drop_source, formulations_for
from virtualfs import Aggregation, Entity, FeatureView, Source
from virtualfs.compile.aggregate import AggregateColumn, AggregateRequest, build_aggregate_select
from virtualfs.compile.request import EntityRelation
from virtualfs.definitions import DType
from virtualfs.warehouses.base import uploaded

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
RUNS = 5
# several of DuckDB's row groups (122,880 rows) for DuckDB and fakesnow; a real scan elsewhere
ROWS = {"duckdb": 400_000, "snowflake": 400_000, "postgres": 100_000, "spark": 20_000}


def events(count: int) -> pa.Table:
    """Five keys, a month of events each, amounts with sixteen significant digits."""
    generator = np.random.default_rng(7)
    seconds = generator.integers(0, 30 * 86_400, count)
    return pa.table({
        "customer_id": pa.array(generator.integers(1, 6, count), pa.int64()),
        "event_ts": pa.array([T0 + timedelta(seconds=int(s)) for s in seconds], pa.timestamp("us", tz="UTC")),
        "amount": pa.array(generator.normal(100.0, 40.0, count) / 7.0, pa.float64()),
    })


def view_over(table: str) -> FeatureView:
    aggregations = [Aggregation(f"{f}_{w}", f, "amount", f"{w}d") for f in ("sum", "avg") for w in (3, 30)]
    return FeatureView("activity", [Entity("customer", ["customer_id"])],
                       Source("events", table=table, timestamp="event_ts"), [], aggregations=aggregations)


def test_float_sums_and_averages_are_the_same_bits_every_run(warehouse):
    frame = events(ROWS[warehouse.dialect]).to_pandas()
    table = create_source(warehouse, frame, naive=False)
    try:
        view = view_over(table)
        columns = tuple(AggregateColumn(a, a.name, DType.FLOAT64) for a in view.aggregations)
        labels = pa.table({"customer_id": pa.array([1, 2, 3, 4, 5, 1], pa.int64()),
                           "event_timestamp": pa.array([T0 + timedelta(days=d) for d in (31, 31, 20, 31, 5, 15)],
                                                       pa.timestamp("us", tz="UTC")),
                           "_vfs_row": pa.array(range(6), pa.int64())})
        with uploaded(warehouse, "_vfs_entities", labels) as entities:
            relation = EntityRelation(entities, "event_timestamp", (("customer_id", "customer_id"),), ())
            request = AggregateRequest(view, columns, relation, "event")
            for formulation in formulations_for(warehouse):
                query = build_aggregate_select(request, warehouse.dialect, formulation)
                runs = {_bytes(warehouse.fetch_arrow(query)) for _ in range(RUNS)}
                assert len(runs) == 1, f"{formulation.name}: {len(runs)} different results in {RUNS} runs"
    finally:
        drop_source(warehouse, table)


def _bytes(result: pa.Table) -> bytes:
    ordered = result.sort_by("_vfs_row")
    return b"".join(ordered.column(name).combine_chunks().buffers()[1].to_pybytes()
                    for name in ordered.column_names if pa.types.is_floating(ordered.schema.field(name).type))


@pytest.fixture(autouse=True)
def _two_threads(warehouse):
    """DuckDB's parallel sums are what differ: make sure it runs more than one thread."""
    if warehouse.dialect == "duckdb":
        warehouse.execute(exp.Set(expressions=[exp.SetItem(this=exp.EQ(
            this=exp.column("threads"), expression=exp.Literal.number(2)))]))
