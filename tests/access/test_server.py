"""The feature server enforces the same policy: its tokens name principals, masked features are
masked in responses (the same digests as offline), refusals are 403s; reads, refusals and failed
logins are counted in the audit log, written in batches."""

from __future__ import annotations

import io
from datetime import datetime

import pyarrow as pa
import pytest
from starlette.testclient import TestClient

from tests.access.helpers import LABELS, applied_repo, opened, sha256, write_rides_repo
from virtualfs import ConfigError, FeatureStore
from virtualfs.server.app import build_app
from virtualfs.warehouses.duckdb import DuckDBWarehouse

TOKENS = {"VFS_IVAN_TOKEN": "ivan-app-token-0123456789abcdef", "VFS_ALICE_TOKEN": "alice-token-0123456789abcdef"}
SERVER = """\
server:
  reload_seconds: 0
  auth:
    tokens:
      scoring_app: {token: "${VFS_IVAN_TOKEN}", principal: ivan}
      alice: {token: "${VFS_ALICE_TOKEN}"}
"""
ONE = {"driver_id": [1, 2]}


@pytest.fixture
def repo(tmp_path, monkeypatch):
    for name, value in TOKENS.items():
        monkeypatch.setenv(name, value)
    root = tmp_path / "repo"
    warehouse = DuckDBWarehouse(str(root / "data" / "warehouse.duckdb"), create=True)
    try:
        applied_repo(root, warehouse, server=SERVER)
        with opened(root, warehouse, "alice") as alice:
            alice.materialize()
    finally:
        warehouse.close()
    return root


def post(client: TestClient, token: str | None, body: dict, **headers: str):
    auth = {"authorization": f"Bearer {token}"} if token else {}
    return client.post("/v1/online-features", json={**body, "entities": ONE}, headers={**auth, **headers})


def test_the_server_masks_and_refuses_by_the_policy(repo):
    ivan, alice = TOKENS.values()
    with FeatureStore(repo) as store, TestClient(build_app(store)) as client:
        masked = post(client, ivan, {"feature_service": "quality_model"}).json()
        clear = post(client, alice, {"features": ["driver_quality:phone", "driver_quality:rating",
                                                  "driver_quality:rider_id"]}).json()
        refused = post(client, ivan, {"features": ["driver_quality:tip"]})
        unknown = post(client, ivan, {"features": ["no_view:x"]})
        arrow = post(client, ivan, {"feature_service": "quality_model"},
                     accept="application/vnd.apache.arrow.stream")
    assert clear["values"]["phone"] == ["+1 555 0111", "+1 555 0202"]
    assert masked["values"]["phone"] == [sha256(v) for v in clear["values"]["phone"]]
    assert masked["values"]["rider_id"] == [sha256(v) for v in clear["values"]["rider_id"]]
    assert masked["values"]["rating"] == clear["values"]["rating"] == [4.0, 3.0]
    assert refused.status_code == 403 and unknown.status_code == 403
    assert "principal 'ivan' (role 'intern') may not read feature 'driver_quality:tip' online" in refused.text
    table = pa.ipc.open_stream(io.BytesIO(arrow.content)).read_all()
    assert table.schema.field("rider_id").type == pa.string()
    assert table.column("phone").to_pylist() == masked["values"]["phone"]


def test_server_masks_equal_the_offline_masks(repo):
    with FeatureStore(repo) as store, TestClient(build_app(store)) as client:
        online = post(client, TOKENS["VFS_IVAN_TOKEN"], {"feature_service": "quality_model"}).json()
    with FeatureStore(repo, principal="ivan") as ivan:
        frame = ivan.get_historical_features(LABELS.iloc[:2], "quality_model").to_pandas()
    assert online["values"]["phone"] == frame["phone"].tolist()
    assert online["values"]["rider_id"] == frame["rider_id"].tolist()


def test_listings_show_what_the_principal_may_read_online(repo):
    with FeatureStore(repo) as store, TestClient(build_app(store)) as client:
        ivan = {"authorization": f"Bearer {TOKENS['VFS_IVAN_TOKEN']}"}
        views = client.get("/v1/feature-views", headers=ivan).json()["feature_views"]
        services = client.get("/v1/feature-services", headers=ivan).json()["feature_services"]
    assert views == [] and [s["name"] for s in services] == ["quality_model"]


def test_reads_refusals_and_failed_logins_are_counted_not_logged_one_by_one(repo):
    ivan = TOKENS["VFS_IVAN_TOKEN"]
    with FeatureStore(repo) as store, TestClient(build_app(store)) as client:
        for _ in range(5):
            assert post(client, ivan, {"feature_service": "quality_model"}).status_code == 200
        post(client, ivan, {"features": ["driver_quality:tip"]})
        post(client, "wrong-token-0123456789abcdef", {"feature_service": "quality_model"})
        post(client, None, {"feature_service": "quality_model"})
        assert store.catalog.audit.entries(action="read.online") == []  # not yet: counted in memory
    with FeatureStore(repo) as store:
        entries = store.audit(since=datetime(2026, 1, 1))
    counted = {(e.principal, e.action, e.target, e.outcome): e.count for e in entries
               if e.action in ("read.online", "auth")}
    assert counted == {
        ("ivan", "read.online", "driver_quality:phone", "ok"): 5,
        ("ivan", "read.online", "driver_quality:rating", "ok"): 5,
        ("ivan", "read.online", "driver_quality:rider_id", "ok"): 5,
        ("ivan", "read.online", "driver_quality:tip", "denied"): 1,
        (None, "auth", "/v1/online-features", "failed"): 2,
    }


def test_with_an_access_section_tokens_name_principals(tmp_path):
    write_rides_repo(tmp_path / "a", "duckdb", server="server:\n  auth:\n    tokens:\n"
                     "      app: {token: 0123456789abcdefXYZ, allow: [driver_quality]}\n")
    with pytest.raises(ConfigError, match="tokens.app.allow: with an access: section a token names a principal"):
        build_app(FeatureStore(tmp_path / "a"))
    write_rides_repo(tmp_path / "b", "duckdb", server="server:\n  auth:\n    tokens:\n"
                     "      app: {token: 0123456789abcdefXYZ, principal: zed}\n")
    with pytest.raises(ConfigError, match=r"tokens.app.principal: 'zed' is not in access.principals"):
        build_app(FeatureStore(tmp_path / "b"))
    write_rides_repo(tmp_path / "c", "duckdb")
    with pytest.raises(ConfigError, match="access: section, so the server needs tokens naming its principals"):
        build_app(FeatureStore(tmp_path / "c"))
