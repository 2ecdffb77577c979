"""Reads from refreshed tables: a view whose table is complete for a request reads it, not the source."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from virtualfs.compile.aggregate.kept import KeptTiles, plan_kept_tiles
from virtualfs.compile.refresh import view_tables
from virtualfs.compile.render import to_sql
from virtualfs.refresh.trust import StoredCopies, holds_rows

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlglot import exp

    from virtualfs.catalog import Catalog, WatermarkRecord
    from virtualfs.definitions import FeatureView
    from virtualfs.registry import Registry
    from virtualfs.warehouses.base import Warehouse


def prefer_tables(registry: Registry, warehouse: Warehouse, catalog: Catalog, copies: StoredCopies,
                  latest_label: datetime | None, rule: str = "known",
                  wanted: Iterable[str] | None = None) -> Registry:
    """``registry`` with each refreshed view of ``wanted`` (all when None) reading its table
    when the table is trusted (``refresh.trust``) and complete for every label.

    A table holds every source row that landed by its watermark and was visible when it was
    refreshed; rows become visible at most the view's lookback after they landed, so under the
    known-time rule, for labels up to the watermark less the lookback, the table gives the same
    answer as the source. Not otherwise: under the event-time rule a row landing after the
    watermark with an earlier event time counts, and a source without a created time cannot say
    when its rows landed (its table's watermark follows event time).
    """
    if latest_label is None or rule != "known":
        return registry
    views = dict(registry.views)
    for name in _wanted(registry, wanted):
        view = registry.views[name]
        if view.materialize == "view" or view.source.created is None:
            continue
        table = view_tables(copies.schema, view, warehouse.dialect).target
        record = catalog.marks.get(name, copies.table_mark(view))
        complete = _covers(record, latest_label + view.effective_lookback)
        if complete and holds_rows(warehouse, table, record.rows):
            views[name] = _reading_table(view, table, warehouse.dialect)
    return dataclasses.replace(registry, views=views)


def usable_kept_tiles(registry: Registry, warehouse: Warehouse, catalog: Catalog, copies: StoredCopies,
                      latest_label: datetime | None,
                      wanted: Iterable[str] | None = None) -> tuple[KeptTiles, ...]:
    """The trusted kept tiles (``compile.aggregate.kept``) built past the latest label, each with
    the watermark they are built to: they hold every row those labels can see under the
    known-time rule, and under the event-time rule every row but those landing after that
    watermark, which the query reads raw."""
    if latest_label is None:
        return ()
    usable = []
    for name in _wanted(registry, wanted):
        for kept in plan_kept_tiles(registry.views[name], copies.schema):
            record = catalog.marks.get(name, copies.tiles_mark(kept))
            if _covers(record, latest_label) and holds_rows(warehouse, kept.relation(warehouse.dialect),
                                                           record.rows):
                usable.append(dataclasses.replace(kept, known_by=record.watermark))
    return tuple(usable)


def _covers(record: WatermarkRecord | None, time: datetime) -> bool:
    """Whether ``record`` vouches for a copy complete to ``time``, with a row count to check."""
    return record is not None and record.rows is not None and record.watermark is not None \
        and time <= record.watermark


def _wanted(registry: Registry, wanted: Iterable[str] | None) -> list[str]:
    """The names of ``wanted`` that are views of ``registry`` (all views when None)."""
    if wanted is None:
        return list(registry.views)
    return [name for name in dict.fromkeys(wanted) if name in registry.views]


def _reading_table(view: FeatureView, table: exp.Table, dialect: str) -> FeatureView:
    # The table's parts are identifiers this project built (checked names, quoted): rendered
    # and read back by the compiler, they name exactly this table and nothing else.
    source = dataclasses.replace(view.source, table=to_sql(table, dialect), query=None)
    return dataclasses.replace(view, source=source)


def latest_label_time(entity_df: Any, timestamp_column: str) -> datetime | None:
    """The latest label time of an in-memory entity frame (None for SQL, or when unknown)."""
    import pandas as pd
    import pyarrow as pa

    if isinstance(entity_df, pa.Table) and timestamp_column in entity_df.column_names:
        entity_df = entity_df.select([timestamp_column]).to_pandas()
    if not isinstance(entity_df, pd.DataFrame) or timestamp_column not in entity_df:
        return None
    try:
        latest = pd.to_datetime(entity_df[timestamp_column]).max()
    except (ValueError, TypeError):
        return None  # the retrieval itself reports a bad timestamp column
    if pd.isna(latest):
        return None
    latest = latest.to_pydatetime()
    return latest.replace(tzinfo=timezone.utc) if latest.tzinfo is None else latest
