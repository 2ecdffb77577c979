"""Garbage collection through FeatureStore and the CLI, on a repository: a view removed and a view
reshaped leave garbage; ``gc --dry-run`` lists it, ``gc`` removes it, and reads still work."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import duckdb
import pandas as pd
import pytest

from tests.refresh.test_refresh import T0, land, make_repo
from virtualfs import FeatureStore
from virtualfs.errors import ConflictError
from virtualfs.online.keys import part_prefix, stored_parts

V1 = '''
from virtualfs import Aggregation, Entity, Feature, FeatureView, Source

customer = Entity("customer", ["customer_id"])
orders = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
spend = FeatureView(
    "spend", [customer], orders, [Feature("amount", "float64")], materialize="incremental",
    aggregations=[Aggregation("spend_{window}", "sum", "amount", "{window}")],
)
{extra}
'''
GONE = '''
gone = FeatureView("gone", [customer], orders, [Feature("items", "int64")], materialize="incremental",
                   aggregations=[Aggregation("items_30d", "sum", "items", "30d")])
'''
ROWS = [(c, T0 + timedelta(days=d), T0 + timedelta(days=d, hours=1), 10.0 * c, c) for d in range(3) for c in (1, 2)]


def write(repo, window="30d", extra=""):
    (repo / "features.py").write_text(V1.format(window=window, extra=extra))


def tables(repo) -> list[str]:
    with duckdb.connect(str(repo / "data" / "warehouse.duckdb")) as connection:
        return sorted(row[0] for row in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'virtualfs_features'").fetchall())


def make_table(repo, name):
    with duckdb.connect(str(repo / "data" / "warehouse.duckdb")) as connection:
        connection.execute("CREATE SCHEMA IF NOT EXISTS virtualfs_features")
        connection.execute(f'CREATE TABLE virtualfs_features."{name}" AS SELECT 1 AS x')


@pytest.fixture
def repo(tmp_path):
    """Version 1 applied, refreshed and materialized: spend and gone, each with kept tiles."""
    root = make_repo(tmp_path / "repo")
    write(root, extra=GONE)
    land(root, ROWS)
    make_table(root, "other__spend")  # another project's table in the same schema
    make_table(root, "shop__backup")  # a user's table, named like ours
    with FeatureStore(root) as store:
        store.apply()
        store.refresh()
    return root


def online_prefixes(store) -> dict[str, int]:
    return dict(store.online.key_prefixes(store.project))


def test_gc_removes_a_removed_views_copies_and_a_reshaped_views_old_ones(repo):
    v1_tables = tables(repo)
    assert any("__tiles_" in t and t.startswith("shop__gone") for t in v1_tables)
    write(repo, window="730d")  # gone removed; spend reshaped (28-day tiles, not 1-day)
    with FeatureStore(repo) as store:
        old_keys = online_prefixes(store)
        store.apply()
        store.refresh()  # builds spend's new tiles and writes its new shape online
        listed = store.gc(dry_run=True)
        assert set(v1_tables) <= set(tables(repo))  # a dry run removes nothing
        garbage = {t.name for t in listed.plan.tables}
        assert garbage == {t for t in v1_tables if t.startswith("shop__gone")} | \
            {t for t in v1_tables if t.startswith("shop__spend__tiles_")}
        assert {k.view for k in listed.plan.online} == {"gone", "spend"}
        assert {k.prefix for k in listed.plan.online} < set(old_keys)
        assert listed.plan.unknown_tables == ("shop__backup",)

        removed = store.gc()
        assert set(removed.removed_tables) == set(listed.plan.tables)
        assert removed.keys_removed == sum(k.keys for k in listed.plan.online)
        left = tables(repo)
        assert not garbage & set(left)
        assert {"other__spend", "shop__backup", "shop__spend"} <= set(left)
        assert any(t.startswith("shop__spend__tiles_") for t in left)  # the live shape's tiles
        remaining = online_prefixes(store)
        assert not remaining.keys() & {k.prefix for k in listed.plan.online}
        live = {part_prefix("shop", part) for part in stored_parts(store.get_feature_view("spend"))}
        assert remaining.keys() == live and all(remaining.values())  # the new shape's keys stay
        assert store.catalog.marks.of_view("gone") == {}
        assert store.gc(dry_run=True).plan.is_empty  # nothing left to find

        online = store.get_online_features([{"customer_id": 2}], ["spend:amount", "spend:spend_730d"])
        assert online.to_dict() == {"customer_id": [2], "amount": [20.0], "spend_730d": [60.0]}
        labels = pd.DataFrame({"customer_id": [1], "event_timestamp": [T0 + timedelta(days=5)]})
        frame = store.get_historical_features(labels, ["spend:spend_730d"]).to_pandas()
        assert frame["spend_730d"].tolist() == [30.0]
        assert store.refresh()[0].mode == "incremental"  # the live table's watermark survived


def test_gc_leaves_the_tables_of_a_view_whose_refresh_holds_its_lock(repo):
    write(repo)  # gone removed
    with FeatureStore(repo) as store:
        store.apply()
        store.catalog.state.acquire_lock("gone", "elsewhere:1:running", timedelta(minutes=5))
        report = store.gc()
        assert report.busy and {t.view for t in report.busy} == {"gone"}
        assert any(t.startswith("shop__gone") for t in tables(repo))
        store.catalog.state.release_lock("gone", "elsewhere:1:running")
        assert {t.view for t in store.gc().removed_tables} == {"gone"}
        assert not any(t.startswith("shop__gone") for t in tables(repo))


def test_gc_stops_when_another_apply_lands_while_it_runs(repo, monkeypatch):
    import virtualfs.gc

    write(repo)
    with FeatureStore(repo) as store:
        store.apply()
        stale = virtualfs.gc.find_garbage(store.context, store.online_context)
        write(repo, extra=GONE)  # gone comes back: its tables are live again
        store.apply()
        monkeypatch.setattr(virtualfs.gc, "find_garbage", lambda context, online: stale)
        before = tables(repo)
        with pytest.raises(ConflictError, match="run gc again"):
            store.gc()
        assert tables(repo) == before


def test_gc_refuses_a_project_with_nothing_applied(tmp_path):
    from virtualfs.errors import NotFoundError

    with FeatureStore(make_repo(tmp_path / "repo")) as store, pytest.raises(NotFoundError, match="no applied"):
        store.gc(dry_run=True)


def run(*args):
    return subprocess.run([sys.executable, "-m", "virtualfs.cli", *args], capture_output=True, text=True,
                          timeout=120)


def test_cli_apply_lists_garbage_and_gc_removes_it(repo):
    write(repo)
    applied = run("apply", "-r", str(repo))
    assert applied.returncode == 0, applied.stderr
    assert "virtualfs gc" in applied.stdout and "virtualfs_features.shop__gone" in applied.stdout
    listed = json.loads(run("gc", "-r", str(repo), "--dry-run", "--json").stdout)
    assert listed["dry_run"] and {t["view"] for t in listed["tables"]} == {"gone"}
    assert not any(t["removed"] for t in listed["tables"])
    removed = run("gc", "-r", str(repo))
    assert removed.returncode == 0 and "removed" in removed.stdout
    assert run("gc", "-r", str(repo)).stdout.strip().endswith("no garbage")
    again = json.loads(run("apply", "-r", str(repo), "--json").stdout)
    assert again["garbage"]["tables"] == [] and again["version"] is None
