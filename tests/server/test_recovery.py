"""The server outlives its online store: 503 while Redis is down or stalled, answers again once
it is back, and a stalled Redis holds up nothing but the reads waiting for it, for one deadline.

The tests run their own redis-server on a free port rather than stopping (or SIGSTOPping) the
shared one on 6379, so other suites running at the same time keep their Redis.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.server.live import HOST, build_repo, free_port, serve

BODY = {"feature_service": "churn", "entities": {"customer_id": [1, 3]}}
READ_TIMEOUT = 0.25  # the server's default read deadline (ServerConfig.read_timeout)
MARGIN = 0.35  # for a busy 2-core machine: scheduling, the client's own work


class PrivateRedis:
    """A redis-server of this test's own, which keeps its data in ``folder`` across restarts."""

    def __init__(self, binary: str, folder: Path) -> None:
        self.binary, self.folder, self.port = binary, folder, free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--bind", HOST, "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--dbfilename", "dump.rdb"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host=HOST, port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
            finally:
                client.close()
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def pause(self) -> None:
        """Stop the process where it is (SIGSTOP): connections stay open and nothing answers."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self, save: bool) -> None:
        """Shut down; with ``save`` the data is written to disk and comes back on ``start``."""
        if self.process is None or self.process.poll() is not None:
            return
        self.resume()  # a stopped process would hold a SIGTERM until continued
        if save:
            client = redis.Redis(host=HOST, port=self.port)
            client.save()
            client.close()
        self.process.terminate()  # with no save points configured, SIGTERM stops without saving
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed; .ci/run installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path / "redis"
    folder.mkdir()
    server = PrivateRedis(binary, folder)
    server.start()
    try:
        yield server
    finally:
        server.stop(save=False)


def test_redis_down_is_503_and_the_server_recovers_by_itself(private_redis, tmp_path):
    online = f"{{type: redis, url: 'redis://{HOST}:{private_redis.port}/0'}}"
    repo = build_repo(tmp_path / "repo", online)
    with serve(repo) as server:
        assert server.post(BODY).json()["values"]["amount"] == [9.5, None]

        private_redis.stop(save=True)
        down = server.post(BODY)
        assert down.status_code == 503
        assert down.headers["retry-after"] == "1"
        assert down.json()["error"]["component"] == "online_store"
        assert str(private_redis.port) not in down.text  # no tokens: nobody sees the address
        assert f"redis online store redis://{HOST}:{private_redis.port}/0" in server.logs()
        assert server.get("/readyz").status_code == 503
        assert server.get("/healthz").status_code == 200  # alive, just not ready
        assert 'virtualfs_online_store_errors_total{store="redis"}' in server.get("/metrics").text

        private_redis.start()
        assert _eventually(lambda: server.post(BODY).status_code == 200)
        assert server.post(BODY).json()["values"]["amount"] == [9.5, None]
        assert server.get("/readyz").status_code == 200


def test_redis_restarted_empty_answers_not_found(private_redis, tmp_path):
    online = f"{{type: redis, url: 'redis://{HOST}:{private_redis.port}/0'}}"
    repo = build_repo(tmp_path / "repo", online)
    with serve(repo) as server:
        assert server.post(BODY).status_code == 200
        private_redis.stop(save=False)
        assert server.post(BODY).status_code == 503
        private_redis.start()
        assert _eventually(lambda: server.post(BODY).status_code == 200)
        assert server.post(BODY).json()["statuses"]["amount"] == ["NOT_FOUND", "NOT_FOUND"]


def test_a_stalled_redis_costs_one_deadline_and_holds_up_nothing_else(private_redis, tmp_path):
    online = f"{{type: redis, url: 'redis://{HOST}:{private_redis.port}/0'}}"
    repo = build_repo(tmp_path / "repo", online)
    with serve(repo) as server:
        assert server.post(BODY).status_code == 200
        private_redis.pause()
        try:
            reads, probes, ready = asyncio.run(_stalled_load(server.url))
        finally:
            private_redis.resume()
        assert [status for status, _ in reads] == [503] * len(reads)
        assert max(seconds for _, seconds in reads) < READ_TIMEOUT + MARGIN, sorted(s for _, s in reads)
        assert [status for status, _ in probes] == [200] * len(probes)
        assert _p99([seconds for _, seconds in probes]) < 0.1, sorted(s for _, s in probes)[-5:]
        assert ready[0] == 503 and ready[1] < 0.1  # not ready, at once: the breaker is open

        assert _eventually(lambda: server.post(BODY).status_code == 200, seconds=5)
        assert server.post(BODY).json()["values"]["amount"] == [9.5, None]
        assert server.get("/readyz").status_code == 200
        log = server.logs()
        assert "did not answer a read within 250 ms" in log and "online store answers again" in log


async def _stalled_load(url: str) -> tuple[list, list, tuple]:
    """While Redis is stopped: 20 reads at once, 20 more over a second, /healthz every 10 ms for
    two seconds, and /readyz after the first deadline; each answer's status and latency."""
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    async with httpx.AsyncClient(base_url=url, timeout=3, limits=limits) as client:
        async def timed(delay: float, method: str, path: str, **kwargs) -> tuple[int | None, float]:
            await asyncio.sleep(delay)
            started = time.perf_counter()
            try:
                status = (await client.request(method, path, **kwargs)).status_code
            except httpx.TimeoutException:
                status = None  # the old server: the event loop waited on Redis for seconds
            return status, time.perf_counter() - started

        reads = [timed(0 if n < 20 else (n - 19) * 0.05, "POST", "/v1/online-features", json=BODY)
                 for n in range(40)]
        probes = [timed(n * 0.01, "GET", "/healthz") for n in range(200)]
        ready = timed(READ_TIMEOUT + MARGIN, "GET", "/readyz")
        results = await asyncio.gather(*reads, *probes, ready)
    return results[:40], results[40:-1], results[-1]


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def _eventually(check, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False
