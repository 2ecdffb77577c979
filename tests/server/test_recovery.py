"""The server outlives its online store: 503 while Redis is down, answers again once it is back.

The test runs its own redis-server on a free port rather than stopping the shared one on 6379, so
other suites running at the same time keep their Redis.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.server.live import HOST, build_repo, free_port, serve

BODY = {"feature_service": "churn", "entities": {"customer_id": [1, 3]}}


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

    def stop(self, save: bool) -> None:
        """Shut down; with ``save`` the data is written to disk and comes back on ``start``."""
        if self.process is None or self.process.poll() is not None:
            return
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
        assert f"redis online store redis://{HOST}:{private_redis.port}/0" in down.json()["error"]["message"]
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


def _eventually(check, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False
