"""The served log as a warehouse table: ``<project>__served_log`` in the feature schema.

Each batch is uploaded with Arrow into a temporary table and appended with one ``INSERT ...
SELECT`` (a batch lands whole or not at all). The sink opens a warehouse connection of its own on
the logger's thread, so it never shares a connection with a request or a refresh. This module
compiles SQL, so it loads sqlglot — on the logger's thread, not on the online read path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pyarrow as pa
from sqlglot import exp

from virtualfs.compile.feature_schema import FeatureSchema
from virtualfs.compile.refresh import build_create_schema
from virtualfs.dialects.identifiers import frame_column
from virtualfs.dialects.times import timestamp_literal
from virtualfs.servedlog.records import COLUMNS, log_schema, to_table
from virtualfs.warehouses.arrow import conform, prepare_upload
from virtualfs.warehouses.base import Warehouse, uploaded

BATCH_TABLE = "_vfs_served_log_batch"


def served_log_table(schema: FeatureSchema, dialect: str) -> exp.Table:
    """The log's table in the feature schema."""
    return schema.table(f"{schema.project}__served_log", dialect)


def build_create_log(table: exp.Table, dialect: str) -> exp.Create:
    """``CREATE TABLE IF NOT EXISTS <log> (<columns of log_schema>)``."""
    _, columns = prepare_upload(log_schema().empty_table(), dialect)
    return exp.Create(this=exp.Schema(this=table.copy(), expressions=columns), kind="TABLE", exists=True)


def build_append(table: exp.Table, batch: exp.Table) -> exp.Insert:
    """``INSERT INTO <log> (<columns>) SELECT <columns> FROM <batch>``."""
    names = [frame_column(name) for name in COLUMNS]
    target = exp.Schema(this=table.copy(), expressions=[name.copy() for name in names])
    rows = exp.select(*(exp.column(name.copy()) for name in names)).from_(batch.copy())
    return exp.Insert(this=target, expression=rows)


def build_read_log(table: exp.Table, since: datetime | None, until: datetime | None,
                   service: str | None) -> exp.Select:
    """The log's rows with ``since <= requested_at < until`` (and ``service``), oldest first; the
    bounds and the service travel as literal nodes, never as SQL text."""
    column = exp.column(frame_column("requested_at"))
    conditions: list[exp.Expression] = []
    if since is not None:
        conditions.append(exp.GTE(this=column.copy(), expression=timestamp_literal(since)))
    if until is not None:
        conditions.append(exp.LT(this=column.copy(), expression=timestamp_literal(until)))
    if service is not None:
        named = exp.Literal.string(service)
        conditions.append(exp.EQ(this=exp.column(frame_column("service")), expression=named))
    query = exp.select(*(exp.column(frame_column(name)) for name in COLUMNS)).from_(table.copy())
    if conditions:
        query = query.where(exp.and_(*conditions))
    order = [exp.Ordered(this=exp.column(frame_column(name)), nulls_first=False)
             for name in ("requested_at", "request_id", "entity_row")]
    return query.order_by(*order)


class WarehouseSink:
    """Appends batches to the log table through a warehouse connection ``connect`` opens (once,
    on the logger's thread)."""

    def __init__(self, connect: Callable[[], Warehouse], schema: FeatureSchema) -> None:
        self.connect, self.schema = connect, schema
        self._warehouse: Warehouse | None = None
        self._table: exp.Table | None = None

    def write(self, columns: dict[str, list]) -> None:
        warehouse = self._open()
        with uploaded(warehouse, BATCH_TABLE, to_table(columns)) as batch:
            warehouse.execute(build_append(self._table, batch))

    def close(self) -> None:
        if self._warehouse is not None:
            self._warehouse.close()
            self._warehouse = None

    def _open(self) -> Warehouse:
        if self._warehouse is None:
            warehouse = self.connect()
            try:
                table = served_log_table(self.schema, warehouse.dialect)
                warehouse.execute(build_create_schema(self.schema, warehouse.dialect))
                warehouse.execute(build_create_log(table, warehouse.dialect))
            except BaseException:
                warehouse.close()
                raise
            self._warehouse, self._table = warehouse, table
        return self._warehouse


def read_warehouse_log(warehouse: Warehouse, schema: FeatureSchema, since: datetime | None,
                       until: datetime | None, service: str | None) -> pa.Table:
    """The logged rows in the window (none when nothing was logged yet), as ``log_schema``."""
    table = served_log_table(schema, warehouse.dialect)
    if schema.stored_name(f"{schema.project}__served_log", warehouse.dialect) not in \
            warehouse.tables_in(schema.parts):
        return log_schema().empty_table()
    return conform(warehouse.fetch_arrow(build_read_log(table, since, until, service)), log_schema())
