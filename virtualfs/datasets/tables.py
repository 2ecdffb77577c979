"""A dataset's tables in the feature schema, written and fingerprinted without leaving the warehouse.

Dataset ``churn`` of project ``shop`` keeps its rows in ``shop__ds__churn`` (input columns,
features, and ``_vfs_row``: each row's position in the input, the order ``to_pandas`` returns)
and its entity rows, as read, in ``shop__ds__churn__entities``. Saving over a name writes
staging tables first and then puts each in place at once (``retrieval.job.replace_with``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa

from virtualfs.compile import names
from virtualfs.compile.dataset import (
    ROWS,
    DataColumn,
    build_fingerprint,
    content_hash,
    count_name,
    half_name,
)
from virtualfs.compile.refresh import build_create_schema, build_drop
from virtualfs.datasets.manifest import Column
from virtualfs.definitions.dtypes import dtype_of_arrow
from virtualfs.retrieval.job import replace_with, table_exists

if TYPE_CHECKING:
    from sqlglot import exp

    from virtualfs.compile.feature_schema import FeatureSchema
    from virtualfs.dialects.canonical import Kind
    from virtualfs.retrieval import RetrievalJob
    from virtualfs.warehouses.base import Warehouse


@dataclass(frozen=True)
class DatasetTables:
    """Where dataset ``name`` lives in ``schema``, named as ``dialect`` names tables."""

    schema: FeatureSchema
    name: str
    dialect: str

    @property
    def rows_name(self) -> str:
        return self.schema.dataset_table_name(self.name)

    @property
    def entities_name(self) -> str:
        return self.schema.dataset_entities_name(self.name)

    @property
    def rebuilt_name(self) -> str:
        """Where a recreate puts its rows when not told where: dropped once compared."""
        return f"{self.rows_name}__rebuilt"

    def table(self, name: str) -> exp.Table:
        return self.schema.table(name, self.dialect)

    def staging(self, name: str) -> exp.Table:
        return self.schema.table(self.schema.staging_name(name), self.dialect)

    def display(self, name: str) -> str:
        return self.schema.display(name)


@dataclass(frozen=True)
class Fingerprint:
    """A table's rows counted and hashed (``compile.dataset``), its columns and their counts."""

    rows: int
    content_hash: str
    columns: tuple[Column, ...]
    counts: tuple[int, ...]

    def statistics(self) -> dict:
        """Per column, how many values it holds and how many are null."""
        return {"columns": {c.name: {"count": n, "null_count": self.rows - n}
                            for c, n in zip(self.columns, self.counts, strict=True)}}


def write_tables(job: RetrievalJob, tables: DatasetTables) -> None:
    """The job's rows (with ``_vfs_row``) and its entity rows into ``tables``, computed in the
    warehouse; tables already there are replaced whole, each in one step."""
    warehouse = job.warehouse
    warehouse.execute(build_create_schema(tables.schema, tables.dialect))
    places = {}  # final table -> where it is written first (itself when it does not exist yet)
    for name in (tables.rows_name, tables.entities_name):
        target = tables.table(name)
        places[target] = tables.staging(name) if table_exists(warehouse, target) else target
        warehouse.execute(build_drop(places[target]))  # a staging table a killed save left
    rows, entities = places.values()
    job.write(rows, row_ids=True, entities=entities)
    for target, written in places.items():
        if written is not target:
            replace_with(warehouse, target, written)


def drop_tables(warehouse: Warehouse, tables: DatasetTables) -> None:
    for name in (tables.rows_name, tables.entities_name, tables.rebuilt_name):
        warehouse.execute(build_drop(tables.table(name)))


def fingerprint(warehouse: Warehouse, table: exp.Table, with_positions: bool = False) -> Fingerprint:
    """``table`` counted and hashed in one query; ``_vfs_row`` is hashed only ``with_positions``."""
    schema = warehouse.schema_of(table)
    fields = [f for f in schema if with_positions or f.name != names.ROW]
    columns = [DataColumn(f.name, column_kind(f.type)) for f in fields]
    found = warehouse.fetch_arrow(build_fingerprint(table, columns, warehouse.dialect)).to_pylist()[0]
    return Fingerprint(
        rows=int(found[ROWS] or 0),
        content_hash=content_hash(found[half_name(0)], found[half_name(1)]),
        columns=tuple(Column(f.name, column_type(f.type)) for f in fields),
        counts=tuple(int(found[count_name(i)] or 0) for i in range(len(columns))),
    )


def column_kind(arrow_type: pa.DataType) -> Kind:
    """How a column of ``arrow_type`` is encoded for hashing (``dialects.canonical``)."""
    if pa.types.is_date(arrow_type):
        return "date"
    dtype = dtype_of_arrow(arrow_type)
    kinds: dict[str, Kind] = {"int64": "int", "float64": "float", "string": "string", "bool": "bool",
                              "timestamp": "timestamp"}
    return kinds.get(dtype.value, "other") if dtype is not None else "other"


def column_type(arrow_type: pa.DataType) -> str:
    """A column's type as the manifest names it: its dtype, ``date``, or the Arrow type."""
    if pa.types.is_date(arrow_type):
        return "date"
    dtype = dtype_of_arrow(arrow_type)
    return dtype.value if dtype is not None else str(arrow_type)
