"""SQLiteOnlineStore: the embedded default. One file, WAL mode, one table keyed by the shared keys."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from operator import itemgetter
from pathlib import Path

from virtualfs.errors import OnlineStoreError, OnlineStoreTimeout
from virtualfs.online.base import WriteBatch
from virtualfs.online.keys import check_part_prefix, prefix_of

TABLE = "_vfs_online"

# The store's own fixed statements: constant text, every value bound as a parameter.
_DDL = """
CREATE TABLE IF NOT EXISTS "_vfs_online" (
    "key" TEXT PRIMARY KEY,
    "value" BLOB NOT NULL,
    "expires_at" REAL
) WITHOUT ROWID
"""
# Newer-wins inside the statement, so overlapping or out-of-order writers cannot regress a key:
# bytes 2..17 of a value are its (event, created) times, order-preserving, so comparing the
# blobs compares the times. The last two conditions are the cache rules of online.base.replaces.
_UPSERT = """
INSERT INTO "_vfs_online" ("key", "value", "expires_at") VALUES (?, ?, ?)
ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value", "expires_at" = excluded."expires_at"
WHERE substr(excluded."value", 2, 16) > substr("_vfs_online"."value", 2, 16)
    OR "_vfs_online"."expires_at" <= (julianday('now') - 2440587.5) * 86400.0
    OR ("_vfs_online"."expires_at" IS NOT NULL AND excluded."expires_at" IS NULL
        AND substr(excluded."value", 2, 16) = substr("_vfs_online"."value", 2, 16))
"""
# The live values of any number of keys, passed as one JSON array: one constant statement,
# prepared once (faster than an IN list from about a dozen keys, within 0.5 us for one).
_SELECT = """
SELECT "o"."key", "o"."value" FROM json_each(?) AS "k" JOIN "_vfs_online" AS "o" ON "o"."key" = "k"."value"
WHERE "o"."expires_at" IS NULL OR "o"."expires_at" > ?
"""
# A project's keys by part prefix (through the ':' after the tag, which follows the only '#'),
# found by a range on the primary key: [<project>:, <project>;) (';' comes right after ':').
_PREFIXES = """
SELECT substr("key", 1, instr("key", '#') + 9) AS "prefix", count(*) FROM "_vfs_online"
WHERE "key" >= ? AND "key" < ? GROUP BY "prefix"
"""
_DELETE_RANGE = """DELETE FROM "_vfs_online" WHERE "key" >= ? AND "key" < ?"""


class SQLiteOnlineStore:
    """Latest values in one SQLite file (or ``:memory:``), safe to share between threads."""

    name = "sqlite"

    def __init__(self, path: str = ":memory:", project: str = "default") -> None:
        self.path, self.project = path, project
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        # ":memory:" is private to a connection, so that case shares one connection.
        self._shared = self._connect() if path == ":memory:" else None
        self._connection()

    @classmethod
    def from_config(cls, options: Mapping[str, object], project: str) -> SQLiteOnlineStore:
        return cls(str(options.get("path", ":memory:")), project=project)

    def write(self, batch: WriteBatch) -> int:
        """Upsert the batch in one transaction, newer-wins; return how many keys changed."""
        expires = time.time() + batch.expire_after.total_seconds() if batch.expire_after else None
        rows = zip(batch.keys, batch.values, [expires] * len(batch), strict=True)
        # Key order turns random B-tree inserts into appends (~1.5x faster). Materialized batches
        # arrive sorted, which this (stable) sort only checks; repeated keys keep their order.
        rows = sorted(rows, key=itemgetter(0))
        connection = self._connection()
        with self._write_lock, self._errors("write"):
            connection.execute("BEGIN IMMEDIATE")
            try:
                changed = connection.executemany(_UPSERT, rows).rowcount
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return changed

    def read(self, keys: Sequence[str]) -> Mapping[str, bytes]:
        """One SELECT by primary key for all ``keys``; expired cache entries are left out."""
        return self._select(self._connection(), keys)

    def async_reader(self, deadline: float) -> SQLiteLoopReader:
        """Reads for an event loop, on its thread but cut at ``deadline``: see SQLiteLoopReader."""
        return SQLiteLoopReader(self, deadline)

    def _select(self, connection: sqlite3.Connection, keys: Sequence[str]) -> dict[str, bytes]:
        if not keys:
            return {}
        with self._errors("read"):
            return dict(connection.execute(_SELECT, (json.dumps(list(keys)), time.time())).fetchall())

    def key_prefixes(self, project: str) -> dict[str, int]:
        """Part prefixes of ``project``'s keys, each with its number of keys (one range scan)."""
        start = project + ":"
        with self._errors("list keys"):
            rows = self._connection().execute(_PREFIXES, (start, _after(start))).fetchall()
        return {prefix: count for prefix, count in rows if prefix_of(prefix, project) == prefix}

    def delete_prefix(self, prefix: str) -> int:
        """Delete the keys starting with one part prefix, in one transaction; how many."""
        check_part_prefix(prefix)
        with self._write_lock, self._errors("delete"):
            return self._connection().execute(_DELETE_RANGE, (prefix, _after(prefix))).rowcount

    def ping(self) -> None:
        """Raise OnlineStoreError if the file cannot be queried."""
        with self._errors("ping"):
            self._connection().execute("SELECT 1").fetchone()

    def close(self) -> None:
        """Close this thread's connection (and the shared in-memory one)."""
        connection = self._shared or getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
        self._local.connection = None

    def _connection(self) -> sqlite3.Connection:
        if self._shared is not None:
            return self._shared
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._connect()
        return connection

    def _connect(self, busy_seconds: float = 10.0) -> sqlite3.Connection:
        """A connection that waits up to ``busy_seconds`` for another's lock."""
        with self._errors("open"):
            connection = sqlite3.connect(self.path, timeout=busy_seconds, isolation_level=None,
                                         check_same_thread=False, cached_statements=256)
            connection.execute("PRAGMA page_size = 16384")  # a new file only: fewer, fuller pages
            if self.path != ":memory:":
                connection.execute("PRAGMA journal_mode = WAL")
            # A cache: after a power loss a rerun of materialize restores it; app crashes are safe.
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA cache_size = -65536")  # 64 MiB: bulk upserts stay in memory
            # Checkpoint every 64 MiB of WAL rather than every 16 MiB (each one syncs the file),
            # and cut the WAL back to that size afterwards.
            connection.execute("PRAGMA wal_autocheckpoint = 4096")
            connection.execute("PRAGMA journal_size_limit = 67108864")
            connection.execute(_DDL)
        return connection

    def _errors(self, action: str):
        return _StoreErrors(f"sqlite online store {self.path}: {action} failed")


class SQLiteLoopReader:
    """Reads on the event loop's own thread, each cut at a deadline; pings on a thread.

    A read by primary key takes microseconds, a third of what handing it to a thread and back
    costs, so reads stay on the loop, on a connection of their own that gives up on a lock after
    ``deadline`` (busy_timeout) and interrupts a statement running past it (progress handler). A
    stalled file so holds the loop for at most one deadline, after which the server's breaker
    stops sending reads; the pings that probe for recovery wait on a thread instead.
    """

    def __init__(self, store: SQLiteOnlineStore, deadline: float) -> None:
        self.store, self.deadline, self.until = store, deadline, 0.0
        # ":memory:" is one connection, shared: it has no file to wait for.
        self.connection = store._connect(deadline) if store._shared is None else store._shared
        if store._shared is None:
            self.connection.set_progress_handler(self._past_deadline, 1_000)

    async def read(self, keys: Sequence[str]) -> Mapping[str, bytes]:
        self.until = time.monotonic() + self.deadline
        try:
            return self.store._select(self.connection, keys)
        except OnlineStoreError as error:  # "database is locked", "interrupted": out of time
            if time.monotonic() < self.until:
                raise
            raise OnlineStoreTimeout(f"{error} (after {self.deadline * 1000:g} ms)") from None

    async def ping(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.store.ping)

    def close(self) -> None:
        if self.connection is not self.store._shared:
            self.connection.close()

    def _past_deadline(self) -> bool:
        return time.monotonic() > self.until


def _after(prefix: str) -> str:
    """The least text greater than every text starting with ``prefix`` (which ends in ':')."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class _StoreErrors:
    """Turn sqlite3 errors into an OnlineStoreError that names the file."""

    def __init__(self, context: str) -> None:
        self.context = context

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, _traceback) -> bool:
        if error is not None and isinstance(error, sqlite3.Error):
            raise OnlineStoreError(f"{self.context}: {error}") from None
        return False
