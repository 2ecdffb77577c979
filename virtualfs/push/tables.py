"""Where a pushed view keeps its pushed rows: ``<project>__<view>__pushed`` in the feature schema.

How the compiler knows the table is there: a view declares ``push=True``, and applying it
creates the (empty) table, so every view that says it is pushed to has one from the moment its
definition is live, and the SQL of a view that is not pushed to never changes. (A catalog mark
written by the first push would make the SQL depend on catalog state read at every compile;
the declaration keeps compiling pure.) A push creates the table too, when it is missing (a
warehouse swapped under the same catalog), in the same step as its insert.

When definitions are opened for use (``FeatureStore.registry``), each pushed view's source
carries ``Source.pushed`` — the table's name and columns — and ``compile.scan.source_relation``
reads the source and the pushed rows together: training frames, refreshes, materialization,
checks and profiles all see pushed rows, and a refreshed table holds them like any source row.

>>> from virtualfs.compile.feature_schema import FeatureSchema
>>> pushed_table_name(FeatureSchema.of("virtualfs_features", "shop"), "card_tx")
'shop__card_tx__pushed'
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from sqlglot import exp

from virtualfs.compile.feature_schema import FeatureSchema
from virtualfs.compile.refresh import build_create_schema
from virtualfs.compile.scan import source_relation
from virtualfs.definitions import DType, FeatureView
from virtualfs.definitions.base import sql_already_checked
from virtualfs.definitions.dtypes import dtype_of_arrow
from virtualfs.definitions.source import PushedRows
from virtualfs.dialects.identifiers import resolve_column, warehouse_column
from virtualfs.dialects.render import to_sql
from virtualfs.dialects.types import sql_type
from virtualfs.errors import ValidationError, WarehouseError
from virtualfs.registry import Registry

if TYPE_CHECKING:
    from virtualfs.warehouses.base import Warehouse

PUSHED_SUFFIX = "__pushed"


def pushed_table_name(schema: FeatureSchema, view: str) -> str:
    """``<project>__<view>__pushed``."""
    return f"{schema.project}__{view}{PUSHED_SUFFIX}"


def pushed_table(schema: FeatureSchema, view: FeatureView, dialect: str) -> exp.Table:
    """The pushed table of ``view``, named as ``dialect`` folds."""
    return schema.table(pushed_table_name(schema, view.name), dialect)


def with_pushed_tables(registry: Registry, schema: FeatureSchema, dialect: str) -> Registry:
    """``registry`` with each pushed view's source carrying its pushed rows (``Source.pushed``);
    a registry without pushed views comes back as it is.

    Example::

        opened = with_pushed_tables(store.catalog.registry(), store.copies.schema, "duckdb")
        opened.view("card_tx").source.pushed.table
        # -> 'virtualfs_features.shop__card_tx__pushed'
    """
    if not any(view.push for view in registry.views.values()):
        return registry
    views = dict(registry.views)
    with sql_already_checked():  # checked when applied; rebuilding them need not parse SQL again
        for name, view in views.items():
            if not view.push:
                continue
            table = to_sql(pushed_table(schema, view, dialect), dialect)
            pushed = PushedRows(table, view.pushed_columns)
            views[name] = dataclasses.replace(view, source=dataclasses.replace(view.source, pushed=pushed))
    return dataclasses.replace(registry, views=views)


def pushed_types(warehouse: Warehouse | None, view: FeatureView) -> dict[str, DType]:
    """The dtype of each column of ``view``'s pushed table (``pushed_columns``, then created):
    features as declared, times as timestamps, other columns (join keys, aggregated columns) as
    the source has them in the warehouse, or as a source of pushed rows only declares them (then
    no ``warehouse`` is needed)."""
    source = view.source
    features = {f.name: f.dtype for f in view.features}
    found = None
    if not source.push_only:
        if warehouse is None:
            raise ValueError(f"feature view {view.name!r}: typing its pushed rows needs the warehouse")
        found = _source_schema(warehouse, view)
    types = {}
    for column in view.pushed_columns:
        if column in features:
            types[column] = features[column]
        elif column == source.timestamp:
            types[column] = DType.TIMESTAMP
        elif found is None:
            types[column] = DType(source.dtypes[column])
        else:
            types[column] = _warehouse_dtype(view, found, column, warehouse.dialect)
    types[source.created or ""] = DType.TIMESTAMP
    return types


def build_create_pushed(schema: FeatureSchema, view: FeatureView, types: dict[str, DType],
                        dialect: str) -> list[exp.Expression]:
    """``CREATE SCHEMA IF NOT EXISTS``, ``CREATE TABLE IF NOT EXISTS <pushed> (columns)``."""
    columns = [exp.ColumnDef(this=warehouse_column(name, dialect), kind=sql_type(dtype, dialect))
               for name, dtype in types.items()]
    table = exp.Schema(this=pushed_table(schema, view, dialect), expressions=columns)
    return [build_create_schema(schema, dialect), exp.Create(this=table, kind="TABLE", exists=True)]


def create_pushed_tables(warehouse: Warehouse, registry: Registry, schema: FeatureSchema) -> list[str]:
    """Create the pushed table of each pushed view of ``registry`` that has none yet, and add the
    columns a changed definition reads that an existing one lacks (its rows hold nulls there);
    apply calls it, so that the compiled SQL of a pushed view always names a table and columns
    that exist. Returns the views whose table was made or confirmed."""
    done = []
    for view in registry.views.values():
        if view.push:
            types = pushed_types(warehouse, view)
            for statement in build_create_pushed(schema, view, types, warehouse.dialect):
                warehouse.execute(statement)
            for statement in build_added_columns(warehouse, schema, view, types):
                warehouse.execute(statement)
            done.append(view.name)
    return done


def build_added_columns(warehouse: Warehouse, schema: FeatureSchema, view: FeatureView,
                        types: dict[str, DType]) -> list[exp.Alter]:
    """``ALTER TABLE <pushed> ADD COLUMN`` for each column of ``types`` the table lacks (a column
    it has that ``types`` does not name is left: the view no longer reads it)."""
    dialect = warehouse.dialect
    table = pushed_table(schema, view, dialect)
    present = warehouse.schema_of(table).names
    return [exp.Alter(this=table.copy(), kind="TABLE", actions=[
                exp.ColumnDef(this=warehouse_column(name, dialect), kind=sql_type(dtype, dialect))])
            for name, dtype in types.items() if resolve_column(name, present, dialect) is None]


def _source_schema(warehouse: Warehouse, view: FeatureView):
    own = dataclasses.replace(view.source, pushed=None)
    try:
        return warehouse.schema_of(source_relation(own, warehouse.dialect))
    except WarehouseError as error:
        raise ValidationError(f"feature view {view.name!r}: source {view.source.name!r} cannot be read "
                              f"to type its pushed table: {error}") from None


def _warehouse_dtype(view: FeatureView, schema, column: str, dialect: str) -> DType:
    name = resolve_column(column, schema.names, dialect)
    dtype = dtype_of_arrow(schema.field(name).type) if name is not None else None
    if dtype is None:
        raise ValidationError(f"feature view {view.name!r}: column {column!r} of source {view.source.name!r} "
                              f"has no type a pushed row can carry (int64, float64, string, bool, timestamp)")
    return dtype
