"""A long-running loop that runs due refreshes and stops cleanly on SIGTERM or SIGINT."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from virtualfs.catalog.state import LockHeldError
from virtualfs.errors import CheckFailedError

if TYPE_CHECKING:
    from datetime import datetime

    from virtualfs.definitions import FeatureView
    from virtualfs.refresh import RefreshResult


class Refresher(Protocol):
    """What the scheduler drives (``FeatureStore`` is one): it never reaches above this."""

    def reload(self) -> None:
        """Pick up newly applied definitions."""

    def due_views(self, now: datetime | None = None) -> list[FeatureView]:
        """Views whose schedule fired since their last successful refresh."""

    def refresh(self, views: list[str] | None = None) -> list[RefreshResult]:
        """Refresh ``views`` (and their online values)."""


class Scheduler:
    """Every ``interval`` seconds, refresh the views whose schedules are due, one at a time."""

    def __init__(self, store: Refresher, interval: float = 30.0,
                 report: Callable[[str], None] = print) -> None:
        self.store, self.interval, self.report = store, interval, report
        self.stopping = threading.Event()

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stop())

    def stop(self) -> None:
        self.stopping.set()

    def run(self, max_ticks: int | None = None) -> None:
        ticks = 0
        while not self.stopping.is_set() and (max_ticks is None or ticks < max_ticks):
            self.tick()
            ticks += 1
            self.stopping.wait(self.interval)
        self.report("scheduler stopped")

    def tick(self) -> list[RefreshResult]:
        """One pass: each due view refreshed once; a view locked by someone else is left for later."""
        self.store.reload()  # pick up newly applied definitions
        done = []
        for view in self.store.due_views():
            if self.stopping.is_set():
                break
            try:
                done += self.store.refresh([view.name])
            except LockHeldError as busy:
                self.report(f"skipped: {busy}")
                continue
            except CheckFailedError as failed:  # nothing was published; the next tick tries again
                self.report(f"not refreshed: {failed}")
                continue
            self.report(f"refreshed {view.name}: {done[-1].rows_written} rows ({done[-1].mode})")
            for warning in done[-1].warnings:
                self.report(f"warning: {warning.text()}")
        return done
