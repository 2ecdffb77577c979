"""The CTEs of one grain of the tiled formulation: aggregations sharing a tile size.

Steps, each a CTE named ``<prefix>_<step>``: ``probe`` (entity rows with their tile numbers, and
for tiled grains whether their key is read by tiles, see ``tiles.build_key_routes``), ``fetch``
(the tiles read row by row), ``raw`` (those tiles' source rows inside the window), then
``pieces`` and the per-row aggregates (``combine``). Tiled grains add ``tiles``, ``middle`` and
the rest of ``tiles``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.aggregate.combine import NEEDS, Part, Pieces, build_raw_aggregates
from virtualfs.compile.aggregate.source import CREATED_US, EVENT_US, KNOWN_US, TIME_US, tile_name
from virtualfs.compile.aggregate.spec import AggregateContext, key_name, measure_name, passes_name
from virtualfs.dialects import times

if TYPE_CHECKING:
    from virtualfs.compile.aggregate.kept_tiles import KeptTiles

TILE, TILE_T, KNOWN_MAX, NUMBER, SCAN = "_vfs_tile", "_vfs_tt", "_vfs_mk", "_vfs_i", "_vfs_scan"
DENSE = "_vfs_dense"


@dataclass(frozen=True)
class Grain:
    """Aggregations sharing a tile size; ``tiled`` when their windows span several tiles.

    ``dense_ratio`` (tiled grains): see ``TilePolicy.dense_ratio``.
    """

    size: timedelta
    tiled: bool
    outputs: tuple[int, ...]
    windows: tuple[timedelta, ...] = field(default=())
    dense_ratio: float = 0.0

    @property
    def longest(self) -> timedelta:
        return max(self.windows)


@dataclass(frozen=True)
class GrainSteps:
    """The CTEs of one grain, named ``<prefix>_<step>``, and the pieces they share."""

    context: AggregateContext
    grain: Grain
    prefix: str
    scan: exp.Select
    entities: str

    def step(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    def raw_parts(self) -> list[Part]:
        """One window, tiles as wide as it: the raw rows of ``tile(a)`` and ``tile(t)``."""
        window = self.grain.windows[0]
        edges = [self.fetch_from_probe(TILE_T), self.fetch_from_probe(start_name(window), unless=TILE_T)]
        raw = self.raw_rows(self.step("fetch"), self.grain.size, window, extra=())
        order = (EVENT_US, CREATED_US) if self.context.has_created else (EVENT_US,)
        pieces = Pieces(self.step("raw"), frozenset(), order)
        return [
            Part(self.step("probe"), self.probe()),
            Part(self.step("fetch"), union(edges, distinct=False)),
            Part(self.step("raw"), raw),
            *build_raw_aggregates(self.context, pieces, self.grain.outputs, self.step("agg")),
        ]

    # -- entity side -------------------------------------------------------------------------

    def probe(self, routes: str | None = None) -> exp.Select:
        """Entity rows with ``tile(t)`` and, per window, ``tile(t - w)``; with ``routes``, also
        whether their key is read by tiles (``_vfs_dense``)."""
        time = names.column(TIME_US, self.entities)
        columns = [exp.Column(this=exp.Star(), table=names.identifier(self.entities)),
                   as_(self.tile(time), TILE_T)]
        for window in self.grain.windows:
            start = exp.Sub(this=time.copy(), expression=times.literal(window))
            columns.append(as_(self.tile(start), start_name(window)))
        select = exp.select(*columns, copy=False).from_(names.table(self.entities), copy=False)
        if routes is None:
            return select
        on = exp.and_(*self.keys_equal(self.entities, routes))
        return select.select(names.column(DENSE, routes), copy=False).join(
            names.table(routes), on=on, join_type="INNER", copy=False)

    def tile(self, micros: exp.Expression, size: timedelta | None = None) -> exp.Expression:
        return times.tile_number(micros, size or self.grain.size, self.context.dialect)

    def keys_equal(self, left: str, right: str) -> list[exp.Expression]:
        count = len(self.context.view.join_keys)
        return [names.column(key_name(i), left).eq(names.column(key_name(i), right)) for i in range(count)]

    def key_columns(self, table: str | None = None) -> list[exp.Column]:
        return [names.column(key_name(i), table) for i in range(len(self.context.view.join_keys))]

    def probe_columns(self, table: str) -> list[exp.Expression]:
        starts = [names.column(start_name(w), table) for w in self.grain.windows]
        return [names.column(names.ROW, table), *self.key_columns(table), names.column(TIME_US, table),
                names.column(TILE_T, table), *starts]

    def fetch_from_probe(self, tile: str, unless: str | None = None, dense: bool | None = None) -> exp.Select:
        """Probe rows paired with one of their tiles (the probe column ``tile``), except where it
        equals the probe column ``unless``; ``dense``: only rows routed to tiles, or only not."""
        probe = self.step("probe")
        select = exp.select(*self.probe_columns(probe), as_(names.column(tile, probe), TILE), copy=False)
        select = select.from_(names.table(probe), copy=False)
        conditions = []
        if unless is not None:
            conditions.append(names.column(tile, probe).neq(names.column(unless, probe)))
        if dense is not None:
            flag = names.column(DENSE, probe)
            conditions.append(flag if dense else exp.not_(flag))
        return select.where(exp.and_(*conditions), copy=False) if conditions else select

    # -- source rows -------------------------------------------------------------------------

    def raw_rows(self, fetched: str, size: timedelta, window: timedelta, extra: Sequence[str],
                 landed_by: exp.Expression | None = None) -> exp.Select:
        """Fetched (entity row, tile of ``size``) pairs joined to the tile's source rows in
        ``(t - w, t]`` and known by ``t``; with ``landed_by``, only rows landed by then."""
        time = names.column(TIME_US, fetched)
        start = exp.Sub(this=time.copy(), expression=times.literal(window))
        same_tile = names.column(tile_name(size), SCAN).eq(names.column(TILE, fetched))
        conditions = [*self.keys_equal(fetched, SCAN), same_tile,
                      names.column(EVENT_US, SCAN) > start, names.column(KNOWN_US, SCAN) <= time]
        if landed_by is not None:
            conditions.append(landed(SCAN) <= landed_by)
        on = exp.and_(*conditions, copy=False)
        carried = [names.column(c, fetched) for c in (names.ROW, TIME_US, *extra)]
        row_columns = [names.column(c, SCAN) for c in self.row_columns()]
        return (
            exp.select(*carried, *row_columns, copy=False)
            .from_(names.table(fetched), copy=False)
            .join(self.scan.subquery(names.identifier(SCAN)), on=on, join_type="INNER", copy=False)
        )

    def row_columns(self) -> list[str]:
        columns = [EVENT_US, KNOWN_US] + ([CREATED_US] if self.context.has_created else [])
        measures = {self.context.measure_index(self.context.columns[i]) for i in self.grain.outputs}
        for index in sorted(measures):
            columns.append(measure_name(index))
            if self._needs_passes(index):
                columns.append(passes_name(index))
        return columns

    def _needs_passes(self, measure: int) -> bool:
        return any(
            self.context.measure_index(self.context.columns[i]) == measure
            and self.context.columns[i].aggregation.function == "last"
            and self.context.columns[i].aggregation.filter is not None
            for i in self.grain.outputs
        )

    def kept(self) -> KeptTiles | None:
        """Kept tiles holding every summary this grain reads, if the request has them; under
        the event-time rule only with the watermark they are built to (rows landing after it
        are then read raw)."""
        wanted = [(self.context.measures[m], stat) for m, group in self.stats().items() for stat in group]
        for kept in self.context.kept:
            if kept.size == self.grain.size and all(kept.column(m, stat) for m, stat in wanted):
                return kept
        return None

    @property
    def checks_landing(self) -> bool:
        """Whether tiles record when their last row landed and count only if it is early enough."""
        return self.context.uses_known_time or (self.grain.tiled and self.kept() is not None)

    def landing_limit(self, table: str) -> exp.Expression:
        """When a tile's rows must have landed by for it to be read whole: the entity time
        (known-time rule), else the kept tiles' watermark (rows landing later are read raw)."""
        if self.context.uses_known_time:
            return names.column(TIME_US, table)
        landed_by = self.raw_landed_by()
        assert landed_by is not None, "no landing limit without kept tiles"
        return landed_by

    def raw_landed_by(self) -> exp.Expression | None:
        """Under the event-time rule with kept tiles: the watermark raw rows must have landed by
        (later rows are read apart, see ``tiles.build_late_rows``); else nothing."""
        kept = None if self.context.uses_known_time or not self.grain.tiled else self.kept()
        if kept is None or kept.known_by is None:
            return None
        return times.instant_literal(kept.known_by)

    def stats(self) -> dict[int, tuple[str, ...]]:
        """Per measure of this grain, the summaries its functions read, in a fixed order."""
        wanted: dict[int, set[str]] = {}
        for i in self.grain.outputs:
            column = self.context.columns[i]
            measure = self.context.measure_index(column)
            wanted.setdefault(measure, set()).update(NEEDS[column.aggregation.function])
            if measure not in self.context.split_measures:
                wanted[measure].discard("r")  # integers are added up whole
        order = ("n", "s", "r", "lo", "hi", "q")
        return {m: tuple(s for s in order if s in group) for m, group in sorted(wanted.items())}


def landed(table: str) -> exp.Expression:
    """When a scan row landed, for rows whose event time is already bounded by a later instant:
    its created time, or its event time when it has none."""
    return exp.func("COALESCE", names.column(CREATED_US, table), names.column(EVENT_US, table))


def union(selects: list[exp.Select], distinct: bool) -> exp.Query:
    query: exp.Query = selects[0]
    for select in selects[1:]:
        query = exp.Union(this=query, expression=select, distinct=distinct)
    return query


def start_name(window: timedelta) -> str:
    """The probe column holding ``tile(t - window)``."""
    return f"_vfs_ta_{times.micros(window)}"


def as_(value: exp.Expression, name: str) -> exp.Alias:
    return exp.alias_(value, names.identifier(name), copy=False)
