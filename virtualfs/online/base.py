"""The OnlineStore protocol every key-value adapter implements, and the records crossing it.

Stores are deliberately dumb: keys (``online.keys``) and values (``online.codec``) are encoded
once for every store, so an adapter only moves bytes and enforces *newer-wins*: a write replaces
a stored value only when its (event time, created time) is greater. Those times are bytes
``ORDER`` of every value, encoded so that comparing the bytes compares the times; each store
compares them where it runs (Python, SQL, Lua). Adding a store is one module.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Protocol, runtime_checkable

READ_THREADS = 4  # an async server's reads of a blocking store; SQLite reads take microseconds


class Status(str, Enum):
    """What one online value is: a value, a missing key, or a value too old for the view's TTL."""

    PRESENT = "PRESENT"
    NOT_FOUND = "NOT_FOUND"
    OUTSIDE_TTL = "OUTSIDE_TTL"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class WriteBatch:
    """Encoded rows for one bulk write: keys and their values, in parallel.

    ``expire_after`` marks read-through cache entries, which disappear after that long (wall
    clock); materialized rows never expire.
    """

    keys: Sequence[str]
    values: Sequence[bytes]
    expire_after: timedelta | None = None

    def __post_init__(self) -> None:
        if len(self.keys) != len(self.values):
            raise ValueError(f"WriteBatch has {len(self.keys)} keys but {len(self.values)} values")

    def __len__(self) -> int:
        return len(self.keys)


@runtime_checkable
class OnlineStore(Protocol):
    """A key-value store holding the latest encoded row per (project, view, entity key).

    ``project`` namespaces the keys that materialization writes and serving reads.
    """

    name: str
    project: str

    def write(self, batch: WriteBatch) -> int:
        """Write a batch atomically per key, newer-wins; return how many keys changed."""
        ...

    def read(self, keys: Sequence[str]) -> Mapping[str, bytes]:
        """The stored values of ``keys`` in ONE round trip; absent and expired keys are left out."""
        ...

    def ping(self) -> None:
        """Raise OnlineStoreError naming the store when it cannot be reached."""
        ...

    def key_prefixes(self, project: str) -> Mapping[str, int]:
        """Each stored part's prefix among ``project``'s keys (``online.keys.part_prefix``), with
        how many keys start with it; keys of another shape of key are left out."""
        ...

    def delete_prefix(self, prefix: str) -> int:
        """Delete every key starting with ``prefix``, one whole part prefix (else ValueError);
        return how many were deleted."""
        ...

    def close(self) -> None:
        ...


@runtime_checkable
class AsyncReader(Protocol):
    """Reads for an asyncio event loop that hold up its thread for the read deadline at most.

    A store that can offer one has ``async_reader(deadline)``: Redis awaits its own pipelined
    connection; the memory store is a dict lookup; SQLite reads on the loop, each cut at the
    deadline. A server reads any other store on a few threads (``ThreadReader``).
    """

    async def read(self, keys: Sequence[str]) -> Mapping[str, bytes]:
        """As ``OnlineStore.read``."""
        ...

    async def ping(self) -> None:
        """As ``OnlineStore.ping``."""
        ...

    def close(self) -> None:
        ...


class InlineReader:
    """The AsyncReader of a store whose reads never wait (a dict in this process): calls it directly."""

    def __init__(self, store: OnlineStore) -> None:
        self.store = store

    async def read(self, keys: Sequence[str]) -> Mapping[str, bytes]:
        return self.store.read(keys)

    async def ping(self) -> None:
        self.store.ping()

    def close(self) -> None:
        """The store stays open: it belongs to its owner."""


class ThreadReader:
    """The AsyncReader of a store whose reads block (a file, a socket): reads on a few threads."""

    def __init__(self, store: OnlineStore, threads: int = READ_THREADS) -> None:
        self.store = store
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="vfs-online-read")

    async def read(self, keys: Sequence[str]) -> Mapping[str, bytes]:
        return await asyncio.get_running_loop().run_in_executor(self.pool, self.store.read, keys)

    async def ping(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self.pool, self.store.ping)

    def close(self) -> None:
        """Let the threads go; a read stuck in one still ends when its store answers."""
        self.pool.shutdown(wait=False)


def open_reader(store: OnlineStore, deadline: float) -> AsyncReader:
    """The store's own reader for an event loop, whose reads hold it ``deadline`` seconds at most;
    for a store without one, its blocking reads on threads."""
    make = getattr(store, "async_reader", None)
    return make(deadline) if make is not None else ThreadReader(store)


ORDER = slice(1, 17)  # the (event, created) bytes of an encoded value; see online.codec


def replaces(new: bytes, current: bytes | None, current_is_cache: bool) -> bool:
    """Newer-wins: does a value ``new`` replace the live stored value ``current``?

    Yes when nothing (or only an expired cache entry) is stored, when ``new`` is greater by
    (event, created), or when a materialized row meets an equal read-through cache entry (the
    cache entry would otherwise expire and hide a row that materialization confirmed).
    """
    if current is None or new[ORDER] > current[ORDER]:
        return True
    return current_is_cache and new[ORDER] == current[ORDER]
