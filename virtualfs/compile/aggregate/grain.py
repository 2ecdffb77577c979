"""The CTEs of one grain of the tiled formulation: aggregations sharing a tile size.

Steps, each a CTE named ``<prefix>_<step>``: ``probe`` (entity rows with their tile numbers),
``tiles`` (per key and tile: summaries, and when its last row landed), ``middle`` (entity rows
joined to the whole tiles inside their window), ``fetch`` (the tiles read raw: the edges, and
middles not wholly known at ``t``), ``raw`` (those tiles' source rows inside the window), then
``pieces`` and the per-row aggregates (``combine``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.aggregate import times
from virtualfs.compile.aggregate.combine import (
    NEEDS,
    Part,
    Pieces,
    build_raw_aggregates,
    build_stats_aggregates,
    flag_name,
    stat_name,
)
from virtualfs.compile.aggregate.source import CREATED_US, EVENT_US, KNOWN_US, TIME_US, tile_name
from virtualfs.compile.aggregate.spec import AggregateContext, key_name, measure_name, passes_name

TILE, TILE_T, KNOWN_MAX, NUMBER, SCAN = "_vfs_tile", "_vfs_tt", "_vfs_mk", "_vfs_i", "_vfs_scan"


@dataclass(frozen=True)
class Grain:
    """Aggregations sharing a tile size; ``tiled`` when their windows span several tiles."""

    size: timedelta
    tiled: bool
    outputs: tuple[int, ...]
    windows: tuple[timedelta, ...] = field(default=())



@dataclass(frozen=True)
class GrainSteps:
    """The CTEs of one grain, named ``<prefix>_<step>``."""

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
        edges = [self._fetch_from_probe(TILE_T), self._fetch_from_probe(_start(window), distinct_from_t=True)]
        fetch = _union(edges, distinct=False)
        raw = self._raw_rows(self.step("fetch"), window, extra=())
        order = (EVENT_US, CREATED_US) if self.context.has_created else (EVENT_US,)
        pieces = Pieces(self.step("raw"), frozenset(), order)
        return [
            Part(self.step("probe"), self._probe()),
            Part(self.step("fetch"), fetch),
            Part(self.step("raw"), raw),
            *build_raw_aggregates(self.context, pieces, self.grain.outputs, self.step("agg")),
        ]

    def tiled_parts(self) -> list[Part]:
        """Whole tiles in the middle, raw rows at the edges and in tiles not wholly known."""
        single = len(self.grain.windows) == 1
        fetches = [self._fetch_from_probe(TILE_T)]
        fetches += [self._fetch_from_probe(_start(w), distinct_from_t=single) for w in self.grain.windows]
        parts = [
            Part(self.step("probe"), self._probe()),
            Part(self.step("tiles"), self._tiles()),
            Part(self.step("middle"), self._middle()),
        ]
        if self.context.uses_known_time:
            parts.append(Part(self.step("late"), self._late_tiles()))
            fetches += [self._unknown_previous(), self._unknown_late()]
        # with one window the fetched tiles are distinct: t's, a's, and middles strictly between
        parts.append(Part(self.step("fetch"), _union(fetches, distinct=not single)))
        fetched = self.step("fetch")
        if self._needs_known_max():
            parts.append(Part(self.step("fetchmk"), self._with_known_max()))
            fetched = self.step("fetchmk")
        raw = self._raw_rows(fetched, max(self.grain.windows), extra=self._carried())
        parts.append(Part(self.step("raw"), raw))
        pieces_query = _union([self._tile_pieces(), self._raw_pieces()], distinct=False)
        parts.append(Part(self.step("pieces"), pieces_query))
        # one window: every middle tile and every joined raw row lies in it, so no flags
        flagged = frozenset(self.grain.windows) if len(self.grain.windows) > 1 else frozenset()
        pieces = Pieces(self.step("pieces"), flagged)
        return parts + build_stats_aggregates(self.context, pieces, self.grain.outputs, self.step("agg"))

    # -- entity side -------------------------------------------------------------------------

    def _probe(self) -> exp.Select:
        """Entity rows with ``tile(t)`` and, per window, ``tile(t - w)``."""
        time = names.column(TIME_US)
        columns = [exp.Star(), _as(self._tile(time), TILE_T)]
        for window in self.grain.windows:
            start = exp.Sub(this=time.copy(), expression=times.literal(window))
            columns.append(_as(self._tile(start), _start(window)))
        return exp.select(*columns, copy=False).from_(names.table(self.entities), copy=False)

    def _tile(self, micros: exp.Expression) -> exp.Expression:
        return times.tile_number(micros, self.grain.size, self.context.dialect)

    def _keys_equal(self, left: str, right: str) -> list[exp.Expression]:
        count = len(self.context.view.join_keys)
        return [names.column(key_name(i), left).eq(names.column(key_name(i), right)) for i in range(count)]

    def _probe_columns(self, table: str) -> list[exp.Expression]:
        keys = [names.column(key_name(i), table) for i in range(len(self.context.view.join_keys))]
        starts = [names.column(_start(w), table) for w in self.grain.windows]
        return [names.column(names.ROW, table), *keys, names.column(TIME_US, table),
                names.column(TILE_T, table), *starts]

    def _fetch_from_probe(self, tile: str, distinct_from_t: bool = False) -> exp.Select:
        probe = self.step("probe")
        select = exp.select(*self._probe_columns(probe), _as(names.column(tile, probe), TILE), copy=False)
        select = select.from_(names.table(probe), copy=False)
        if distinct_from_t:
            select = select.where(names.column(tile, probe).neq(names.column(TILE_T, probe)), copy=False)
        return select

    # -- tiles -------------------------------------------------------------------------------

    def _tiles(self) -> exp.Select:
        """Per (keys, tile): when its last row landed, and each measure's summaries."""
        keys = [names.column(key_name(i)) for i in range(len(self.context.view.join_keys))]
        tile = names.column(tile_name(self.grain.size))
        columns = [*keys, _as(tile, TILE)]
        if self.context.uses_known_time:
            columns.append(_as(exp.Max(this=names.column(KNOWN_US)), KNOWN_MAX))
        for measure, stats in self._stats().items():
            value = names.column(measure_name(measure))
            columns += [_as(_summary(stat, value), stat_name(stat, measure)) for stat in stats]
        return (
            exp.select(*columns, copy=False)
            .from_(self._scan(), copy=False)
            .group_by(*[k.copy() for k in keys], tile.copy(), copy=False)
        )

    def _middle(self) -> exp.Select:
        """Entity rows joined to the tiles strictly inside their longest window."""
        probe, tiles, numbers = self.step("probe"), self.step("tiles"), "_vfs_n"
        start = names.column(_start(max(self.grain.windows)), probe)
        wanted = exp.Add(this=start, expression=names.column(NUMBER, numbers))
        on_tile = exp.and_(*self._keys_equal(probe, tiles), names.column(TILE, tiles).eq(wanted.copy()))
        tile_columns = [names.column(c, tiles) for c in self._tile_columns()]
        return (
            exp.select(*self._probe_columns(probe), *tile_columns, copy=False)
            .from_(names.table(probe), copy=False)
            .join(self._numbers(numbers), on=wanted < names.column(TILE_T, probe), join_type="INNER")
            .join(names.table(tiles), on=on_tile, join_type="INNER", copy=False)
        )

    def _numbers(self, alias: str) -> exp.Values:
        count = -(-max(self.grain.windows) // self.grain.size)
        rows = [exp.Tuple(expressions=[exp.Literal.number(i)]) for i in range(1, count + 1)]
        return exp.Values(expressions=rows, alias=exp.TableAlias(
            this=names.identifier(alias), columns=[names.identifier(NUMBER)]))

    # Middle tiles not wholly known at t are read raw. Found without going through ``middle``
    # (which would then be read twice, and so materialised): a row of tile j landing after t,
    # t in tile tt >= j + 2, landed after the first instant of tile j + 2 ("late" tiles, rare:
    # backfills); only tile tt - 1 can be unknown without being late.

    def _late_tiles(self) -> exp.Select:
        """Tiles with a row that landed after the start of the tile after next."""
        tiles = self.step("tiles")
        tile = names.column(TILE)
        # the first microsecond of tile j + 2 (tiles truncate toward zero: tile 0 is (-s, s))
        after_next = exp.paren(exp.Add(this=tile, expression=exp.Literal.number(2)))
        step = times.literal(self.grain.size)
        one = exp.Literal.number(1)
        scaled = exp.Mul(this=after_next, expression=step)
        positive = exp.If(this=after_next.copy() >= one.copy(), true=scaled)
        zero = exp.If(this=after_next.copy().eq(0), true=exp.Sub(this=one.copy(), expression=step.copy()))
        next_tile = exp.paren(exp.Add(this=tile.copy(), expression=one.copy()))
        first_instant = exp.Case(
            ifs=[positive, zero],
            default=exp.Add(this=exp.Mul(this=next_tile, expression=step.copy()), expression=one.copy()),
        )
        late = names.column(KNOWN_MAX) > first_instant
        rows = exp.select(exp.Star(), copy=False).from_(names.table(tiles), copy=False)
        return rows.where(late, copy=False)

    def _unknown_previous(self) -> exp.Select:
        """``tile(t) - 1`` when it is a middle tile and its last row landed after ``t``."""
        probe, tiles = self.step("probe"), self.step("tiles")
        previous = exp.Sub(this=names.column(TILE_T, probe), expression=exp.Literal.number(1))
        on = exp.and_(*self._keys_equal(probe, tiles), names.column(TILE, tiles).eq(previous))
        return self._unknown(tiles, on)

    def _unknown_late(self) -> exp.Select:
        """Late middle tiles (below ``tile(t) - 1``) whose last row landed after ``t``."""
        probe, late = self.step("probe"), self.step("late")
        previous = exp.Sub(this=names.column(TILE_T, probe), expression=exp.Literal.number(1))
        on = exp.and_(*self._keys_equal(probe, late), names.column(TILE, late) < previous)
        return self._unknown(late, on)

    def _unknown(self, tiles: str, on: exp.Expression) -> exp.Select:
        probe = self.step("probe")
        tile = names.column(TILE, tiles)
        inside = tile.copy() > names.column(_start(max(self.grain.windows)), probe)
        landed_after = names.column(KNOWN_MAX, tiles) > names.column(TIME_US, probe)
        return (
            exp.select(*self._probe_columns(probe), _as(tile, TILE), copy=False)
            .from_(names.table(probe), copy=False)
            .join(names.table(tiles), on=on, join_type="INNER", copy=False)
            .where(exp.and_(inside, landed_after), copy=False)
        )

    def _needs_known_max(self) -> bool:
        """Raw rows need their tile's landing time when a tile may be another window's middle."""
        return self.context.uses_known_time and len(self.grain.windows) > 1

    def _with_known_max(self) -> exp.Select:
        fetch, tiles = self.step("fetch"), self.step("tiles")
        same_tile = names.column(TILE, fetch).eq(names.column(TILE, tiles))
        on = exp.and_(*self._keys_equal(fetch, tiles), same_tile)
        return (
            exp.select(exp.Column(this=exp.Star(), table=names.identifier(fetch)),
                       names.column(KNOWN_MAX, tiles), copy=False)
            .from_(names.table(fetch), copy=False)
            .join(names.table(tiles), on=on, join_type="LEFT", copy=False)
        )

    # -- pieces ------------------------------------------------------------------------------

    def _raw_rows(self, fetched: str, window: timedelta, extra: Sequence[str]) -> exp.Select:
        """Fetched (entity row, tile) pairs joined to the tile's source rows in ``(t - w, t]``
        and known by ``t``."""
        scan = SCAN
        time = names.column(TIME_US, fetched)
        start = exp.Sub(this=time.copy(), expression=times.literal(window))
        on = exp.and_(
            *self._keys_equal(fetched, scan), names.column(tile_name(self.grain.size), scan).eq(
                names.column(TILE, fetched)),
            names.column(EVENT_US, scan) > start, names.column(KNOWN_US, scan) <= time, copy=False,
        )
        carried = [names.column(c, fetched) for c in (names.ROW, TIME_US, *extra)]
        row_columns = [names.column(c, scan) for c in self._row_columns()]
        return (
            exp.select(*carried, *row_columns, copy=False)
            .from_(names.table(fetched), copy=False)
            .join(self._scan(), on=on, join_type="INNER", copy=False)
        )

    def _scan(self) -> exp.Subquery:
        return self.scan.subquery(names.identifier(SCAN))

    def _row_columns(self) -> list[str]:
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

    def _carried(self) -> tuple[str, ...]:
        carried = [TILE, TILE_T, *(_start(w) for w in self.grain.windows)]
        return (*carried, KNOWN_MAX) if self._needs_known_max() else tuple(carried)

    def _tile_pieces(self) -> exp.Select:
        middle = self.step("middle")
        tile = names.column(TILE, middle)
        flags = [_as(tile.copy() > names.column(_start(w), middle), flag_name(w)) for w in self._flagged()]
        stats = [names.column(stat_name(s, m), middle) for m, group in self._stats().items() for s in group]
        select = exp.select(names.column(names.ROW, middle), *flags, *stats, copy=False)
        select = select.from_(names.table(middle), copy=False)
        if self.context.uses_known_time:
            known = names.column(KNOWN_MAX, middle) <= names.column(TIME_US, middle)
            select = select.where(known, copy=False)
        return select

    def _raw_pieces(self) -> exp.Select:
        raw = self.step("raw")
        flags = [_as(self._raw_flag(raw, w), flag_name(w)) for w in self._flagged()]
        stats = []
        for measure, group in self._stats().items():
            value = names.column(measure_name(measure), raw)
            stats += [_as(_single(stat, value), stat_name(stat, measure)) for stat in group]
        return exp.select(names.column(names.ROW, raw), *flags, *stats, copy=False).from_(
            names.table(raw), copy=False)

    def _raw_flag(self, raw: str, window: timedelta) -> exp.Expression:
        """In ``window``: ``e > t - w``, and not in a tile that ``window`` reads whole."""
        time = names.column(TIME_US, raw)
        inside = names.column(EVENT_US, raw) > exp.Sub(this=time, expression=times.literal(window))
        if len(self.grain.windows) == 1:
            return inside
        tile = names.column(TILE, raw)
        whole = [tile > names.column(_start(window), raw), tile.copy() < names.column(TILE_T, raw)]
        if self.context.uses_known_time:
            whole.append(names.column(KNOWN_MAX, raw) <= time.copy())
        return exp.and_(inside, exp.not_(exp.paren(exp.and_(*whole, copy=False))), copy=False)

    def _flagged(self) -> tuple[timedelta, ...]:
        return self.grain.windows if len(self.grain.windows) > 1 else ()

    def _stats(self) -> dict[int, tuple[str, ...]]:
        """Per measure of this grain, the summaries its functions read, in a fixed order."""
        wanted: dict[int, set[str]] = {}
        for i in self.grain.outputs:
            column = self.context.columns[i]
            measure = self.context.measure_index(column)
            wanted.setdefault(measure, set()).update(NEEDS[column.aggregation.function])
        order = ("n", "s", "lo", "hi", "q")
        return {m: tuple(s for s in order if s in group) for m, group in sorted(wanted.items())}

    def _tile_columns(self) -> list[str]:
        landed = [KNOWN_MAX] if self.context.uses_known_time else []
        return [TILE, *landed, *(stat_name(s, m) for m, group in self._stats().items() for s in group)]


def _summary(stat: str, value: exp.Expression) -> exp.Expression:
    if stat == "n":
        return exp.Count(this=value)
    if stat == "s":
        return exp.Sum(this=value)
    if stat == "lo":
        return exp.Min(this=value)
    if stat == "hi":
        return exp.Max(this=value)
    # squared deviations from the tile's own mean: exact to rounding, whatever the magnitude
    return exp.Mul(this=exp.VariancePop(this=value), expression=exp.Count(this=value.copy()))


def _single(stat: str, value: exp.Expression) -> exp.Expression:
    """The summary ``stat`` of one raw row (a tile of one row, or none when the value is null)."""
    present = value.copy().is_(exp.null()).not_()
    if stat == "n":
        return exp.Case(ifs=[exp.If(this=present, true=exp.Literal.number(1))], default=exp.Literal.number(0))
    if stat == "q":
        return exp.Case(ifs=[exp.If(this=present, true=exp.cast(exp.Literal.number(0), "DOUBLE"))])
    return value


def _union(selects: list[exp.Select], distinct: bool) -> exp.Query:
    query: exp.Query = selects[0]
    for select in selects[1:]:
        query = exp.Union(this=query, expression=select, distinct=distinct)
    return query


def _start(window: timedelta) -> str:
    return f"_vfs_ta_{times.micros(window)}"


def _as(value: exp.Expression, name: str) -> exp.Alias:
    return exp.alias_(value, names.identifier(name), copy=False)
