"""Reads from refreshed copies: a view whose table (or kept tiles) is complete for a request and
trusted (``refresh.trust``) reads it instead of its source."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from virtualfs.compile.aggregate.kept_tiles import KeptTiles, plan_kept_tiles
from virtualfs.compile.refresh import view_tables
from virtualfs.copies import holds_rows
from virtualfs.dialects.render import to_sql
from virtualfs.retrieval.origin import CopyRead

if TYPE_CHECKING:
    from sqlglot import exp

    from virtualfs.catalog import WatermarkRecord
    from virtualfs.compile.request import ViewLookup
    from virtualfs.context import ProjectContext
    from virtualfs.definitions import FeatureView


def prefer_tables(context: ProjectContext, lookups: Sequence[ViewLookup], latest_label: datetime | None,
                  rule: str = "known") -> tuple[ViewLookup, ...]:
    """``lookups`` with each refreshed view reading its table when the table is trusted and
    complete for every label.

    A table holds every source row that landed by its watermark and was visible when it was
    refreshed; rows become visible at most the view's lookback after they landed, so under the
    known-time rule, for labels up to the watermark less the lookback, the table gives the same
    answer as the source. Not otherwise: under the event-time rule a row landing after the
    watermark with an earlier event time counts, and a source without a created time cannot say
    when its rows landed (its table's watermark follows event time).
    """
    if latest_label is None or rule != "known":
        return tuple(lookups)
    return tuple(_preferred(context, lookup, latest_label) for lookup in lookups)


def usable_kept_tiles(context: ProjectContext, views: Sequence[FeatureView],
                      latest_label: datetime | None) -> tuple[KeptTiles, ...]:
    """The trusted kept tiles (``compile.aggregate.kept_tiles``) of ``views`` built past the
    latest label, each with the watermark they are built to: they hold every row those labels
    can see under the known-time rule, and under the event-time rule every row but those
    landing after that watermark, which the query reads raw."""
    if latest_label is None:
        return ()
    usable = []
    for view in views:
        for kept in plan_kept_tiles(view, context.copies.schema):
            record = context.catalog.marks.get(view.name, context.copies.tiles_mark(kept))
            relation = kept.relation(context.warehouse.dialect)
            if _covers(record, latest_label) and holds_rows(context.warehouse, relation, record.rows):
                usable.append(dataclasses.replace(kept, known_by=record.watermark))
    return tuple(usable)


def copies_read(context: ProjectContext, lookups: Sequence[ViewLookup], preferred: Sequence[ViewLookup],
                kept: Sequence[KeptTiles]) -> tuple[CopyRead, ...]:
    """The refreshed tables ``preferred`` reads instead of ``lookups``' sources, and the kept
    tiles a request may read, each with the watermark it is complete to."""
    read = []
    for before, after in zip(lookups, preferred, strict=True):
        if after.view is not before.view:
            mark = context.copies.table_mark(before.view)
            record = context.catalog.marks.get(before.view.name, mark)
            read.append(CopyRead(before.view.name, mark.key, mark.location,
                                 record.watermark if record else None, record.rows if record else None))
    for tiles in kept:
        mark = context.copies.tiles_mark(tiles)
        read.append(CopyRead(tiles.view.name, mark.key, mark.location, tiles.known_by))
    return tuple(read)


def _preferred(context: ProjectContext, lookup: ViewLookup, latest_label: datetime) -> ViewLookup:
    view = lookup.view
    if view.materialize == "view" or view.source.created is None:
        return lookup
    table = view_tables(context.copies.schema, view, context.warehouse.dialect).target
    record = context.catalog.marks.get(view.name, context.copies.table_mark(view))
    complete = _covers(record, latest_label + view.effective_lookback)
    if not (complete and holds_rows(context.warehouse, table, record.rows)):
        return lookup
    return dataclasses.replace(lookup, view=_reading_table(view, table, context.warehouse.dialect))


def _covers(record: WatermarkRecord | None, time: datetime) -> bool:
    """Whether ``record`` vouches for a copy complete to ``time``, with a row count to check."""
    return record is not None and record.rows is not None and record.watermark is not None \
        and time <= record.watermark


def _reading_table(view: FeatureView, table: exp.Table, dialect: str) -> FeatureView:
    # The table's parts are identifiers this project built (checked names, quoted): rendered
    # and read back by the compiler, they name exactly this table and nothing else.
    # the table holds the view's pushed rows too (a refresh read them with the source)
    source = dataclasses.replace(view.source, table=to_sql(table, dialect), query=None, pushed=None)
    return dataclasses.replace(view, source=source)
