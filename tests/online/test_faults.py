"""Faults against real processes: Redis going away and coming back, a materialization killed."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import pytest

from tests.online.conftest import make_store
from tests.online.helpers import at, orders_view, write_rows
from tests.services import REDIS_HOST, REDIS_PORT, require_service
from virtualfs.errors import OnlineStoreError
from virtualfs.registry import Registry
from virtualfs.serving.read import get_online_features

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_redis(port: int, *options: str) -> subprocess.Popen:
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError(f"redis-server did not start on port {port}")


@pytest.fixture
def own_redis():
    """A private redis-server this test may stop and start (never the shared one)."""
    if shutil.which("redis-server") is None:
        message = "redis-server is not installed; .ci/run installs it"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    port = _free_port()
    servers = [_start_redis(port)]
    yield port, servers
    for server in servers:
        server.kill()
        server.wait()


def test_redis_down_is_a_clear_error_and_reads_recover(own_redis):
    from virtualfs.online.redis import RedisOnlineStore

    port, servers = own_redis
    store = RedisOnlineStore(f"redis://127.0.0.1:{port}/0", project="test")
    view = orders_view()
    registry, rows = Registry.from_objects([view]), [{"customer_id": 1}]
    write_rows(store, view, [{"customer_id": 1, "event": at(0), "amount": 1.0}])
    assert get_online_features(store, registry, rows, ["customer_orders:amount"]).to_dict()["amount"] == [1.0]
    servers[0].kill()
    servers[0].wait()
    with pytest.raises(OnlineStoreError, match=f"redis online store redis://127.0.0.1:{port}/0: read failed"):
        get_online_features(store, registry, rows, ["customer_orders:amount"])
    with pytest.raises(OnlineStoreError, match="ping failed"):
        store.ping()
    servers.append(_start_redis(port))
    store.ping()
    write_rows(store, view, [{"customer_id": 1, "event": at(0), "amount": 2.0}])
    assert get_online_features(store, registry, rows, ["customer_orders:amount"]).to_dict()["amount"] == [2.0]


def test_the_async_reader_names_the_server_when_it_is_down_and_reconnects(own_redis):
    from virtualfs.online.redis import RedisOnlineStore

    port, servers = own_redis
    store = RedisOnlineStore(f"redis://127.0.0.1:{port}/2", project="test")
    store.client.set("k", b"v")

    async def scenario() -> None:
        reader = store.async_reader(1.0)
        assert await reader.read(["k", "missing"]) == {"k": b"v"}
        servers[0].kill()
        servers[0].wait()
        with pytest.raises(OnlineStoreError, match=f"redis online store redis://127.0.0.1:{port}/2: read failed"):
            await reader.read(["k"])
        with pytest.raises(OnlineStoreError, match="ping failed"):
            await reader.ping()
        servers.append(_start_redis(port))
        store.client.set("k", b"w")
        assert await reader.read(["k"]) == {"k": b"w"}  # a new connection, SELECT 2 again
        reader.close()

    asyncio.run(scenario())


def test_the_async_reader_authenticates_and_hides_the_password(own_redis):
    from virtualfs.online.redis import RedisOnlineStore

    port, servers = own_redis
    servers.append(_start_redis(_free_port(), "--requirepass", "the-secret-password"))
    url = f"redis://127.0.0.1:{servers[1].args[2]}/0"
    RedisOnlineStore(url, password="the-secret-password").client.set("k", b"v")
    right = RedisOnlineStore(url, password="the-secret-password").async_reader(1.0)
    wrong = RedisOnlineStore(url, password="not-the-password").async_reader(1.0)

    async def scenario() -> None:
        assert await right.read(["k"]) == {"k": b"v"}
        with pytest.raises(OnlineStoreError, match="AUTH failed") as error:
            await wrong.read(["k"])
        assert "password" not in repr(wrong.target) and "not-the-password" not in str(error.value)

    asyncio.run(scenario())


KEYS = 200_000  # two batches of 100,000: the kill lands in the second
CHILD = """
import json, sys
from datetime import datetime
from tests.online.conftest import make_store
from tests.online.helpers import orders_view
from tests.online.test_faults import FileWatermarks, open_child_store
from tests.online.helpers import run_materialize
from virtualfs.registry import Registry
from virtualfs.warehouses.duckdb import DuckDBWarehouse

args = json.loads(sys.argv[1])
store = open_child_store(args)
warehouse = DuckDBWarehouse(args["duckdb"])
def report(step):
    print(step.rows, flush=True)
run_materialize(warehouse, Registry.from_objects([orders_view()]), store, FileWatermarks(args["marks"]),
                end=datetime.fromisoformat(args["end"]), progress=report)
print("done", flush=True)
"""


class FileWatermarks:
    """Watermarks in a JSON file, so a killed process's catalog can be inspected."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def get_watermark(self, view):
        return self.value(view.name)

    def value(self, name: str):
        values = json.loads(self.path.read_text()) if self.path.exists() else {}
        return datetime.fromisoformat(values[name]) if name in values else None

    def set_watermark(self, view, value) -> None:
        values = json.loads(self.path.read_text()) if self.path.exists() else {}
        self.path.write_text(json.dumps({**values, view.name: value.isoformat()}))


def open_child_store(args: dict):
    if args["kind"] == "sqlite":
        from virtualfs.online.sqlite import SQLiteOnlineStore

        return SQLiteOnlineStore(args["path"], project="test")
    from virtualfs.online.redis import RedisOnlineStore

    return RedisOnlineStore(args["url"], key_prefix=args["prefix"], project="test")


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_materialize_killed_half_way_leaves_old_or_new_values_and_a_rerun_completes(kind, tmp_path):
    import duckdb

    if kind == "redis":
        require_service("Redis", REDIS_HOST, REDIS_PORT)
    with make_store(kind, tmp_path) as store:
        args = {"kind": kind, "duckdb": str(tmp_path / "w.duckdb"), "marks": str(tmp_path / "marks.json"),
                "path": getattr(store, "path", ""), "prefix": getattr(store, "key_prefix", ""),
                "url": f"redis://{REDIS_HOST}:{REDIS_PORT}/7"}
        with duckdb.connect(args["duckdb"]) as connection:
            connection.execute(
                "CREATE TABLE orders AS SELECT i AS customer_id, TIMESTAMP '2026-01-01' AS ordered_at, "
                "TIMESTAMP '2026-01-01' AS loaded_at, 1.0::DOUBLE AS amount, 1::BIGINT AS items, "
                f"'old' AS note FROM range({KEYS}) t(i)"
            )
        _run_child(args, at(60), kill_after_first_batch=False)
        with duckdb.connect(args["duckdb"]) as connection:
            connection.execute(
                "INSERT INTO orders SELECT customer_id, ordered_at + INTERVAL 2 HOUR, loaded_at + INTERVAL 2 HOUR,"
                " 2.0, 2, 'new' FROM orders"
            )
        _run_child(args, at(240), kill_after_first_batch=True)
        assert FileWatermarks(args["marks"]).value("customer_orders") == at(60)
        notes = _notes(store)
        assert set(notes) <= {"old", "new"} and 0 < notes.count("new") < KEYS
        _run_child(args, at(240), kill_after_first_batch=False)
        assert set(_notes(store)) == {"new"}
        assert FileWatermarks(args["marks"]).value("customer_orders") == at(240)


def _notes(store) -> list:
    rows = {"customer_id": list(range(KEYS))}
    response = get_online_features(store, Registry.from_objects([orders_view()]), rows, ["customer_orders:note"])
    return response.to_dict()["note"]


def _run_child(args: dict, end: datetime, kill_after_first_batch: bool) -> None:
    code = textwrap.dedent(CHILD)
    child = subprocess.Popen([sys.executable, "-c", code, json.dumps({**args, "end": end.isoformat()})],
                             cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        first = child.stdout.readline()
        assert first.strip().isdigit(), f"child failed before its first batch: {first!r}"
        if kill_after_first_batch:
            child.send_signal(signal.SIGKILL)  # lands while the next batch is being written
            child.wait()
            return
        output = child.communicate(timeout=120)[0]
        assert child.returncode == 0 and output.rstrip().endswith("done"), output
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
