"""StoreGuard in-process: reads within the deadline, a breaker after a miss, recovery by ping, and
an event loop that keeps turning while a store read is stuck."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from virtualfs.errors import OnlineStoreError
from virtualfs.online.base import WriteBatch, open_reader
from virtualfs.online.sqlite import SQLiteOnlineStore
from virtualfs.server import guard
from virtualfs.server.guard import StoreGuard

DEADLINE = 0.1


class StuckStore:
    """A blocking store (like SQLite behind a lock) whose reads and pings wait for ``release``."""

    name, project = "stuck", "test"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.release.set()
        self.reads = 0

    def read(self, keys):
        self.reads += 1
        self.release.wait(10)
        return {key: b"v" for key in keys}

    def ping(self) -> None:
        self.release.wait(10)

    def close(self) -> None:
        self.release.set()


class RefusingStore(StuckStore):
    def read(self, keys):
        self.reads += 1
        raise OnlineStoreError("stuck online store at /secret/path: connection refused")


async def _ticks(stop: asyncio.Event) -> float:
    """The longest the event loop went without running this coroutine."""
    longest, last = 0.0, time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    return longest


async def _timed(awaitable) -> tuple[object, float]:
    started = time.perf_counter()
    try:
        result = await awaitable
    except OnlineStoreError as error:
        result = error
    return result, time.perf_counter() - started


def test_a_stuck_store_misses_the_deadline_then_fails_at_once_and_recovers(monkeypatch):
    monkeypatch.setattr(guard, "PROBE_SECONDS", 0.05)
    store = StuckStore()

    async def scenario() -> None:
        checked = StoreGuard(lambda: store, DEADLINE, "stuck")
        assert await checked.read(["a"]) == {"a": b"v"}
        store.release.clear()
        stop = asyncio.Event()
        ticker = asyncio.create_task(_ticks(stop))
        first, waited = await _timed(checked.read(["a"]))
        assert isinstance(first, OnlineStoreError) and "within 100 ms (server.read_timeout)" in str(first)
        assert DEADLINE <= waited < DEADLINE + 0.1
        reads = store.reads
        again, waited = await _timed(checked.read(["a"]))
        assert isinstance(again, OnlineStoreError) and waited < 0.01 and store.reads == reads  # breaker open
        ping, waited = await _timed(checked.ping())
        assert isinstance(ping, OnlineStoreError) and waited < 0.01
        stop.set()
        assert await ticker < 0.05  # the loop never waited for the store
        store.release.set()
        for _ in range(100):
            if checked.down is None:
                break
            await asyncio.sleep(0.01)
        assert checked.down is None
        assert await checked.read(["b"]) == {"b": b"v"}
        checked.close()

    asyncio.run(scenario())


def test_a_fast_failure_leaves_the_breaker_closed():
    store = RefusingStore()

    async def scenario() -> None:
        checked = StoreGuard(lambda: store, DEADLINE, "stuck")
        for expected_reads in (1, 2):
            with pytest.raises(OnlineStoreError, match="connection refused"):
                await checked.read(["a"])
            assert checked.down is None and store.reads == expected_reads  # each read tries again
        checked.close()

    asyncio.run(scenario())


def test_the_store_is_opened_once_off_the_event_loop():
    opened: list[str] = []
    store = StuckStore()

    def open_store() -> StuckStore:
        opened.append(threading.current_thread().name)
        time.sleep(0.02)
        return store

    async def scenario() -> None:
        checked = StoreGuard(open_store, 1.0, "stuck")
        results = await asyncio.gather(*(checked.read([str(n)]) for n in range(5)))
        assert results == [{str(n): b"v"} for n in range(5)]
        checked.close()

    asyncio.run(scenario())
    assert len(opened) == 1 and opened[0] != threading.main_thread().name


def test_a_sqlite_read_past_the_deadline_is_cut_and_trips_the_breaker(tmp_path):
    store = SQLiteOnlineStore(str(tmp_path / "online.db"))
    store.write(WriteBatch([f"k{n}" for n in range(50_000)], [b"v" * 40] * 50_000))
    keys = [f"k{n}" for n in range(400_000)]  # a read this large takes far longer than the deadline
    started = time.perf_counter()
    assert len(store.read(keys)) == 50_000  # the store itself has no deadline
    whole = time.perf_counter() - started

    async def scenario() -> None:
        checked = StoreGuard(lambda: store, 0.02, "sqlite")
        checked.reader = open_reader(store, 0.02)  # opened ahead: a busy machine may take a while
        assert await checked.read(["k1", "nope"]) == {"k1": b"v" * 40}
        cut, waited = await _timed(checked.read(keys))
        assert isinstance(cut, OnlineStoreError) and "within 20 ms" in str(cut)
        assert waited < min(0.1, whole / 2)  # the loop was held for the deadline, not the whole read
        assert checked.down is not None
        checked.close()

    asyncio.run(scenario())
    store.close()
