"""Fixtures for the online suite: one set of tests, every online store (and warehouse)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.services import REDIS_HOST, REDIS_PORT, require_service
from virtualfs.online.base import OnlineStore

STORES = ("memory", "sqlite", "redis", "redis-cluster")
REDIS_DB = 7  # the online tests' own database; each store also gets a unique key prefix
_prefixes = itertools.count()


@contextmanager
def make_store(kind: str, folder: Path, project: str = "test") -> Iterator[OnlineStore]:
    """An empty online store of ``kind``; a Redis store's keys are deleted afterwards."""
    if kind == "memory":
        from virtualfs.online.memory import MemoryOnlineStore

        yield MemoryOnlineStore(project=project)
    elif kind == "sqlite":
        from virtualfs.online.sqlite import SQLiteOnlineStore

        store = SQLiteOnlineStore(str(folder / f"online-{next(_prefixes)}.db"), project=project)
        try:
            yield store
        finally:
            store.close()
    elif kind == "redis-cluster":
        yield from _redis_cluster(project)
    else:
        yield from _redis(project)


def _redis(project: str) -> Iterator[OnlineStore]:
    from virtualfs.online.redis import RedisOnlineStore

    require_service("Redis", REDIS_HOST, REDIS_PORT)
    prefix = f"vfs_test_{os.getpid()}_{next(_prefixes)}:"
    store = RedisOnlineStore(f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}", key_prefix=prefix,
                             project=project)
    yield from _emptied_after(store, prefix)


def _redis_cluster(project: str) -> Iterator[OnlineStore]:
    """A store on the session's local cluster (tests.redis_cluster), under a key prefix of its own."""
    from tests.redis_cluster import shared_cluster
    from virtualfs.online.redis_cluster import RedisClusterOnlineStore

    prefix = f"vfs_test_{os.getpid()}_{next(_prefixes)}:"
    store = RedisClusterOnlineStore(shared_cluster().nodes, key_prefix=prefix, project=project)
    yield from _emptied_after(store, prefix)


def _emptied_after(store, prefix: str) -> Iterator[OnlineStore]:
    """``store`` (Redis or a cluster) for one test; then every key under ``prefix`` deleted, the
    ones no view's prefix covers included, and the store closed."""
    try:
        yield store
    finally:
        stale = list(store.client.scan_iter(match=prefix + "*", count=1000))
        if stale:
            store.client.delete(*stale)
        store.close()


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OnlineStore]:
    """An empty store; the test runs once on each of memory, sqlite, redis and a redis cluster."""
    with make_store(request.param, tmp_path) as opened:
        yield opened


@pytest.fixture(params=STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    """The name of a store kind, for tests that open several stores of it."""
    return request.param


class MemoryWatermarks:
    """The WatermarkStore protocol in a dict (the catalog's stand-in)."""

    def __init__(self) -> None:
        self.values: dict = {}

    def get_watermark(self, view):
        return self.values.get(view.name)

    def set_watermark(self, view, value) -> None:
        self.values[view.name] = value
