"""MemoryOnlineStore: a dict in this process, for tests and notebooks."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence

from virtualfs.online.base import InlineReader, WriteBatch, replaces
from virtualfs.online.keys import check_part_prefix, prefix_of


class _Entry:
    __slots__ = ("expires", "value")

    def __init__(self, expires: float | None, value: bytes) -> None:
        self.expires, self.value = expires, value


class MemoryOnlineStore:
    """Latest values in a dict; the same newer-wins and expiry rules as every other store."""

    name = "memory"

    def __init__(self, project: str = "default") -> None:
        self.project = project
        self._rows: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def write(self, batch: WriteBatch) -> int:
        """Newer-wins per key; returns how many keys changed."""
        now = time.time()
        expires = now + batch.expire_after.total_seconds() if batch.expire_after else None
        changed = 0
        with self._lock:
            for key, value in zip(batch.keys, batch.values, strict=True):
                current = self._live(key, now)
                stored = None if current is None else current.value
                is_cache = current is not None and current.expires is not None
                if replaces(value, stored, is_cache and expires is None):
                    self._rows[key] = _Entry(expires, value)
                    changed += 1
        return changed

    def read(self, keys: Sequence[str]) -> Mapping[str, bytes]:
        """The live values of ``keys``; absent and expired keys are left out."""
        rows, found = self._rows, {}
        now = None
        for key in keys:
            entry = rows.get(key)
            if entry is None:
                continue
            if entry.expires is not None:
                now = now or time.time()
                if entry.expires <= now:
                    continue
            found[key] = entry.value
        return found

    def async_reader(self, deadline: float) -> InlineReader:
        """Reads for an event loop: a dict lookup never waits, so it runs on the loop itself."""
        return InlineReader(self)

    def key_prefixes(self, project: str) -> dict[str, int]:
        """Part prefixes of ``project``'s keys, each with its number of keys."""
        counts: dict[str, int] = {}
        with self._lock:
            keys = list(self._rows)
        for key in keys:
            prefix = prefix_of(key, project)
            if prefix is not None:
                counts[prefix] = counts.get(prefix, 0) + 1
        return counts

    def delete_prefix(self, prefix: str) -> int:
        """Delete the keys starting with one part prefix; how many."""
        check_part_prefix(prefix)
        with self._lock:
            doomed = [key for key in self._rows if key.startswith(prefix)]
            for key in doomed:
                del self._rows[key]
        return len(doomed)

    def ping(self) -> None:
        """Always reachable."""

    def close(self) -> None:
        """Nothing to release; the values stay until the object is dropped."""

    def _live(self, key: str, now: float) -> _Entry | None:
        entry = self._rows.get(key)
        if entry is not None and entry.expires is not None and entry.expires <= now:
            return None
        return entry
