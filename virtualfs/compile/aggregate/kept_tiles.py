"""Kept tiles: per (keys, tile) summaries of a view's source rows that a refresh keeps in a table.

Summarising the source into tiles is most of what a long window costs at query time (a pass
over every row, grouped). A refresh can keep those summaries instead: one table per tile size
the view's aggregations use, named ``<schema>.<project>__<view>__tiles_<hash>``, where the hash
covers everything the summaries depend on (source, keys, tile size, measures and statistics),
so a changed definition never reads another definition's tiles.

A kept table holds, per (keys, tile), the summaries of the source rows that became known
(``max(e, c)``) by the tiles' watermark ``W``, and ``_vfs_mk``, when the last of them did.
Under the known-time rule a label at ``t <= W`` may only see rows known by ``t``, all of
which are in the table; a tile holding a row known after ``t`` is read row by row, as with
tiles summarised at query time (``tiles.py``). That also makes a refresh running alongside a
read harmless: a tile it rewrites only gains rows known after ``W``. The event-time rule
counts rows that land after ``W``, so it never reads kept tiles.

Example::

    kept = plan_kept_tiles(view, FeatureSchema.of("virtualfs_features", "shop"))
    [k.table for k in kept]
    # -> ['virtualfs_features.shop__orders__tiles_3f2a9c01b7e4']
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.aggregate.combine import NEEDS, stat_name
from virtualfs.compile.aggregate.grain import KNOWN_MAX, SCAN, TILE
from virtualfs.compile.aggregate.source import KNOWN_US, build_micro_scan, tile_name
from virtualfs.compile.aggregate.spec import (
    AggregateColumn,
    AggregateContext,
    AggregateRequest,
    Measure,
    key_name,
)
from virtualfs.compile.aggregate.sums import row_summary
from virtualfs.compile.feature_schema import FeatureSchema
from virtualfs.compile.request import EntityRelation
from virtualfs.definitions import Aggregation, FeatureView
from virtualfs.dialects import times

if TYPE_CHECKING:
    from virtualfs.compile.aggregate.tiled import TilePolicy

STAT_ORDER = ("n", "s", "r", "lo", "hi", "q")
_SCAN = SCAN


@dataclass(frozen=True)
class KeptTiles:
    """One kept tiles table: tiles of ``size`` of ``view``'s ``aggregations`` (those of its
    aggregations tiled at that size), stored in ``schema`` under a name ending in ``digest``;
    ``known_by``, once read from the catalog, the watermark they are built to (at least)."""

    view: FeatureView
    size: timedelta
    aggregations: tuple[Aggregation, ...]
    schema: FeatureSchema
    digest: str
    known_by: datetime | None = None

    @property
    def name(self) -> str:
        return f"{self.schema.project}__{self.view.name}__tiles_{self.digest}"

    @property
    def table(self) -> str:
        """Where the tiles live, as a person writes it."""
        return self.schema.display(self.name)

    def relation(self, dialect: str) -> exp.Table:
        """The tiles table as ``dialect`` names it."""
        return self.schema.table(self.name, dialect)

    @property
    def measures(self) -> tuple[Measure, ...]:
        """Distinct (column, filter) pairs, in the order the table numbers them."""
        return tuple(dict.fromkeys(Measure(a.column, a.filter) for a in self.aggregations))

    @property
    def stats(self) -> tuple[tuple[str, ...], ...]:
        """Per measure, the summaries the table holds (those its functions read)."""
        wanted: dict[Measure, set[str]] = {}
        for aggregation in self.aggregations:
            wanted.setdefault(Measure(aggregation.column, aggregation.filter), set()).update(
                NEEDS[aggregation.function])
        return tuple(tuple(s for s in STAT_ORDER if s in wanted[m]) for m in self.measures)

    def column(self, measure: Measure, stat: str) -> str | None:
        """The table column holding ``stat`` of ``measure``, if it holds one."""
        if measure not in self.measures:
            return None
        index = self.measures.index(measure)
        return stat_name(stat, index) if stat in self.stats[index] else None


def plan_kept_tiles(view: FeatureView, schema: FeatureSchema,
                    policy: TilePolicy | None = None) -> tuple[KeptTiles, ...]:
    """The tiles tables a refresh keeps for ``view``: one per tile size its aggregations use.

    None for a virtual view or a source without a created time (which cannot say when its rows
    landed, so no watermark bounds what a tile holds).
    """
    from virtualfs.compile.aggregate.tiled import TilePolicy

    policy = policy or TilePolicy()
    if view.materialize == "view" or view.source.created is None:
        return ()
    by_size: dict[timedelta, list[Aggregation]] = {}
    for aggregation in view.aggregations:
        size = policy.tile_size(aggregation.window, aggregation.function)
        if size < aggregation.window:
            by_size.setdefault(size, []).append(aggregation)
    kept = []
    for size, aggregations in sorted(by_size.items()):
        draft = KeptTiles(view, size, tuple(aggregations), schema, "")
        digest = _digest(view, size, draft.measures, draft.stats)
        kept.append(KeptTiles(view, size, tuple(aggregations), schema, digest))
    return tuple(kept)


def build_kept_rows(kept: KeptTiles, dialect: str, known_by: datetime, *,
                    affected: exp.Table | None = None) -> exp.Select:
    """Per (keys, tile) of the source rows known by ``known_by``: ``_vfs_mk`` and each summary;
    with ``affected``, only the tiles it lists (column ``_vfs_tile``)."""
    context = _context(kept, dialect)
    tile = names.column(tile_name(kept.size), _SCAN)
    keys = [names.column(key_name(i), _SCAN) for i in range(len(kept.view.join_keys))]
    columns = [*(names.alias(k, k.name) for k in keys), names.alias(tile, TILE),
               names.alias(exp.Max(this=names.column(KNOWN_US, _SCAN)), KNOWN_MAX)]
    for index, stats in enumerate(kept.stats):
        columns += [names.alias(row_summary(context, stat, index, _SCAN), stat_name(stat, index))
                    for stat in stats]
    condition = names.column(KNOWN_US, _SCAN) <= times.instant_literal(known_by)
    if affected is not None:
        listed = exp.select(names.column(TILE)).from_(affected.copy())
        condition = exp.and_(condition, exp.In(this=tile.copy(), query=exp.Subquery(this=listed)))
    return (
        exp.select(*columns, copy=False)
        .from_(build_micro_scan(context, [kept.size]).subquery(names.identifier(_SCAN)), copy=False)
        .where(condition, copy=False)
        .group_by(*[k.copy() for k in keys], tile.copy(), copy=False)
    )


def build_affected_tiles(kept: KeptTiles, dialect: str, since: datetime, known_by: datetime) -> exp.Select:
    """The tile numbers holding a row known in ``[since, known_by]``: the tiles to recompute."""
    context = _context(kept, dialect)
    known = names.column(KNOWN_US, _SCAN)
    between = exp.and_(known >= times.instant_literal(since), known.copy() <= times.instant_literal(known_by))
    return (
        exp.select(names.alias(names.column(tile_name(kept.size), _SCAN), TILE), copy=False)
        .distinct()
        .from_(build_micro_scan(context, [kept.size]).subquery(names.identifier(_SCAN)), copy=False)
        .where(between, copy=False)
    )


def _context(kept: KeptTiles, dialect: str) -> AggregateContext:
    """A request for the kept aggregations, rows known by their time (``max(e, c)``); it has
    no entity rows, which the scan does not read."""
    keys = tuple((k, k) for k in kept.view.join_keys)
    nowhere = EntityRelation(exp.Table(this=names.identifier("_vfs_none")), "_vfs_t", keys, ())
    columns = tuple(AggregateColumn(a, a.name) for a in kept.aggregations)
    return AggregateContext(AggregateRequest(kept.view, columns, nowhere, "known"), dialect)


def _digest(view: FeatureView, size: timedelta, measures: tuple[Measure, ...],
            stats: tuple[tuple[str, ...], ...]) -> str:
    source = view.source
    shape = {
        "source": [source.table, source.query, source.timestamp, source.created],
        "keys": list(view.join_keys), "size": times.micros(size),
        "measures": [[m.column, m.filter, list(s)] for m, s in zip(measures, stats, strict=True)],
    }
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:12]
