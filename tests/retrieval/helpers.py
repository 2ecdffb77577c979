"""Putting hypothesis cases into a warehouse, and comparing frames with the reference."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterator
from contextlib import contextmanager

import pandas as pd
import pyarrow as pa
from sqlglot import exp

from tests.reference.pit import ReferenceView
from tests.strategies import FEATURES, PitCase, SourceCase
from virtualfs import Entity, Feature, FeatureView, Source
from virtualfs.compile.pit import (
    AsofJoin,
    DistinctOn,
    LateralLimit,
    LeftAsofMatch,
    MatchCondition,
    WindowRank,
)
from virtualfs.dialects.identifiers import frame_column, warehouse_column, warehouse_table
from virtualfs.registry import Registry
from virtualfs.warehouses.base import Warehouse, uploaded

ENTITIES = {"customer_id": Entity("customer", ["customer_id"]), "product_id": Entity("product", ["product_id"])}
DTYPES = {"f_int": "int64", "f_float": "float64", "f_str": "string", "f_bool": "bool", "f_time": "timestamp"}
ALL_STRATEGIES = (AsofJoin(), AsofJoin(packed=False), MatchCondition(), LeftAsofMatch(), WindowRank(), LateralLimit(),
                  DistinctOn())
_tables = itertools.count()


def strategies_for(warehouse: Warehouse) -> list:
    """Every strategy the warehouse can run (AsofJoin twice: packed, and MatchCondition's records)."""
    return [s for s in ALL_STRATEGIES if s.supports(warehouse.capabilities)]


def create_source(warehouse: Warehouse, name: str, rows: pd.DataFrame, naive: Collection[str] = ()) -> None:
    """``CREATE TABLE name AS ...`` with unquoted-style names; the ``naive`` columns are stored as
    timestamps without time zone (naive UTC)."""
    table = pa.Table.from_pandas(rows, preserve_index=False)
    with uploaded(warehouse, "_vfs_seed", table) as staged:
        columns = []
        for field in table.schema:
            value: exp.Expression = exp.column(frame_column(field.name))
            if field.name in naive:
                value = exp.cast(value, exp.DataType.build("TIMESTAMP"))
            columns.append(exp.alias_(value, warehouse_column(field.name, warehouse.dialect)))
        target = warehouse_table(name, warehouse.dialect)
        warehouse.execute(exp.Create(this=target, kind="TABLE", expression=exp.select(*columns).from_(staged)))


def view_for(index: int, source: SourceCase, table: str) -> FeatureView:
    created = "created_at" if source.has_created else None
    return FeatureView(
        f"v{index}", [ENTITIES[k] for k in source.join_keys],
        Source(f"s{index}", table=table, timestamp="event_at", created=created),
        [Feature(f, DTYPES[f]) for f in FEATURES], ttl=source.ttl,
    )


def reference_view(index: int, source: SourceCase) -> ReferenceView:
    return ReferenceView(
        source.rows, source.join_keys, "event_at", "created_at" if source.has_created else None,
        tuple((f, f"v{index}__{f}") for f in FEATURES), source.ttl,
    )


@contextmanager
def case_in_warehouse(warehouse: Warehouse, case: PitCase) -> Iterator[Registry]:
    """The case's sources as warehouse tables (dropped afterwards) and a registry of its views."""
    tables = [f"pit_source_{next(_tables)}" for _ in case.sources]
    try:
        for table, source in zip(tables, case.sources, strict=True):
            create_source(warehouse, table, source.rows, ("event_at", "created_at") if source.naive else ())
        views = [view_for(i, s, t) for i, (s, t) in enumerate(zip(case.sources, tables, strict=True))]
        yield Registry.from_objects(views)
    finally:
        for table in tables:
            warehouse.execute(exp.Drop(this=warehouse_table(table, warehouse.dialect), kind="TABLE", exists=True))


def python_values(frame: pd.DataFrame) -> dict[str, list]:
    """Columns as lists of plain values: nulls None, timestamps UTC, numpy scalars unwrapped."""
    return {column: [_plain(v) for v in frame[column]] for column in frame.columns}


def _plain(value):
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.tz_localize("UTC") if value.tzinfo is None else value.tz_convert("UTC")
    return value.item() if hasattr(value, "item") else value


def orders_frame(rows: list[tuple], created: bool = True) -> pd.DataFrame:
    """Source rows ``(customer_id, ordered_at, loaded_at, total)`` (without loaded_at if not created)."""
    columns = ["customer_id", "ordered_at", *(["loaded_at"] if created else []), "total"]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for column in ("ordered_at", "loaded_at"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601").astype("datetime64[us, UTC]")
    frame["customer_id"] = frame["customer_id"].astype("Int64")
    frame["total"] = frame["total"].astype("Float64")
    return frame


@contextmanager
def orders_view(warehouse: Warehouse, rows: list[tuple], created: bool = True, ttl: str | None = None,
                query: bool = False) -> Iterator[Registry]:
    """A registry with view ``orders`` (feature ``total``) over a new table holding ``rows``;
    with ``query=True`` the source is a SELECT over that table."""
    table = f"orders_{next(_tables)}"
    create_source(warehouse, table, orders_frame(rows, created))
    columns = "customer_id, ordered_at, " + ("loaded_at, " if created else "") + "total"
    source = (Source("orders", query=f"SELECT {columns} FROM {table}", timestamp="ordered_at",
                     created="loaded_at" if created else None)
              if query else
              Source("orders", table=table, timestamp="ordered_at", created="loaded_at" if created else None))
    view = FeatureView("orders", [ENTITIES["customer_id"]], source, [Feature("total", "float64")], ttl=ttl)
    try:
        yield Registry.from_objects([view])
    finally:
        warehouse.execute(exp.Drop(this=warehouse_table(table, warehouse.dialect), kind="TABLE", exists=True))


def entities(*rows: tuple, timestamp: str = "event_timestamp") -> pd.DataFrame:
    """An entity frame of ``(customer_id, time)`` rows (naive times are UTC)."""
    return pd.DataFrame({"customer_id": [r[0] for r in rows], timestamp: pd.to_datetime([r[1] for r in rows], format="ISO8601")})
