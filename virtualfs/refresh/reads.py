"""Reads from refreshed tables: a view whose table is complete for a request reads it, not the source."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from virtualfs.compile.aggregate.kept import KeptTiles, plan_kept_tiles
from virtualfs.compile.refresh import table_name
from virtualfs.refresh.runner import TABLE

if TYPE_CHECKING:
    from virtualfs.catalog import Catalog
    from virtualfs.definitions import FeatureView
    from virtualfs.registry import Registry


def prefer_tables(registry: Registry, catalog: Catalog, project: str, schema: str,
                  latest_label: datetime | None, rule: str = "known") -> Registry:
    """``registry`` with each refreshed view reading its table when the table is fresh enough.

    A table holds every source row that landed by its watermark, so under the known-time rule,
    for labels up to the watermark, it gives the same answer as the source. Not otherwise: under
    the event-time rule a row landing after the watermark with an earlier event time counts, and
    a source without a created time cannot say when its rows landed (its table's watermark
    follows event time, and a straggler beyond the lookback would be missed).
    """
    if latest_label is None or rule != "known":
        return registry
    views = dict(registry.views)
    for name, view in registry.views.items():
        if view.materialize == "view" or view.source.created is None:
            continue
        watermark = catalog.get_watermark(name, TABLE)
        if watermark is not None and latest_label <= watermark:
            views[name] = _reading_table(view, project, schema)
    return dataclasses.replace(registry, views=views)


def usable_kept_tiles(registry: Registry, catalog: Catalog, project: str, schema: str,
                      latest_label: datetime | None) -> tuple[KeptTiles, ...]:
    """The kept tiles (``compile.aggregate.kept``) built past the latest label, each with the
    watermark they are built to: they hold every row those labels can see under the known-time
    rule, and under the event-time rule every row but those landing after that watermark, which
    the query reads raw."""
    if latest_label is None:
        return ()
    usable = []
    for view in registry.views.values():
        for kept in plan_kept_tiles(view, project, schema):
            built = catalog.get_watermark(view.name, kept.target)
            if built is not None and latest_label <= built:
                usable.append(dataclasses.replace(kept, known_by=built))
    return tuple(usable)


def _reading_table(view: FeatureView, project: str, schema: str) -> FeatureView:
    source = dataclasses.replace(view.source, table=table_name(project, view, schema), query=None)
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
