"""Live servers shared by the server tests: one per online store, built once per session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.server.live import BODY_TIMEOUT, LiveServer, build_repo, serve
from tests.services import REDIS_HOST, REDIS_PORT, require_service

LIMITS = "max_entities: 5\nmax_body_bytes: 4096\nreload_seconds: 0\n"
REDIS_DB = 9  # the server tests' own database; keys also carry a prefix unique to this run


@pytest.fixture(scope="session")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server over a SQLite online store, with tokens and small limits."""
    repo = build_repo(tmp_path_factory.mktemp("sqlite_repo"), "{type: sqlite}", LIMITS, auth=True)
    with serve(repo) as server:
        yield server


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The same server over Redis (127.0.0.1:6379, its own db and key prefix)."""
    require_service("Redis", REDIS_HOST, REDIS_PORT)
    prefix = f"vfs_server_test_{os.getpid()}:"
    online = f"{{type: redis, url: 'redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}', key_prefix: '{prefix}'}}"
    repo = build_repo(tmp_path_factory.mktemp("redis_repo"), online, LIMITS, auth=True)
    try:
        with serve(repo) as server:
            yield server
    finally:
        _delete_keys(prefix)


@pytest.fixture(params=["sqlite", "redis"])
def server(request: pytest.FixtureRequest) -> LiveServer:
    """Each test using it runs against the SQLite and the Redis server."""
    return request.getfixturevalue(f"{request.param}_server")


@pytest.fixture(scope="session")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server without tokens (loopback only), catalog checked every 0.2 s, bodies due in 0.5 s."""
    repo = build_repo(tmp_path_factory.mktemp("open_repo"), "{type: sqlite}",
                      f"reload_seconds: 0.2\nbody_timeout: {BODY_TIMEOUT * 1000:g}ms\n")
    with serve(repo) as server:
        yield server


def _delete_keys(prefix: str) -> None:
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
    try:
        stale = list(client.scan_iter(match=prefix + "*", count=1000))
        if stale:
            client.delete(*stale)
    finally:
        client.close()
