"""SQL trees for refreshes: a view's rows, staged, then swapped into its table by window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlglot import exp

from virtualfs.compile.feature_schema import FeatureSchema
from virtualfs.definitions import FeatureView
from virtualfs.dialects.identifiers import warehouse_column
from virtualfs.dialects.times import timestamp_literal


@dataclass(frozen=True)
class RowWindow:
    """Rows whose ``column`` (the created or the event time) is in ``[since, until)``."""

    column: str
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class ViewTables:
    """Where a view's rows are stored, and the staging table a refresh fills first; ``masked``:
    the view of the target with its PII masked that ``virtualfs grants`` may have made for
    PostgreSQL (``access.grants``), dropped before the target is."""

    target: exp.Table
    staging: exp.Table
    masked: exp.Table | None = None


def view_tables(schema: FeatureSchema, view: FeatureView, dialect: str) -> ViewTables:
    """A refreshed view's table in the feature schema, and its staging table."""
    return named_tables(schema, schema.view_table_name(view), dialect)


def named_tables(schema: FeatureSchema, name: str, dialect: str, staging_suffix: str = "") -> ViewTables:
    """Table ``name`` of the feature schema and a staging table for it."""
    staging = schema.staging_name(name) + staging_suffix
    return ViewTables(target=schema.table(name, dialect), staging=schema.table(staging, dialect),
                      masked=schema.table(schema.masked_view_name(name), dialect))


def stored_columns(view: FeatureView) -> list[str]:
    """The source columns a view's table keeps: keys, times, features, aggregation inputs."""
    columns = [*view.join_keys, view.source.timestamp]
    if view.source.created:
        columns.append(view.source.created)
    columns += [f.name for f in view.features]
    for aggregation in view.aggregations:
        columns += [aggregation.column, *sorted(aggregation.filter_columns())]
    return list(dict.fromkeys(columns))


def window_column(view: FeatureView) -> str:
    """Incremental runs follow when rows landed where the source says, else their event time."""
    return view.source.created or view.source.timestamp


def build_view_rows(view: FeatureView, relation: exp.Expression, dialect: str,
                    window: RowWindow | None = None) -> exp.Select:
    """``SELECT <stored columns> FROM <source> [WHERE since <= col < until]``."""
    source = relation.subquery("_vfs_source") if isinstance(relation, exp.Query) else relation
    select = exp.select(*(
        exp.alias_(exp.column(warehouse_column(c, dialect)), warehouse_column(c, dialect))
        for c in stored_columns(view)
    )).from_(source)
    condition = build_window_condition(window, dialect)
    return select.where(condition) if condition is not None else select


def build_window_condition(window: RowWindow | None, dialect: str) -> exp.Expression | None:
    if window is None:
        return None
    column = exp.column(warehouse_column(window.column, dialect))
    parts = []
    if window.since is not None:
        parts.append(exp.GTE(this=column.copy(), expression=timestamp_literal(window.since)))
    if window.until is not None:
        parts.append(exp.LT(this=column.copy(), expression=timestamp_literal(window.until)))
    return exp.and_(*parts) if parts else None


def build_create_staging(tables: ViewTables, rows: exp.Select) -> list[exp.Expression]:
    """Drop then create the staging table."""
    return build_replace_table(tables.staging, rows)


def build_replace_table(table: exp.Table, rows: exp.Select) -> list[exp.Expression]:
    """Drop then create (not CREATE OR REPLACE, which Postgres lacks) ``table`` from ``rows``."""
    return [build_drop(table), exp.Create(this=table.copy(), kind="TABLE", expression=rows)]


def build_create_target(tables: ViewTables) -> exp.Create:
    """An empty target shaped like the staging table, if there is none yet."""
    empty = exp.select("*").from_(tables.staging.copy()).where(exp.false())
    return exp.Create(this=tables.target.copy(), kind="TABLE", exists=True, expression=empty)


def build_swap_in(tables: ViewTables, window: RowWindow | None, dialect: str) -> list[exp.Expression]:
    """Delete the window's rows from the target, insert the staged ones; run as one transaction.

    Rows are keyed by the window column, whose value never changes for a row, so a rerun or an
    overlapping run replaces exactly what it wrote before and never duplicates a row.
    """
    condition = build_window_condition(window, dialect)
    delete = exp.Delete(this=tables.target.copy())
    if condition is not None:
        delete = delete.where(condition)
    insert = exp.Insert(this=tables.target.copy(), expression=exp.select("*").from_(tables.staging.copy()))
    return [delete, insert]


def build_replace_with_staging(tables: ViewTables) -> list[exp.Expression]:
    """Drop the target and rename the staging table into its place (one transaction where DDL
    is transactional): a rebuild then writes its rows once instead of twice. A masked view of the
    target goes first (PostgreSQL refuses to drop a table a view reads); like the target's grants,
    it is made again by running ``virtualfs grants`` after the rebuild."""
    rename = exp.Alter(this=tables.staging.copy(), kind="TABLE",
                       actions=[exp.AlterRename(this=exp.Table(this=tables.target.this.copy()))])
    masked = [] if tables.masked is None else [build_drop_view(tables.masked)]
    return [*masked, build_drop(tables.target), rename]


def build_drop(table: exp.Table) -> exp.Drop:
    return exp.Drop(this=table.copy(), kind="TABLE", exists=True)


def build_drop_view(view: exp.Table) -> exp.Drop:
    return exp.Drop(this=view.copy(), kind="VIEW", exists=True)


def build_create_schema(schema: FeatureSchema, dialect: str) -> exp.Create:
    return exp.Create(this=schema.schema(dialect), kind="SCHEMA", exists=True)


def build_max(table: exp.Table, column: str, dialect: str) -> exp.Select:
    return exp.select(exp.alias_(exp.Max(this=exp.column(warehouse_column(column, dialect))),
                                 "_vfs_max")).from_(table.copy())
