"""The online read path — store read, decode, response — loads no compiler and no sqlglot: a fresh
process that opens an applied, materialized repository and reads features never imports them,
whether it calls ``get_online_features`` or is a server worker answering ``/v1/online-features``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.repo_factory import write_repo
from virtualfs import FeatureStore

HEAVY = ("sqlglot", "virtualfs.compile", "virtualfs.dialects", "virtualfs.retrieval", "pandas")

STORE_READ = """
import json, sys
from virtualfs import FeatureStore
store = FeatureStore(sys.argv[1])
response = store.get_online_features([{"customer_id": 1}, {"customer_id": 7}], "churn")
print(json.dumps({"values": response.to_dict()["amount"], "statuses": [str(s) for s in response.statuses["amount"]],
                  "loaded": sorted(m for m in sys.modules if m.startswith(HEAVY))}))
"""

SERVER_READ = """
import json, sys
from starlette.testclient import TestClient
from virtualfs.server.app import app_from_env
with TestClient(app_from_env()) as client:
    reply = client.post("/v1/online-features",
                        json={"feature_service": "churn", "entities": {"customer_id": [1, 7]}})
    print(json.dumps({"status": reply.status_code, "body": reply.json(),
                      "loaded": sorted(m for m in sys.modules if m.startswith(HEAVY))}))
"""


@pytest.fixture(scope="module", params=["sqlite", "redis-cluster"])
def materialized(request, tmp_path_factory):
    repo = write_repo(tmp_path_factory.mktemp("read_path"), ttl="3650d")
    if request.param == "redis-cluster":  # the cluster store and its async reader load no compiler either
        nodes = request.getfixturevalue("redis_cluster").nodes
        config = repo / "virtualfs.yaml"
        config.write_text(config.read_text().replace(
            "online: {type: sqlite, path: .virtualfs/online.db}",
            f"online: {{type: redis, cluster: true, nodes: {json.dumps(nodes)}, key_prefix: 'vfs_read_path:'}}"))
        assert "cluster: true" in config.read_text()
    with FeatureStore(repo) as store:
        store.apply()
        store.materialize()
    yield repo
    with FeatureStore(repo) as store:
        for prefix in store.online.key_prefixes(store.config.project):
            store.online.delete_prefix(prefix)


def test_get_online_features_in_a_fresh_process_loads_no_compiler(materialized):
    result = _run(STORE_READ, str(materialized))
    assert result["values"] == [9.5, None] and result["statuses"] == ["PRESENT", "NOT_FOUND"]
    assert result["loaded"] == []


def test_a_server_worker_answering_a_read_loads_no_compiler(materialized, monkeypatch):
    monkeypatch.setenv("VIRTUALFS_SERVER_REPO", str(materialized))
    result = _run(SERVER_READ)
    assert result["status"] == 200
    assert result["body"]["values"]["amount"] == [9.5, None]
    assert result["loaded"] == []


def _run(code: str, *args: str) -> dict:
    code = f"HEAVY = {HEAVY!r}\n{code}"
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
