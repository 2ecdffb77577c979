"""Materialization: the latest row per key, computed in the warehouse, streamed into the online store.

One query per view (``compile.latest``), read as Arrow record batches and written batch by batch,
so memory holds one batch at a time. Windows are by *known time* (see ``compile.latest``): with
no ``start`` a view continues from its watermark (if the store still holds that shape of the
view, see ``_effective_watermark``), and the watermark moves to ``end`` only after every batch is
written. A run killed half way leaves each key with its old or its new value (writes are
newer-wins and atomic per key) and its watermark where it was, so a rerun redoes the same
window and completes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from virtualfs.compile.latest import build_latest_query
from virtualfs.copies import online_mark
from virtualfs.definitions import FeatureView
from virtualfs.errors import RequestError
from virtualfs.instants import to_utc, utc_now
from virtualfs.online.base import OnlineStore
from virtualfs.online.codec import to_datetime, to_micros
from virtualfs.online.keys import stored_parts
from virtualfs.online.rows import ViewRows
from virtualfs.refresh.intervals import incremental_since
from virtualfs.registry import Registry
from virtualfs.retrieval.source_types import snapshot_query
from virtualfs.warehouses.base import Warehouse

if TYPE_CHECKING:
    from sqlglot import exp

    from virtualfs.catalog import Catalog
    from virtualfs.context import OnlineContext, ProjectContext


class WatermarkStore(Protocol):
    """Where each view's watermark lives (the catalog): the end of its last complete window."""

    def get_watermark(self, view: FeatureView) -> datetime | None:
        ...

    def set_watermark(self, view: FeatureView, value: datetime) -> None:
        ...


@dataclass(frozen=True)
class OnlineWatermarks:
    """The catalog's watermarks of views in one online store: each filed under the store's
    identity and the view's definition, so another store or definition starts over."""

    catalog: Catalog
    store_identity: str

    def get_watermark(self, view: FeatureView) -> datetime | None:
        return self.catalog.marks.watermark(view.name, online_mark(view, self.store_identity))

    def set_watermark(self, view: FeatureView, value: datetime) -> None:
        self.catalog.marks.set(view.name, online_mark(view, self.store_identity), value)


@dataclass(frozen=True)
class MaterializeProgress:
    """Reported after each written batch, and once more with ``done`` when a view finishes."""

    view: str
    rows: int
    done: bool = False


@dataclass(frozen=True)
class MaterializeResult:
    """One view's run: its window, rows read, keys changed, and the watermark after it."""

    view: str
    start: datetime | None
    end: datetime
    rows: int
    written: int
    seconds: float
    watermark: datetime | None


@dataclass(frozen=True)
class MaterializeRequest:
    """Which views (all by default) and which window of known time, ``[start, end)``: ``start``
    defaults to each view's watermark (everything on a first run), ``end`` to now. Naive
    datetimes are UTC."""

    views: Sequence[str] | None = None
    start: datetime | None = None
    end: datetime | None = None


def materialize(context: ProjectContext, online: OnlineContext, registry: Registry,
                request: MaterializeRequest = MaterializeRequest(),
                progress: Callable[[MaterializeProgress], None] | None = None) -> list[MaterializeResult]:
    """Push the latest values of the requested views into the project's online store, with
    their watermarks filed in its catalog under the store's identity.

    Example::

        materialize(context, online, registry, MaterializeRequest(["customer_orders"]))
        # -> [MaterializeResult(view='customer_orders', start=None, end=..., rows=1000, ...)]
    """
    watermarks = OnlineWatermarks(context.catalog, online.identity)
    views = select_views(registry, request.views)
    return materialize_views(context.warehouse, online.store, watermarks, views, request.start, request.end,
                             progress)


Progress = Callable[[MaterializeProgress], None]


def materialize_views(warehouse: Warehouse, online_store: OnlineStore, watermarks: WatermarkStore,
                      views: Sequence[FeatureView], start: datetime | None = None,
                      end: datetime | None = None,
                      progress: Progress | None = None) -> list[MaterializeResult]:
    """Push the latest values of ``views`` known in ``[start, end)`` into ``online_store``."""
    end = to_utc(end) if end is not None else utc_now()
    start = to_utc(start) if start is not None else None
    results = []
    for view in views:
        parts = [_materialize_view(warehouse, online_store, watermarks, ViewRows(part, online_store.project),
                                   start, end, progress) for part in stored_parts(view)]
        results.append(_combined(parts))
        if progress is not None:
            progress(MaterializeProgress(view.name, results[-1].rows, done=True))
    return results


def select_views(registry: Registry, views: Iterable[str | FeatureView] | None) -> list[FeatureView]:
    """The views named (NotFoundError suggests close names), or every view of the registry."""
    if views is None:
        return list(registry.views.values())
    if isinstance(views, (str, FeatureView)):
        views = [views]
    chosen = [v if isinstance(v, FeatureView) else registry.view(v) for v in views]
    if not chosen:
        raise RequestError("materialize: views is an empty list; pass None for every view")
    return chosen


def _materialize_view(warehouse: Warehouse, online_store: OnlineStore, catalog: WatermarkStore,
                      rows: ViewRows, start: datetime | None, end: datetime,
                      progress: Callable[[MaterializeProgress], None] | None) -> MaterializeResult:
    began = time.perf_counter()
    name = rows.view.name
    watermark = _effective_watermark(catalog.get_watermark(rows.view), rows.read_marker(online_store))
    # re-read the lookback before the watermark: rows stamped before the last run but visible
    # only after it (newer-wins writes make the overlap harmless)
    window_start = start if start is not None else incremental_since(watermark, rows.view.effective_lookback)
    read = written = 0
    if rows.view.aggregations:  # aggregates move with time alone: every key, recomputed at `end`
        query = snapshot_query(warehouse, rows.view, end)
        read, written = _stream(warehouse, online_store, rows, query, progress)
    elif window_start is None or window_start < end:
        query = build_latest_query(rows.view, window_start, end, warehouse.dialect)
        read, written = _stream(warehouse, online_store, rows, query, progress)
    if _moves_watermark(watermark, window_start, end):
        rows.write_marker(online_store, to_micros(end))
        catalog.set_watermark(rows.view, end)
        watermark = end
    return MaterializeResult(name, window_start, end, read, written,
                             time.perf_counter() - began, watermark)


def _combined(parts: list[MaterializeResult]) -> MaterializeResult:
    """One view's result from those of its stored parts (``online.keys.stored_parts``)."""
    first = parts[0]
    watermarks = [p.watermark for p in parts]
    return MaterializeResult(first.view, first.start, first.end, sum(p.rows for p in parts),
                             sum(p.written for p in parts), sum(p.seconds for p in parts),
                             None if None in watermarks else min(watermarks))


def _stream(warehouse: Warehouse, online_store: OnlineStore, rows: ViewRows, query: exp.Select,
            progress: Callable[[MaterializeProgress], None] | None) -> tuple[int, int]:
    """Fetch and encode batch N+1 while batch N is written: the warehouse, the encoder and the
    store (all releasing the GIL in their I/O and C code) overlap. At most one write is in
    flight and writes keep their order. Returns (rows read, keys changed)."""
    read = written = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="vfs-materialize") as writer:
        pending: tuple[Future, int] | None = None
        for batch in warehouse.fetch_batches(query):
            if not batch.num_rows:
                continue
            encoded = rows.write_batch(batch)
            if pending is not None:
                read, written = _finish(pending, read, written, rows.view.name, progress)
            pending = (writer.submit(online_store.write, encoded), batch.num_rows)
        if pending is not None:
            read, written = _finish(pending, read, written, rows.view.name, progress)
    return read, written


def _finish(pending: tuple[Future, int], read: int, written: int, name: str,
            progress: Callable[[MaterializeProgress], None] | None) -> tuple[int, int]:
    future, count = pending
    written += future.result()
    read += count
    if progress is not None:
        progress(MaterializeProgress(name, read))
    return read, written


def _effective_watermark(watermark: datetime | None, marker_us: int | None) -> datetime | None:
    """Where an incremental run may continue from: the catalog's watermark, but only as far as
    the store itself confirms (its marker). A store that was emptied, or a view whose stored shape
    changed (new key schema tag), has no marker, and the run starts from the beginning."""
    if watermark is None or marker_us is None:
        return None
    return min(to_utc(watermark), to_datetime(marker_us))


def _moves_watermark(watermark: datetime | None, start: datetime | None, end: datetime) -> bool:
    """Only a window that leaves no gap after the watermark may move it, and only forward.

    A first run that begins at an explicit ``start`` declares earlier rows unwanted online.
    """
    if watermark is None:
        return True
    return end > watermark and (start is None or start <= watermark)
