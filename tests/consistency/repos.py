"""Repositories for the consistency tests: one view over an ``orders`` table in DuckDB or
PostgreSQL, logging every request (or a sample) to a sink, and rows appended as a loader would."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
from sqlglot import exp

from tests.backends import POSTGRES_OPTIONS, _postgres_schema, create_user_table
from virtualfs.config import load_config
from virtualfs.dialects.identifiers import frame_column, warehouse_column, warehouse_table
from virtualfs.warehouses import open_warehouse
from virtualfs.warehouses.base import uploaded

DEFINITIONS = """\
from virtualfs import Entity, Feature, FeatureService, FeatureView, Source

customer = Entity("customer", ["customer_id"])
orders = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
customer_orders = FeatureView("customer_orders", [customer], orders,
                              [Feature("amount", "float64"), Feature("items", "int64")], ttl="3650d")
churn = FeatureService("churn", ["customer_orders:*"])
"""
START = datetime(2026, 1, 1, tzinfo=timezone.utc)



def order_rows(rows: Sequence[tuple[int, datetime, datetime, float, int]]) -> pa.Table:
    """(customer_id, ordered_at, loaded_at, amount, items) rows as the orders table's columns."""
    stamp = pa.timestamp("us", tz="UTC")
    ids, ordered, loaded, amounts, items = (list(column) for column in zip(*rows, strict=True))
    return pa.table({"customer_id": pa.array(ids, pa.int64()), "ordered_at": pa.array(ordered, stamp),
                     "loaded_at": pa.array(loaded, stamp), "amount": pa.array(amounts, pa.float64()),
                     "items": pa.array(items, pa.int64())})


@contextmanager
def consistency_repo(root: Path, warehouse: str, sink: str, sample: float = 1.0,
                     rows: Sequence[tuple] = (), logging: str = "seed: 11, flush_seconds: 0.2",
                     online: str = "{type: sqlite, path: .virtualfs/online.db}",
                     definitions: str = DEFINITIONS) -> Iterator[Path]:
    """A repository on ``warehouse`` (duckdb or postgres) logging ``sample`` of requests to
    ``sink`` (a YAML value) with more ``logging`` settings, its orders table holding ``rows``."""
    with _warehouse_section(root, warehouse) as section:
        root.mkdir(parents=True, exist_ok=True)
        (root / "virtualfs.yaml").write_text(
            f"project: shop\nwarehouse: {section}\nonline: {online}\n"
            f"logging: {{sample: {sample}, sink: {sink}, {logging}}}\n")
        (root / "features.py").write_text(textwrap.dedent(definitions))
        opened = open_warehouse(load_config(root).warehouse)
        try:
            create_user_table(opened, "orders", order_rows(rows))
        finally:
            opened.close()
        yield root


def append_orders(root: Path, rows: Sequence[tuple]) -> None:
    """Rows landing in the orders table after the last refresh."""
    warehouse = open_warehouse(load_config(root).warehouse)
    try:
        table = order_rows(rows)
        target = warehouse_table("orders", warehouse.dialect)
        with uploaded(warehouse, "_vfs_seed", table) as staged:
            names = [warehouse_column(c, warehouse.dialect) for c in table.column_names]
            into = exp.Schema(this=target, expressions=names)
            select = exp.select(*(exp.column(frame_column(c)) for c in table.column_names)).from_(staged)
            warehouse.execute(exp.Insert(this=into, expression=select))
    finally:
        warehouse.close()


@contextmanager
def _warehouse_section(root: Path, warehouse: str) -> Iterator[str]:
    if warehouse == "duckdb":
        path = root / "data" / "warehouse.duckdb"
        path.parent.mkdir(parents=True, exist_ok=True)
        import duckdb

        duckdb.connect(str(path)).close()
        yield "{type: duckdb, path: data/warehouse.duckdb}"
        return
    with _postgres_schema() as schema:
        options = ", ".join(f"{k}: {v}" for k, v in POSTGRES_OPTIONS.items())
        yield f"{{type: postgres, {options}, schema: {schema}, feature_schema: {schema}}}"


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
