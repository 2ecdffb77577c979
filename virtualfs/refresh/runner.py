"""Run refreshes: stage a view's rows, check them, swap them into its table in one transaction,
then move the watermark. A run killed at any point leaves the table as it was or as it will be;
a failed ``error`` check stops the run before the swap, so nothing is published."""

from __future__ import annotations

import os
import signal
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from virtualfs.catalog.marks import Mark, WatermarkRecord
from virtualfs.catalog.state import LockHeldError
from virtualfs.checks import run_checks
from virtualfs.compile.checks import build_table_after_swap
from virtualfs.compile.refresh import (
    RowWindow,
    ViewTables,
    build_create_schema,
    build_create_staging,
    build_create_target,
    build_drop,
    build_max,
    build_replace_with_staging,
    build_swap_in,
    build_view_rows,
    build_window_condition,
    view_tables,
    window_column,
)
from virtualfs.compile.scan import source_relation
from virtualfs.copies import StoredCopies, trusted_record
from virtualfs.errors import CheckFailedError, VirtualfsError
from virtualfs.instants import to_utc, utc_now
from virtualfs.refresh.intervals import chunks, incremental_since
from virtualfs.refresh.keep_tiles import keep_tiles
from virtualfs.refresh.statements import drop_quietly, execute_all
from virtualfs.warehouses.base import count_rows, fetch_scalar

if TYPE_CHECKING:
    from sqlglot import exp

    from virtualfs.catalog import Catalog
    from virtualfs.catalog.check_results import CheckResult
    from virtualfs.context import ProjectContext
    from virtualfs.definitions import FeatureView
    from virtualfs.refresh.materialize import MaterializeResult
    from virtualfs.warehouses.base import Warehouse

TABLE = "table"  # the materialization that rebuilds every time
LEASE = timedelta(minutes=10)
# Names a point at which a test kills this process (SIGKILL) to prove a refresh is all-or-nothing.
KILL_POINT_VARIABLE = "VIRTUALFS_TEST_KILL_AT"


@dataclass(frozen=True)
class RefreshRequest:
    start: datetime | None = None
    end: datetime | None = None
    full: bool = False
    chunk: timedelta | None = None  # backfills of [start, end) run in pieces of this size
    lock_wait: timedelta = timedelta(0)


@dataclass(frozen=True)
class RefreshResult:
    view: str
    mode: str  # "rebuild", "incremental", "backfill", "virtual"
    rows_written: int  # a rebuild: every row; otherwise the rows the table gained
    windows: int
    skipped_windows: int
    watermark: datetime | None
    seconds: float
    online: MaterializeResult | None = None  # what the refresh then wrote to the online store
    warnings: tuple[CheckResult, ...] = ()  # the failed ``warn`` checks, of every window


@dataclass
class RefreshRunner:
    """Refreshes the views of one project into its feature schema, in its warehouse."""

    context: ProjectContext
    progress: Callable[[str, int, int], None] | None = None
    holder: str = field(default_factory=lambda: lock_holder_name())

    @property
    def warehouse(self) -> Warehouse:
        return self.context.warehouse

    @property
    def catalog(self) -> Catalog:
        return self.context.catalog

    @property
    def copies(self) -> StoredCopies:
        return self.context.copies

    def refresh(self, view: FeatureView, request: RefreshRequest) -> RefreshResult:
        began = time.perf_counter()
        self._lock(view.name, request.lock_wait)
        try:
            if view.materialize == "view":
                warned = self._check_source(view)
                return RefreshResult(view.name, "virtual", 0, 0, 0, None, time.perf_counter() - began,
                                     warnings=warned)
            target = _Target(self.copies.table_mark(view), self._tables(view).target)
            trusted = trusted_record(self.warehouse, self.catalog, view.name, target.mark, target.table)
            mode, windows = self._plan(view, request, trusted)
            if trusted is None:  # whatever the catalog said of this table is not true of it now
                self.catalog.marks.forget(view.name, target.mark)
            written, skipped, warned = 0, 0, []
            for done, window in enumerate(windows, start=1):
                if mode == "backfill" and trusted is not None and \
                        self.catalog.state.succeeded(view.name, window.since, window.until):
                    skipped += 1
                else:
                    finished = self._run_window(view, target, window, mode)
                    written += finished.added
                    warned += finished.warnings
                    if done < len(windows):
                        self._lock(view.name, timedelta(0))  # renew the lease between pieces
                if self.progress:
                    self.progress(view.name, done, len(windows))
            watermark = self.catalog.marks.watermark(view.name, target.mark)
            return RefreshResult(view.name, mode, written, len(windows), skipped, watermark,
                                 time.perf_counter() - began, warnings=tuple(warned))
        finally:
            self.catalog.state.release_lock(view.name, self.holder)

    def _plan(self, view: FeatureView, request: RefreshRequest,
              trusted: WatermarkRecord | None) -> tuple[str, list[RowWindow | None]]:
        column = window_column(view)
        if request.start is not None and view.materialize != TABLE and not request.full:
            end = request.end or utc_now()
            size = request.chunk or (end - request.start)
            return "backfill", [RowWindow(column, a, b) for a, b in chunks(request.start, end, size)]
        if view.materialize == TABLE or request.full or trusted is None or trusted.watermark is None:
            # never refreshed, its definition changed, or its table is gone or was changed
            # out of band since: build it whole
            return "rebuild", [None]
        # Rows are re-read from the watermark less the lookback, by when they landed (or their
        # event time, without a created time): a row stamped before the last run but committed
        # after it is still picked up, if it became visible within the lookback.
        since = incremental_since(trusted.watermark, view.effective_lookback)
        return "incremental", [RowWindow(column, since, request.end)]

    def _run_window(self, view: FeatureView, target: _Target, window: RowWindow | None,
                    mode: str) -> _Finished:
        tables = self._tables(view)
        run_id = self.catalog.state.start_run(view.name, window and window.since, window and window.until)
        current = self.catalog.marks.get(view.name, target.mark)
        try:
            rows, newest = self._stage(view, tables, window)
            # before the swap: a failed error check leaves the table, its tiles, the watermark
            # and (the refresh stops here) the online store as they were
            results = self._checked(view, self._checked_relations(view, tables, window), run_id)
            self._swap(tables, window)
            stored = count_rows(self.warehouse, tables.target)
            watermark = _moved_watermark(mode, current.watermark if current else None, newest)
            if mode != "backfill" and watermark is not None:
                # tiles first: their own watermark says how far they are built, whatever follows
                keep_tiles(self.context, view, watermark - view.effective_lookback, rebuild=window is None)
        except BaseException as error:
            self.catalog.state.finish_run(run_id, "failed", error=_describe(error))
            drop_quietly(self.warehouse, tables.staging)
            raise
        _kill_point("before_watermark")
        self.catalog.marks.set(view.name, target.mark, watermark, rows=stored)
        # a window re-reads rows the table already holds (the lookback): count what it added
        added = rows if window is None or current is None or current.rows is None else stored - current.rows
        self.catalog.state.finish_run(run_id, "success", rows_written=added)
        return _Finished(added, tuple(r for r in results if not r.passed))

    def _stage(self, view: FeatureView, tables: ViewTables,
               window: RowWindow | None) -> tuple[int, datetime | None]:
        dialect = self.warehouse.dialect
        rows = build_view_rows(view, source_relation(view.source, dialect), dialect, window)
        self.warehouse.execute(build_create_schema(self.copies.schema, dialect))
        execute_all(self.warehouse, build_create_staging(tables, rows))
        _kill_point("after_staging")
        count = count_rows(self.warehouse, tables.staging)
        newest = fetch_scalar(self.warehouse, build_max(tables.staging, window_column(view), dialect))
        return count, _as_utc(newest)

    def _swap(self, tables: ViewTables, window: RowWindow | None) -> None:
        dialect = self.warehouse.dialect
        if window is None and self.warehouse.capabilities.supports_transactional_ddl:
            self.warehouse.execute_atomic(build_replace_with_staging(tables))
            _kill_point("after_swap")
        else:
            self.warehouse.execute(build_create_target(tables))
            self.warehouse.execute_atomic(build_swap_in(tables, window, dialect))
            _kill_point("after_swap")
            self.warehouse.execute(build_drop(tables.staging))

    def _checked_relations(self, view: FeatureView, tables: ViewTables,
                           window: RowWindow | None) -> dict[str, exp.Expression]:
        """What each scope of checks judges: the staged rows (``window``), and the table as the
        swap would leave it (``table``: a rebuild's staged rows; else the target's rows outside
        the window, if it exists, and the staged ones)."""
        condition = build_window_condition(window, self.warehouse.dialect)
        table: exp.Expression = tables.staging
        if condition is not None and any(c.scope == "table" for c in view.checks) and \
                _exists(self.warehouse, tables.target):
            table = build_table_after_swap(tables, condition)
        return {"window": tables.staging, "table": table}

    def _checked(self, view: FeatureView, relations: dict[str, exp.Expression],
                 run_id: str) -> tuple[CheckResult, ...]:
        """Run ``view``'s checks, file their results under the run, stop on a failed error check."""
        if not view.checks:
            return ()
        results = run_checks(self.warehouse, view, relations)
        _kill_point("during_checks")
        self.catalog.checks.record(run_id, results)
        failed = [result for result in results if result.blocks]
        if failed:
            raise CheckFailedError(failed)
        return results

    def _check_source(self, view: FeatureView) -> tuple[CheckResult, ...]:
        """A view kept as no table (``materialize="view"``) publishes its source's rows as they are
        (online, and to every read): its checks judge the whole source, recorded as a run."""
        if not view.checks:
            return ()
        dialect = self.warehouse.dialect
        run_id = self.catalog.state.start_run(view.name, None, None)
        try:
            rows = build_view_rows(view, source_relation(view.source, dialect), dialect)
            results = self._checked(view, {"window": rows, "table": rows}, run_id)
        except BaseException as error:
            self.catalog.state.finish_run(run_id, "failed", error=_describe(error))
            raise
        self.catalog.state.finish_run(run_id, "success", rows_written=0)
        return tuple(r for r in results if not r.passed)

    def _tables(self, view: FeatureView) -> ViewTables:
        return view_tables(self.copies.schema, view, self.warehouse.dialect)

    def _lock(self, view: str, wait: timedelta) -> None:
        deadline = time.monotonic() + wait.total_seconds()
        state = self.catalog.state
        while not state.acquire_lock(view, self.holder, LEASE):
            holder = state.lock_holder(view)
            if holder and holder_is_dead(holder) and state.take_over_lock(view, holder, self.holder, LEASE):
                return
            if time.monotonic() >= deadline:
                raise LockHeldError(f"feature view {view!r} is being refreshed by another process "
                                    "(its lock expires if that process died); try again later")
            time.sleep(0.2)


@dataclass(frozen=True)
class _Finished:
    """What one window's run did: rows the table gained, ``warn`` checks that failed."""

    added: int
    warnings: tuple[CheckResult, ...]


@dataclass(frozen=True)
class _Target:
    """A view's table and the mark its watermark is filed under."""

    mark: Mark
    table: exp.Table


def _moved_watermark(mode: str, current: datetime | None, newest: datetime | None) -> datetime | None:
    """A rebuild's table is complete to its newest row; an incremental run only moves the
    watermark forward; a backfill leaves it where it was."""
    if mode == "rebuild":
        return newest
    if mode == "incremental" and newest is not None and (current is None or newest > current):
        return newest
    return current


def lock_holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_is_dead(holder: str) -> bool:
    """A holder on this host whose process is gone; elsewhere only the lease can tell."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _exists(warehouse: Warehouse, table: exp.Table) -> bool:
    try:
        count_rows(warehouse, table)
    except VirtualfsError:  # missing (a backfill into a table not built yet)
        return False
    return True


def _as_utc(value: object) -> datetime | None:
    return to_utc(value) if isinstance(value, datetime) else None


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _kill_point(name: str) -> None:
    if os.environ.get(KILL_POINT_VARIABLE) == name:
        os.kill(os.getpid(), signal.SIGKILL)
