"""Keep a view's tiles with its table: rebuilt whole with it, else only the tiles that gained rows.

Each kept tiles table (``compile.aggregate.kept``) has its own catalog watermark (mark
``tiles:<digest>``, with the table's row count), moved only after the table's new tiles are
committed. An incremental run
recomputes, for every key, the tiles holding a row known since that watermark, from the
source's rows known by the new one, and swaps them in (delete, insert) in one transaction; a
rerun recomputes the same tiles to the same values.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.aggregate.grain import TILE
from virtualfs.compile.aggregate.kept_tiles import (
    KeptTiles,
    build_affected_tiles,
    build_kept_rows,
    plan_kept_tiles,
)
from virtualfs.compile.refresh import (
    ViewTables,
    build_create_target,
    build_replace_table,
    build_replace_with_staging,
    build_swap_in,
    named_tables,
)
from virtualfs.copies import trusted_record
from virtualfs.refresh.statements import drop_quietly, execute_all
from virtualfs.warehouses.base import count_rows

if TYPE_CHECKING:
    from virtualfs.compile.aggregate.tiled import TilePolicy
    from virtualfs.context import ProjectContext
    from virtualfs.definitions import FeatureView
    from virtualfs.warehouses.base import Warehouse


def keep_tiles(context: ProjectContext, view: FeatureView, known_by: datetime, rebuild: bool,
               policy: TilePolicy | None = None) -> int:
    """Bring every kept tiles table of ``view`` to the source rows known by ``known_by``;
    the number of tiles written. ``policy``: tile sizes, as the reads that use them.

    A tiles table whose record does not match it (missing, changed out of band, built for
    another location) is rebuilt whole."""
    warehouse, catalog, copies = context.warehouse, context.catalog, context.copies
    written = 0
    for kept in plan_kept_tiles(view, copies.schema, policy):
        mark = copies.tiles_mark(kept)
        table = kept.relation(warehouse.dialect)
        record = None if rebuild else trusted_record(warehouse, catalog, view.name, mark, table)
        built = record.watermark if record is not None else None
        if built is not None and built >= known_by:
            continue
        if built is None:
            written += _rebuild(warehouse, kept, known_by)
        else:
            written += _update(warehouse, kept, built, known_by)
        catalog.marks.set(view.name, mark, known_by, rows=count_rows(warehouse, table))
    return written


def _rebuild(warehouse: Warehouse, kept: KeptTiles, known_by: datetime) -> int:
    tables = _tables(kept, warehouse.dialect, "")
    try:
        rows = build_kept_rows(kept, warehouse.dialect, known_by)
        execute_all(warehouse, build_replace_table(tables.staging, rows))
        count = count_rows(warehouse, tables.staging)
        if warehouse.capabilities.supports_transactional_ddl:
            warehouse.execute_atomic(build_replace_with_staging(tables))
        else:
            warehouse.execute(build_create_target(tables))
            warehouse.execute_atomic(build_swap_in(tables, None, warehouse.dialect))  # every row
    finally:
        drop_quietly(warehouse, tables.staging)
    return count


def _update(warehouse: Warehouse, kept: KeptTiles, built: datetime, known_by: datetime) -> int:
    tables = _tables(kept, warehouse.dialect, "")
    affected = _tables(kept, warehouse.dialect, "_affected").staging
    dialect = warehouse.dialect
    try:
        listing = build_affected_tiles(kept, dialect, built, known_by)
        execute_all(warehouse, build_replace_table(affected, listing))
        rows = build_kept_rows(kept, dialect, known_by, affected=affected)
        execute_all(warehouse, build_replace_table(tables.staging, rows))
        listed = exp.select(names.column(TILE)).from_(affected.copy())
        in_affected = exp.In(this=names.column(TILE), query=exp.Subquery(this=listed))
        warehouse.execute(build_create_target(tables))
        staged = exp.select(exp.Star()).from_(tables.staging.copy())
        warehouse.execute_atomic([exp.Delete(this=tables.target.copy()).where(in_affected),
                                  exp.Insert(this=tables.target.copy(), expression=staged)])
        return count_rows(warehouse, tables.staging)
    finally:
        drop_quietly(warehouse, tables.staging)
        drop_quietly(warehouse, affected)


def _tables(kept: KeptTiles, dialect: str, suffix: str) -> ViewTables:
    return named_tables(kept.schema, kept.name, dialect, suffix)
