"""Writing the audit log: events as they happen, frequent ones counted and written in batches.

``record`` writes one row at once (an apply, a refresh, a training frame, a refusal). ``count``
adds one to a tally kept in memory — features served online, failed server logins — which is
written as one row per (principal, action, target, outcome) with its count, every
``flush_seconds`` on a thread of its own (never on the request that crosses the deadline) and at
``close``. A tally whose write fails is kept and written with the next.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from virtualfs.instants import utc_now

if TYPE_CHECKING:
    from virtualfs.catalog import AuditEntry, AuditTable

logger = logging.getLogger("virtualfs.audit")
FLUSH_SECONDS = 60.0
_Key = tuple[str | None, str, str, str]


class AuditLog:
    """The audit log of one project, written through ``table`` (opened on first write)."""

    def __init__(self, table: Callable[[], AuditTable], flush_seconds: float = FLUSH_SECONDS) -> None:
        self._table = table
        self.flush_seconds = flush_seconds
        self._lock = threading.Lock()
        self._tally: dict[_Key, int] = {}
        self._since: datetime | None = None
        self._started = time.monotonic()
        self._flushing: threading.Thread | None = None
        self._at_exit = False

    def record(self, principal: str | None, action: str, target: str, outcome: str = "ok",
               detail: Mapping[str, Any] | None = None) -> None:
        """Write one entry now."""
        from virtualfs.catalog import AuditEntry

        self._table().append([AuditEntry(utc_now(), principal, action, target, outcome, 1, detail or {})])

    def count(self, principal: str | None, action: str, target: str, outcome: str = "ok",
              times: int = 1) -> None:
        """Count one more (principal, action, target, outcome); written within ``flush_seconds``."""
        with self._lock:
            if not self._at_exit:  # a process that never closes its store still writes its counts
                atexit.register(self._flush_quietly)
                self._at_exit = True
            if not self._tally:
                self._since, self._started = utc_now(), time.monotonic()
            key = (principal, action, target, outcome)
            self._tally[key] = self._tally.get(key, 0) + times
            due = time.monotonic() - self._started >= self.flush_seconds
            busy = self._flushing is not None and self._flushing.is_alive()
            if due and not busy:
                self._flushing = threading.Thread(target=self._flush_quietly, name="vfs-audit", daemon=True)
                self._flushing.start()

    def flush(self) -> None:
        """Write what has been counted (one row per distinct event); kept on failure."""
        with self._lock:
            tally, since = self._tally, self._since
            self._tally, self._since = {}, None
        if not tally or since is None:
            return
        try:
            self._table().append(_counted(tally, since))
        except Exception:
            with self._lock:
                for key, times in tally.items():
                    self._tally[key] = self._tally.get(key, 0) + times
                self._since = min(since, self._since or since)
            raise

    def pending(self) -> int:
        """Events counted and not written yet."""
        with self._lock:
            return sum(self._tally.values())

    def close(self) -> None:
        """Wait for a flush under way, then write the rest."""
        flushing = self._flushing
        if flushing is not None:
            flushing.join()
        self._flush_quietly()
        if self._at_exit:
            atexit.unregister(self._flush_quietly)
            self._at_exit = False

    def _flush_quietly(self) -> None:
        try:
            self.flush()
        except Exception as error:  # the catalog is down: the counts wait for the next flush
            logger.warning("could not write the audit log (%d events kept): %s", self.pending(), error)


def _counted(tally: dict[_Key, int], since: datetime) -> list[AuditEntry]:
    from virtualfs.catalog import AuditEntry

    until = {"until": utc_now().isoformat(timespec="microseconds")}
    return [AuditEntry(since, principal, action, target, outcome, times, until)
            for (principal, action, target, outcome), times in sorted(tally.items(), key=str)]
