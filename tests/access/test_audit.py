"""The audit log: an entry for each action, refusals included; frequent events counted in batches;
never a secret or a feature value anywhere in the catalog; ``virtualfs audit``."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.access.helpers import LABELS, RIDES, applied_repo, opened, sha256
from virtualfs import AccessDeniedError
from virtualfs.access import AuditLog
from virtualfs.catalog import AuditEntry


def test_every_action_leaves_an_entry(warehouse, tmp_path):
    repo = applied_repo(tmp_path / "repo", warehouse)
    with opened(repo, warehouse, "alice") as alice:
        alice.refresh(online=False)
        alice.materialize()
        alice.get_historical_features(LABELS, "quality_model").to_pandas()
        alice.profile(["driver_quality:rating"])
        alice.gc()
    with opened(repo, warehouse, "ivan") as ivan:
        ivan.get_historical_features(LABELS, ["driver_quality:rating", "driver_quality:phone"])
        with pytest.raises(AccessDeniedError):
            ivan.refresh()
        ivan.get_online_features([{"driver_id": 1}], "quality_model")
    with opened(repo, warehouse, None) as nobody, pytest.raises(AccessDeniedError):
        nobody.apply()
    with opened(repo, warehouse, "alice") as alice:
        seen = [(e.principal, e.action, e.target, e.outcome, dict(e.detail)) for e in alice.audit()]
    assert seen[:1] == [("alice", "apply", "version 1", "ok", {})]
    assert ("alice", "refresh", "driver_quality", "ok", {"rows_written": {"driver_quality": 4}}) in seen
    assert any(s[:4] == ("alice", "materialize", "driver_quality", "ok") and "keys_written" in s[4] for s in seen)
    assert ("alice", "read.offline", "driver_quality:rating, driver_quality:phone, driver_quality:rider_id",
            "ok", {}) in seen
    assert ("alice", "read.profile", "driver_quality:rating", "ok", {}) in seen
    assert ("alice", "gc", "feature schema and online store", "ok", {"tables": 0, "keys": 0}) in seen
    assert ("ivan", "read.offline", "driver_quality:rating, driver_quality:phone", "ok",
            {"masked": ["driver_quality:phone"]}) in seen
    assert ("ivan", "refresh", "all views", "denied", {"grant": "access.roles.intern.refresh"}) in seen
    assert any(s[:4] == ("ivan", "read.online", "driver_quality:phone", "ok") for s in seen)
    assert (None, "apply", "catalog", "denied", {"grant": "access.principals"}) in seen


def test_entries_are_filtered_by_time_principal_and_action(duckdb_warehouse, tmp_path):
    repo = applied_repo(tmp_path / "repo", duckdb_warehouse)
    with opened(repo, duckdb_warehouse, "gus") as gus:
        gus.get_historical_features(LABELS, ["driver_quality:rating"])
        with pytest.raises(AccessDeniedError):
            gus.get_historical_features(LABELS, ["driver_quality:tip"])
        later = datetime.now(timezone.utc) + timedelta(hours=1)
        assert [e.outcome for e in gus.audit(principal="gus", action="read")] == ["ok", "denied"]
        assert [e.action for e in gus.audit(principal="alice")] == ["apply"]
        assert gus.audit(since=later) == []
        assert gus.audit(action="rea") == []  # an action matches itself and its sub-actions only


def test_a_failed_change_is_logged_failed(duckdb_warehouse, tmp_path):
    repo = applied_repo(tmp_path / "repo", duckdb_warehouse)
    (repo / "features.py").write_text((repo / "features.py").read_text().replace('table="rides"', 'table="nope"'))
    with opened(repo, duckdb_warehouse, "alice") as alice:
        with pytest.raises(Exception, match="nope"):
            alice.apply()
        [failed] = [e for e in alice.audit(action="apply") if e.outcome == "failed"]
    assert failed.target == "catalog" and failed.detail["error"] == "ValidationError"


class FlakyTable:
    """An audit table that fails while ``down``, and records what it is given."""

    def __init__(self) -> None:
        self.down, self.written = False, []
        self.lock = threading.Lock()

    def append(self, entries: list[AuditEntry]) -> None:
        if self.down:
            raise ConnectionError("catalog down")
        with self.lock:
            self.written += entries


def test_counts_are_written_in_batches_on_a_thread_and_kept_when_the_catalog_is_down():
    table = FlakyTable()
    log = AuditLog(lambda: table, flush_seconds=0.2)
    for _ in range(1000):
        log.count("ivan", "read.online", "v:f")
    assert table.written == []  # nothing on the request path before the deadline
    time.sleep(0.25)
    log.count("ivan", "read.online", "v:f")  # crosses the deadline: flushed on a thread
    deadline = time.monotonic() + 5
    while not table.written and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [(e.principal, e.target, e.count) for e in table.written] == [("ivan", "v:f", 1001)]
    table.down = True
    log.count("ivan", "read.online", "v:g", times=3)
    with pytest.raises(ConnectionError):
        log.flush()
    assert log.pending() == 3
    table.down = False
    log.close()
    assert [(e.target, e.count) for e in table.written] == [("v:f", 1001), ("v:g", 3)]
    assert table.written[1].detail["until"] > table.written[1].at.isoformat()


def test_the_catalog_holds_no_secret_and_no_feature_value(tmp_path, monkeypatch):
    from starlette.testclient import TestClient

    from tests.access.test_server import SERVER, TOKENS
    from virtualfs import FeatureStore
    from virtualfs.server.app import build_app
    from virtualfs.warehouses.duckdb import DuckDBWarehouse

    for name, value in TOKENS.items():
        monkeypatch.setenv(name, value)
    repo = tmp_path / "repo"
    warehouse = DuckDBWarehouse(str(repo / "data" / "warehouse.duckdb"), create=True)
    applied_repo(repo, warehouse, server=SERVER)
    with opened(repo, warehouse, "alice") as alice:
        alice.refresh()
        alice.get_historical_features(LABELS, "driver_quality:*").to_pandas()
    with opened(repo, warehouse, "ivan") as ivan:
        ivan.get_historical_features(LABELS, "driver_quality:*").to_pandas()
    warehouse.close()
    wrong = "a-wrong-token-0123456789abcdef"
    with FeatureStore(repo) as store, TestClient(build_app(store)) as client:
        for token in (*TOKENS.values(), wrong):
            client.post("/v1/online-features", headers={"authorization": f"Bearer {token}"},
                        json={"features": ["driver_quality:phone"], "entities": {"driver_id": [1, 2]}})
    with FeatureStore(repo) as store:
        assert {e.action for e in store.audit()} >= {"apply", "refresh", "read.offline", "read.online", "auth"}
    secrets = [*TOKENS.values(), wrong]
    phones = [p for p in RIDES.column("phone").to_pylist() if p]
    # "+1 555": any phone's prefix (a bare "555" turns up inside hex digests now and then)
    values = [*phones, *(sha256(p) for p in phones), "+1 555", "555 01", "555 02"]
    with sqlite3.connect(repo / ".virtualfs" / "catalog.db") as catalog:
        tables = [row[0] for row in catalog.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        text = "\n".join(str(row) for table in tables for row in catalog.execute(f'SELECT * FROM "{table}"'))  # noqa: S608
    assert "vfs_audit" in tables and "read.online" in text
    for needle in (*secrets, *values):
        assert needle not in text, needle


def run(*args: str, principal: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUALFS_PRINCIPAL"}
    if principal:
        env["VIRTUALFS_PRINCIPAL"] = principal
    return subprocess.run([sys.executable, "-m", "virtualfs.cli", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_the_audit_command_and_the_principal_from_the_environment(tmp_path):
    from virtualfs.warehouses.duckdb import DuckDBWarehouse

    repo = tmp_path / "repo"
    warehouse = DuckDBWarehouse(str(repo / "data" / "warehouse.duckdb"), create=True)
    applied_repo(repo, warehouse)
    warehouse.close()
    refused = run("refresh", "-r", str(repo), principal="ivan")
    assert refused.returncode == 1
    assert "principal 'ivan' (role 'intern') may not refresh or materialize views" in refused.stderr
    listed = run("audit", "-r", str(repo), "--json", "--principal", "ivan")
    assert [(e["action"], e["outcome"], e["detail"]) for e in json.loads(listed.stdout)] == [
        ("refresh", "denied", {"grant": "access.roles.intern.refresh"})]
    table = run("audit", "-r", str(repo), "--action", "apply")
    assert table.returncode == 0 and "alice" in table.stdout and "version 1" in table.stdout
    assert run("grants", "-r", str(repo), principal="alice").returncode == 1  # DuckDB has no grants
