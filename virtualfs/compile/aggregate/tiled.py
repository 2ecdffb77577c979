"""Tiled: source rows summarised per (key, tile), raw rows only at the window's edges.

Times are integer microseconds; a tile is ``floor(e / size)`` (see ``times.tile_number``). For
an entity row at ``t`` and a window ``w`` (``a = t - w``), the window ``(a, t]`` is

- the whole tiles strictly between ``tile(a)`` and ``tile(t)``: every row of such a tile has
  ``a < e <= t``, so its summary (count, sum, min, max, squared deviations) is used as it is;
- the raw rows of ``tile(a)`` and ``tile(t)``, each checked against ``a < e <= t``.

Under the known-time rule a tile also records when its last row landed (``_vfs_mk``); a tile not
wholly known at ``t`` is read raw like an edge, each row checked against ``k <= t``. Tiles and
edge rows are found by equality joins on (keys, tile number), so an entity row touches about
``w / size`` tiles and the rows of two tiles, not every row of its key.

Summarising costs a pass over the rows, which pays only for keys with many entity rows over
the time they span: other keys' entity rows read raw rows in buckets as wide as the window
(``tiles.py``, decided per key in the query from the entity rows). A window shorter than
``TilePolicy.raw_below`` always reads raw rows that way, as do ``count_distinct`` and ``last``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from virtualfs.compile.aggregate.combine import Part, build_result
from virtualfs.compile.aggregate.grain import Grain, GrainSteps
from virtualfs.compile.aggregate.range_join import AggregateJoin
from virtualfs.compile.aggregate.source import build_micro_entities, build_micro_scan
from virtualfs.compile.aggregate.spec import RAW_ONLY, AggregateContext
from virtualfs.compile.aggregate.tile_steps import tiled_parts

if TYPE_CHECKING:
    from virtualfs.compile.aggregate.density import KeyDensity
    from virtualfs.dialects import Capabilities


@dataclass(frozen=True)
class TilePolicy:
    """How wide tiles are: by window length and function, never by data.

    A window shorter than ``raw_below`` (or any ``count_distinct``/``last``) reads raw rows in
    tiles as wide as the window. A longer one uses the largest of ``sizes`` it spans at least
    ``min_tiles`` times, and at most ``max_tiles`` (else raw rows): ``7d`` to ``48d`` windows get
    1-day tiles, ``49d`` to ``195d`` 7-day tiles, longer ones 28-day tiles.
    """

    raw_below: timedelta = timedelta(days=7)
    sizes: tuple[timedelta, ...] = (timedelta(days=1), timedelta(days=7), timedelta(days=28))
    min_tiles: int = 7
    max_tiles: int = 128
    # see tiles.py: a key's entity rows use tiles when labels x w >= dense_ratio x (span + w)
    dense_ratio: float = 2.0
    # with the entity rows in memory: below this share of rows with dense keys, no tiles (density.py)
    min_dense_share: float = 0.2

    def tile_size(self, window: timedelta, function: str) -> timedelta:
        """The tile size for ``function`` over ``window``; the window itself means raw rows."""
        if function in RAW_ONLY or window < self.raw_below:
            return window
        fitting = [size for size in self.sizes if window >= size * self.min_tiles]
        if not fitting or window > max(fitting) * self.max_tiles:
            return window
        return max(fitting)


def grains(context: AggregateContext, policy: TilePolicy) -> tuple[Grain, ...]:
    """The requested aggregations grouped by (tile size, tiled), in a deterministic order.

    When the entity rows are in memory and the keys with enough of them for tiles of a window to
    pay hold less than ``policy.min_dense_share`` of them, that window reads raw rows in
    window-wide buckets for every key: the tile steps' passes over the source would cost more
    than they save (unless a refresh keeps those tiles).
    """
    by_window: dict[tuple[timedelta, timedelta], list[int]] = {}
    for index, column in enumerate(context.columns):
        window = column.aggregation.window
        size = policy.tile_size(window, column.aggregation.function)
        by_window.setdefault((size, window), []).append(index)
    tiled_windows: dict[timedelta, set[timedelta]] = {}
    for size, window in by_window:
        if window > size:
            tiled_windows.setdefault(size, set()).add(window)
    # only a grain of one window can be read in buckets as wide as it
    single = {size: window for size, windows in tiled_windows.items() if len(windows) == 1
              for window in windows}
    # kept tiles cost no pass over the source, so their windows are never read raw for it
    kept = {k.size for k in context.kept}
    single = {size: window for size, window in single.items() if size not in kept}
    density = _key_density(context) if single else None
    groups: dict[tuple[timedelta, bool], list[int]] = {}
    for (size, window), outputs in by_window.items():
        tiled = window > size
        if tiled and density is not None and single.get(size) == window \
                and density.dense_share(window, policy.dense_ratio) < policy.min_dense_share:
            size, tiled = window, False  # few rows would use the tiles: buckets as wide as the window
        groups.setdefault((size, tiled), []).extend(outputs)
    # kept tiles: every key reads its tiles (a few rows per window) rather than raw rows
    return tuple(
        Grain(size, tiled, tuple(sorted(outputs)),
              tuple(sorted({context.columns[i].aggregation.window for i in outputs})),
              0.0 if size in kept else policy.dense_ratio)
        for (size, tiled), outputs in sorted(groups.items())
    )


def _key_density(context: AggregateContext) -> KeyDensity | None:
    entities = context.entities
    if entities.rows is None:
        return None
    # imported here: the online read path compiles nothing and must not load pyarrow or numpy
    import pyarrow as pa

    from virtualfs.compile.aggregate.density import KeyDensity

    columns = [entities.key_column(k) for k in context.view.join_keys]
    try:
        return KeyDensity.of(entities.rows, columns, entities.timestamp)
    except (pa.ArrowException, KeyError, ValueError):
        return None  # only an optimisation: a column it cannot read leaves the routing to the query


@dataclass(frozen=True)
class Tiled:
    """Tiles plus raw edges; see the module docstring. ``policy`` sets the tile sizes."""

    policy: TilePolicy = TilePolicy()
    name: str = "tiled"

    def supports(self, capabilities: Capabilities) -> bool:
        return capabilities.supports_epoch_micros

    def build(self, context: AggregateContext) -> AggregateJoin:
        """The CTEs computing every requested aggregation of ``context``'s view."""
        chosen = grains(context, self.policy)
        entities = context.name("ent")
        # The scan is repeated inside each query reading it rather than shared as a CTE: a
        # shared CTE is materialised (DuckDB, PostgreSQL) and hides its size from the planner.
        sizes = {grain.size for grain in chosen} | {grain.longest for grain in chosen if grain.tiled}
        scan = build_micro_scan(context, sorted(sizes))
        parts = [Part(entities, build_micro_entities(context))]
        for index, grain in enumerate(chosen):
            steps = GrainSteps(context, grain, context.name(f"g{index}"), scan, entities)
            parts += tiled_parts(steps) if grain.tiled else steps.raw_parts()
        result = Part(context.name("result"), build_result(context, parts))
        return AggregateJoin(tuple((p.name, p.query) for p in (*parts, result)), result.name, self.name)
