"""A real feature server for the tests: a repository on disk, `virtualfs serve` in a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import duckdb
import httpx

from tests.repo_factory import write_repo
from virtualfs.store import FeatureStore

HOST = "127.0.0.1"
BODY_TIMEOUT = 0.5  # the open_server's server.body_timeout (tests/server/conftest.py)
TOKENS = {  # environment variable -> value; virtualfs.yaml refers to them as ${NAME}
    "VFS_TEST_FULL_TOKEN": "full-access-token-0123456789",
    "VFS_TEST_CHURN_TOKEN": "churn-service-token-0123456789",
    "VFS_TEST_RECENT_TOKEN": "recent-view-token-0123456789",
}
FULL, CHURN, RECENT = TOKENS.values()
AUTH = """\
  auth:
    tokens:
      full: {token: "${VFS_TEST_FULL_TOKEN}", allow: ["*"]}
      churn_app: {token: "${VFS_TEST_CHURN_TOKEN}", allow: [churn]}
      recent_app: {token: "${VFS_TEST_RECENT_TOKEN}", allow: [recent_orders]}
"""
DEFINITIONS = """\
from virtualfs import Aggregation, Entity, Feature, FeatureService, FeatureView, Source

customer = Entity("customer", ["customer_id"])
orders = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
customer_orders = FeatureView(
    "customer_orders", [customer], orders,
    [Feature("amount", "float64"), Feature("items", "int64")], ttl="3650d",
)
recent_orders = FeatureView("recent_orders", [customer], orders, [Feature("amount", "float64")], ttl="1d")
order_counts = FeatureView(  # plain features and an aggregation, served together
    "order_counts", [customer], orders, [Feature("items", "int64")],
    aggregations=[Aggregation("orders_7d", "count", "items", "7d")],
)
churn = FeatureService("churn", ["customer_orders:*"])
recent = FeatureService("recent", ["recent_orders:amount"])
mixed = FeatureService("mixed", ["customer_orders:items", "recent_orders:amount"])
"""
# customer 1: amount 9.5 (latest of two rows), items 3; customer 2: amount 4.0, items 1; 3+: none.
ORDERS = [
    (1, "2026-01-01", "2026-01-02", 7.0, 2),
    (1, "2026-01-03", "2026-01-03", 9.5, 3),
    (2, "2026-01-02", "2026-01-02", 4.0, 1),
]


def build_repo(root: Path, online: str, server: str = "", auth: bool = False) -> Path:
    """A repository in ``root`` with two views over ``orders``, applied and materialized.

    ``online`` is the YAML of its online store; ``server`` the lines under ``server:``.
    """
    write_repo(root, definitions=DEFINITIONS)
    with duckdb.connect(str(root / "data" / "warehouse.duckdb")) as connection:
        connection.execute("DELETE FROM orders")
        connection.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?)", ORDERS)
    section = textwrap.indent(server, "  ") + (AUTH if auth else "")
    (root / "virtualfs.yaml").write_text(
        "project: shop\nwarehouse: {type: duckdb, path: data/warehouse.duckdb}\n"
        f"online: {online}\ncatalog: {{url: 'sqlite:///.virtualfs/catalog.db'}}\n"
        + (f"server:\n{section}" if section.strip() else "")
    )
    with mock.patch.dict(os.environ, TOKENS), FeatureStore(root) as store:
        store.apply()
        store.materialize()
    return root


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class LiveServer:
    """A running `virtualfs serve` and an HTTP client pointed at it."""

    def __init__(self, process: subprocess.Popen, port: int, log: Path) -> None:
        self.process, self.port, self.log = process, port, log
        self.url = f"http://{HOST}:{port}"
        self.client = httpx.Client(base_url=self.url, timeout=10)

    def get(self, path: str, token: str | None = None, **kwargs) -> httpx.Response:
        return self.client.get(path, headers=_auth(token), **kwargs)

    def post(self, body: object, token: str | None = None, accept: str | None = None,
             path: str = "/v1/online-features") -> httpx.Response:
        headers = _auth(token) | ({"accept": accept} if accept else {})
        if isinstance(body, (bytes, str)):
            return self.client.post(path, content=body, headers=headers)
        return self.client.post(path, json=body, headers=headers)

    def logs(self) -> str:
        return self.log.read_text()


@contextmanager
def serve(repo: Path, *args: str) -> Iterator[LiveServer]:
    """Start `virtualfs serve` on a free loopback port; stop it afterwards."""
    port = free_port()
    log = repo / f"server-{port}.log"
    command = [sys.executable, "-m", "virtualfs.cli", "serve", "--repo", str(repo), "--host", HOST,
               "--port", str(port), *args]
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                   env={**os.environ, **TOKENS})
    server = LiveServer(process, port, log)
    try:
        _wait_until_up(server)
        yield server
    finally:
        server.client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(server: LiveServer, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited with {server.process.returncode}:\n{server.logs()}")
        try:
            if server.client.get("/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"the server did not answer within {seconds} s:\n{server.logs()}")


def _auth(token: str | None) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"} if token else {}
