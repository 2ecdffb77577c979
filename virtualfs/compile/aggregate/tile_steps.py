"""The steps of a tiled grain: keys routed to tiles or to raw rows, tiles, middles, edges.

**Routing.** Summarising a key's rows into tiles costs a pass over all of them; it pays when
the key's entity rows are many for the time they span, so that without tiles each source row
would be read again for many of them. Per key, from the entity rows alone: ``labels x w >=
dense_ratio x (span + w)`` sends the key to tiles, otherwise its entity rows read raw rows in
buckets as wide as the longest window (a bucketed range join, never more rows than the naive
join reads). Only routed keys' rows, within their entity rows' time range, are summarised.

**Known-time rule.** A tile records when its last row landed (``_vfs_mk``); a middle tile not
wholly known at ``t`` is read row by row. Such tiles are found without re-reading ``middle``
(which would then be materialised): a row of tile j landing after ``t``, with ``t`` in tile
``tt >= j + 2``, landed after the first instant of tile ``j + 2`` ("late" tiles: backfills, rare),
so only ``tt - 1`` and late tiles need checking.

**Kept tiles** (``kept.py``), when the request has them, replace ``tiles``: read, not summarised,
and every key is routed to them. Under the event-time rule the same check runs against the
tiles' watermark ``W`` instead of ``t`` (every label is at or before ``W``): a tile holding a row
landed after ``W`` is read row by row, raw rows are those landed by ``W``, and the rows landing
after it are joined to every entity row apart (``lraw``) — each row counted exactly once.
"""

from __future__ import annotations

from datetime import timedelta

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.aggregate.combine import Part, Pieces, build_stats_aggregates, flag_name, stat_name
from virtualfs.compile.aggregate.grain import (
    DENSE,
    KNOWN_MAX,
    NUMBER,
    SCAN,
    TILE,
    TILE_T,
    GrainSteps,
    as_,
    landed,
    start_name,
    union,
)
from virtualfs.compile.aggregate.kept_tiles import KeptTiles
from virtualfs.compile.aggregate.source import EVENT_US, KNOWN_US, TIME_US, tile_name
from virtualfs.compile.aggregate.spec import measure_name
from virtualfs.compile.aggregate.sums import row_summary, row_value
from virtualfs.dialects import times

LOW, HIGH, BUCKET_T, BUCKET_A = "_vfs_lo", "_vfs_hi", "_vfs_bt", "_vfs_ba"


def tiled_parts(steps: GrainSteps) -> list[Part]:
    """Whole tiles in the middle, raw rows at the edges, in tiles not wholly known, and for keys
    routed away from tiles."""
    grain, step = steps.grain, steps.step
    single = len(grain.windows) == 1
    fetches = [steps.fetch_from_probe(TILE_T, dense=True)]
    unless = TILE_T if single else None
    fetches += [steps.fetch_from_probe(start_name(w), unless=unless, dense=True) for w in grain.windows]
    parts = [
        Part(step("routes"), build_key_routes(steps)),
        Part(step("probe"), _bucketed(steps, steps.probe(step("routes")))),
        Part(step("tiles"), build_tiles(steps)),
        Part(step("middle"), build_middle(steps)),
    ]
    if steps.checks_landing:
        parts.append(Part(step("late"), build_late_tiles(steps)))
        fetches += [build_unknown(steps, "tiles", previous=True),
                    build_unknown(steps, "late", previous=False)]
    # with one window the fetched tiles are distinct: t's, a's, and middles strictly between
    parts.append(Part(step("fetch"), union(fetches, distinct=not single)))
    fetched = step("fetch")
    if _needs_known_max(steps):
        parts.append(Part(step("fetchmk"), _with_known_max(steps)))
        fetched = step("fetchmk")
    landed_by = steps.raw_landed_by()
    parts.append(Part(step("raw"), steps.raw_rows(fetched, grain.size, grain.longest, extra=_carried(steps),
                                                  landed_by=landed_by)))
    parts += _sparse_parts(steps, landed_by)
    pieces = [_tile_pieces(steps), _raw_pieces(steps, step("raw"), beside_tiles=True),
              _raw_pieces(steps, step("sraw"), beside_tiles=False)]
    if landed_by is not None:
        parts.append(Part(step("lraw"), build_late_rows(steps, landed_by)))
        pieces.append(_raw_pieces(steps, step("lraw"), beside_tiles=False))
    parts.append(Part(step("pieces"), union(pieces, distinct=False)))
    # one window: every middle tile and every joined raw row lies in it, so no flags
    flagged = frozenset(grain.windows) if not single else frozenset()
    return parts + build_stats_aggregates(steps.context, Pieces(step("pieces"), flagged), grain.outputs,
                                          step("agg"))


def build_key_routes(steps: GrainSteps) -> exp.Select:
    """Per key of the entity rows: routed to tiles or not, and the span of its entity times."""
    time, longest = names.column(TIME_US), times.literal(steps.grain.longest)
    low, high = exp.Min(this=time), exp.Max(this=time.copy())
    span = exp.Add(this=exp.Sub(this=high.copy(), expression=low.copy()), expression=longest.copy())
    labels = exp.cast(exp.Count(this=exp.Star()), "DOUBLE")
    ratio = exp.Literal.number(steps.grain.dense_ratio)
    depth = exp.Mul(this=labels, expression=longest)
    dense = depth >= exp.Mul(this=ratio, expression=exp.cast(span, "DOUBLE"))
    keys = steps.key_columns()
    return (
        exp.select(*keys, as_(dense, DENSE), as_(low, LOW), as_(high, HIGH), copy=False)
        .from_(names.table(steps.entities), copy=False)
        .group_by(*[k.copy() for k in keys], copy=False)
    )


def build_tiles(steps: GrainSteps) -> exp.Select:
    """Per (keys, tile) of routed keys, within their entity times: when its last row landed,
    and each measure's summaries; read from kept tiles where the request has them."""
    kept = steps.kept()
    if kept is not None:
        return build_kept_tiles(steps, kept)
    routes, longest = steps.step("routes"), times.literal(steps.grain.longest)
    keys = steps.key_columns(SCAN)
    tile = names.column(tile_name(steps.grain.size), SCAN)
    columns = [*keys, as_(tile, TILE)]
    if steps.context.uses_known_time:
        columns.append(as_(exp.Max(this=names.column(KNOWN_US, SCAN)), KNOWN_MAX))
    for measure, stats in steps.stats().items():
        columns += [as_(row_summary(steps.context, stat, measure, SCAN), stat_name(stat, measure))
                    for stat in stats]
    event, high = names.column(EVENT_US, SCAN), names.column(HIGH, routes)
    earliest = exp.Sub(this=names.column(LOW, routes), expression=longest)
    inside = [names.column(DENSE, routes), event > earliest, event.copy() <= high]
    if steps.context.uses_known_time:
        inside.append(names.column(KNOWN_US, SCAN) <= high.copy())
    return (
        exp.select(*columns, copy=False)
        .from_(steps.scan.subquery(names.identifier(SCAN)), copy=False)
        .join(names.table(routes), on=exp.and_(*steps.keys_equal(SCAN, routes), *inside), join_type="INNER")
        .group_by(*[k.copy() for k in keys], tile.copy(), copy=False)
    )


def build_kept_tiles(steps: GrainSteps, kept: KeptTiles) -> exp.Select:
    """The kept tiles of routed keys from the first tile of their earliest window to the tile
    of their latest entity row, columns named as tiles summarised here would be."""
    routes, alias = steps.step("routes"), "_vfs_kept"
    tile = names.column(TILE, alias)
    columns = [*steps.key_columns(alias), tile, names.column(KNOWN_MAX, alias)]
    for measure, stats in steps.stats().items():
        stored = steps.context.measures[measure]
        # ``steps.kept()`` chose these tiles because they hold every one of these columns
        columns += [as_(names.column(kept.column(stored, stat) or "", alias), stat_name(stat, measure))
                    for stat in stats]
    earliest = exp.Sub(this=names.column(LOW, routes), expression=times.literal(steps.grain.longest))
    inside = [names.column(DENSE, routes), tile.copy() >= steps.tile(earliest),
              tile.copy() <= steps.tile(names.column(HIGH, routes))]
    table = kept.relation(steps.context.dialect)
    table.set("alias", exp.TableAlias(this=names.identifier(alias)))
    return (
        exp.select(*columns, copy=False)
        .from_(table, copy=False)
        .join(names.table(routes), on=exp.and_(*steps.keys_equal(alias, routes), *inside), join_type="INNER")
    )


def build_middle(steps: GrainSteps) -> exp.Select:
    """Routed entity rows joined to the tiles strictly inside their longest window."""
    probe, tiles, numbers = steps.step("probe"), steps.step("tiles"), "_vfs_n"
    start = names.column(start_name(steps.grain.longest), probe)
    wanted = exp.Add(this=start, expression=names.column(NUMBER, numbers))
    on_tile = exp.and_(*steps.keys_equal(probe, tiles), names.column(TILE, tiles).eq(wanted.copy()))
    tile_columns = [names.column(c, tiles) for c in _tile_columns(steps)]
    inside = exp.and_(wanted < names.column(TILE_T, probe), names.column(DENSE, probe))
    return (
        exp.select(*steps.probe_columns(probe), *tile_columns, copy=False)
        .from_(names.table(probe), copy=False)
        .join(_numbers(steps, numbers), on=inside, join_type="INNER")
        .join(names.table(tiles), on=on_tile, join_type="INNER", copy=False)
    )


def build_late_tiles(steps: GrainSteps) -> exp.Select:
    """Tiles with a row that landed after the first instant of the tile after next."""
    tile, step, one = names.column(TILE), times.literal(steps.grain.size), exp.Literal.number(1)
    # tiles truncate toward zero: tile 0 is (-s, s), so the first instant depends on the sign
    after_next = exp.paren(exp.Add(this=tile, expression=exp.Literal.number(2)))
    positive = exp.If(this=after_next.copy() >= one.copy(), true=exp.Mul(this=after_next, expression=step))
    zero = exp.If(this=after_next.copy().eq(0), true=exp.Sub(this=one.copy(), expression=step.copy()))
    next_tile = exp.paren(exp.Add(this=tile.copy(), expression=one.copy()))
    negative = exp.Add(this=exp.Mul(this=next_tile, expression=step.copy()), expression=one.copy())
    late = names.column(KNOWN_MAX) > exp.Case(ifs=[positive, zero], default=negative)
    rows = exp.select(exp.Star(), copy=False).from_(names.table(steps.step("tiles")), copy=False)
    return rows.where(late, copy=False)


def build_unknown(steps: GrainSteps, source: str, previous: bool) -> exp.Select:
    """Middle tiles of ``source`` (tiles, or late tiles) whose last row landed after ``t``:
    ``tile(t) - 1`` when ``previous``, else those below it."""
    probe, tiles = steps.step("probe"), steps.step(source)
    tile = names.column(TILE, tiles)
    before_t = exp.Sub(this=names.column(TILE_T, probe), expression=exp.Literal.number(1))
    place = tile.copy().eq(before_t) if previous else tile.copy() < before_t
    inside = tile.copy() > names.column(start_name(steps.grain.longest), probe)
    landed_after = names.column(KNOWN_MAX, tiles) > steps.landing_limit(probe)
    return (
        exp.select(*steps.probe_columns(probe), as_(tile, TILE), copy=False)
        .from_(names.table(probe), copy=False)
        .join(names.table(tiles), on=exp.and_(*steps.keys_equal(probe, tiles), place), join_type="INNER")
        .where(exp.and_(inside, landed_after, names.column(DENSE, probe)), copy=False)
    )


def build_late_rows(steps: GrainSteps, landed_by: exp.Expression) -> exp.Select:
    """Event-time rule with kept tiles: every entity row's source rows in its longest window that
    landed after the tiles' watermark ``landed_by`` (none of them is in a tile or read raw)."""
    probe = steps.step("probe")
    time = names.column(TIME_US, probe)
    start = exp.Sub(this=time.copy(), expression=times.literal(steps.grain.longest))
    event = names.column(EVENT_US, SCAN)
    on = exp.and_(*steps.keys_equal(probe, SCAN), event > start, event.copy() <= time.copy(),
                  landed(SCAN) > landed_by, copy=False)
    row_columns = [names.column(c, SCAN) for c in steps.row_columns()]
    return (
        exp.select(names.column(names.ROW, probe), time, *row_columns, copy=False)
        .from_(names.table(probe), copy=False)
        .join(steps.scan.subquery(names.identifier(SCAN)), on=on, join_type="INNER", copy=False)
    )


def _bucketed(steps: GrainSteps, probe: exp.Select) -> exp.Select:
    """The probe with the buckets (as wide as the longest window) of keys read raw."""
    time, longest = names.column(TIME_US, steps.entities), steps.grain.longest
    start = exp.Sub(this=time.copy(), expression=times.literal(longest))
    return probe.select(as_(steps.tile(time, longest), BUCKET_T), as_(steps.tile(start, longest), BUCKET_A),
                        copy=False)


def _sparse_parts(steps: GrainSteps, landed_by: exp.Expression | None) -> list[Part]:
    """Entity rows of keys not routed to tiles: the raw rows of their two buckets (landed by
    ``landed_by``, when later rows are read apart)."""
    buckets = [steps.fetch_from_probe(BUCKET_T, dense=False),
               steps.fetch_from_probe(BUCKET_A, unless=BUCKET_T, dense=False)]
    fetch = union(buckets, distinct=False)
    longest = steps.grain.longest
    return [
        Part(steps.step("sfetch"), fetch),
        Part(steps.step("sraw"), steps.raw_rows(steps.step("sfetch"), longest, longest, extra=(),
                                                landed_by=landed_by)),
    ]


def _numbers(steps: GrainSteps, alias: str) -> exp.Values:
    count = -(-steps.grain.longest // steps.grain.size)
    rows = [exp.Tuple(expressions=[exp.Literal.number(i)]) for i in range(1, count + 1)]
    return exp.Values(expressions=rows, alias=exp.TableAlias(
        this=names.identifier(alias), columns=[names.identifier(NUMBER)]))


def _needs_known_max(steps: GrainSteps) -> bool:
    """Raw rows need their tile's landing time when a tile may be another window's middle."""
    return steps.checks_landing and len(steps.grain.windows) > 1


def _with_known_max(steps: GrainSteps) -> exp.Select:
    fetch, tiles = steps.step("fetch"), steps.step("tiles")
    same_tile = names.column(TILE, fetch).eq(names.column(TILE, tiles))
    return (
        exp.select(exp.Column(this=exp.Star(), table=names.identifier(fetch)),
                   names.column(KNOWN_MAX, tiles), copy=False)
        .from_(names.table(fetch), copy=False)
        .join(names.table(tiles), on=exp.and_(*steps.keys_equal(fetch, tiles), same_tile), join_type="LEFT")
    )


def _carried(steps: GrainSteps) -> tuple[str, ...]:
    carried = (TILE, TILE_T, *(start_name(w) for w in steps.grain.windows))
    return (*carried, KNOWN_MAX) if _needs_known_max(steps) else carried


def _tile_pieces(steps: GrainSteps) -> exp.Select:
    middle = steps.step("middle")
    tile = names.column(TILE, middle)
    flags = [as_(tile.copy() > names.column(start_name(w), middle), flag_name(w)) for w in _flagged(steps)]
    stats = [names.column(stat_name(s, m), middle) for m, group in steps.stats().items() for s in group]
    select = exp.select(names.column(names.ROW, middle), *flags, *stats, copy=False)
    select = select.from_(names.table(middle), copy=False)
    if steps.checks_landing:
        known = names.column(KNOWN_MAX, middle) <= steps.landing_limit(middle)
        select = select.where(known, copy=False)
    return select


def _raw_pieces(steps: GrainSteps, raw: str, beside_tiles: bool) -> exp.Select:
    """Raw rows as one-row summaries; ``beside_tiles``: a row of a tile a window reads whole
    is not in that window again."""
    flags = [as_(_raw_flag(steps, raw, w, beside_tiles), flag_name(w)) for w in _flagged(steps)]
    stats = []
    for measure, group in steps.stats().items():
        stats += [as_(_single(steps, stat, measure, raw), stat_name(stat, measure)) for stat in group]
    return exp.select(names.column(names.ROW, raw), *flags, *stats, copy=False).from_(
        names.table(raw), copy=False)


def _raw_flag(steps: GrainSteps, raw: str, window: timedelta, beside_tiles: bool) -> exp.Expression:
    """In ``window``: ``e > t - w``, and not in a tile that ``window`` reads whole."""
    time = names.column(TIME_US, raw)
    inside = names.column(EVENT_US, raw) > exp.Sub(this=time, expression=times.literal(window))
    if not beside_tiles:
        return inside
    tile = names.column(TILE, raw)
    whole = [tile > names.column(start_name(window), raw), tile.copy() < names.column(TILE_T, raw)]
    if steps.checks_landing:
        whole.append(names.column(KNOWN_MAX, raw) <= steps.landing_limit(raw))
    return exp.and_(inside, exp.not_(exp.paren(exp.and_(*whole, copy=False))), copy=False)


def _flagged(steps: GrainSteps) -> tuple[timedelta, ...]:
    return steps.grain.windows if len(steps.grain.windows) > 1 else ()


def _tile_columns(steps: GrainSteps) -> list[str]:
    landed = [KNOWN_MAX] if steps.checks_landing else []
    return [TILE, *landed, *(stat_name(s, m) for m, group in steps.stats().items() for s in group)]


def _single(steps: GrainSteps, stat: str, measure: int, raw: str) -> exp.Expression:
    """The summary ``stat`` of one raw row (a tile of one row, or none when the value is null)."""
    value = names.column(measure_name(measure), raw)
    present = value.copy().is_(exp.null()).not_()
    if stat == "n":
        return exp.Case(ifs=[exp.If(this=present, true=exp.Literal.number(1))], default=exp.Literal.number(0))
    if stat in ("s", "r"):
        return row_value(steps.context, stat, measure, raw, split=False)
    if stat == "q":
        return exp.Case(ifs=[exp.If(this=present, true=exp.cast(exp.Literal.number(0), "DOUBLE"))])
    return value
