"""`virtualfs serve` as a user runs it: refusing unsafe binds, several workers, late definitions."""

from __future__ import annotations

import subprocess
import sys
import time

from tests.repo_factory import write_repo
from tests.server.live import build_repo, serve
from virtualfs.store import FeatureStore


def run_serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "virtualfs.cli", "serve", *args], capture_output=True,
                          text=True, timeout=60)


def test_refuses_an_exposed_address_without_tokens(tmp_path):
    repo = write_repo(tmp_path / "repo")
    result = run_serve("--repo", str(repo), "--host", "0.0.0.0")
    assert result.returncode == 2
    assert "server.auth has no tokens" in result.stderr and "--insecure" in result.stderr


def test_a_bad_server_section_is_one_line(tmp_path):
    repo = write_repo(tmp_path / "repo")
    with (repo / "virtualfs.yaml").open("a") as config:
        config.write("server: {max_entities: 10, limits: {}}\n")
    result = run_serve("--repo", str(repo))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: virtualfs.yaml: server: unknown key 'limits'; "
        "expected one of audit_seconds, auth, body_timeout, max_body_bytes, max_entities, max_push_rows, "
        "read_timeout, reload_seconds, ui"
    )


def test_several_workers_serve(tmp_path):
    repo = build_repo(tmp_path / "repo", "{type: sqlite}")
    with serve(repo, "--workers", "2") as server:
        for _ in range(20):
            response = server.post({"feature_service": "churn", "entities": {"customer_id": [1, 2]}})
            assert response.status_code == 200
            assert response.json()["values"]["amount"] == [9.5, 4.0]


def test_starts_before_apply_and_serves_once_definitions_are_applied(tmp_path):
    repo = write_repo(tmp_path / "repo", ttl="3650d")
    with (repo / "virtualfs.yaml").open("a") as config:
        config.write("server: {reload_seconds: 0.2}\n")
    with serve(repo) as server:
        not_ready = server.get("/readyz")
        assert not_ready.status_code == 503
        assert "no applied definitions yet" in not_ready.json()["error"]["message"]
        assert not_ready.headers["retry-after"] == "1"
        body = {"feature_service": "churn", "entities": {"customer_id": [1]}}
        assert server.post(body).status_code == 503
        with FeatureStore(repo) as store:
            store.apply()
            store.materialize()
        assert _eventually(lambda: server.post(body).status_code == 200)
        assert server.post(body).json()["values"] == {"amount": [9.5], "items": [2]}
        assert server.get("/readyz").status_code == 200


def _eventually(check, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False
