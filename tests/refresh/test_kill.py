"""A refresh killed (SIGKILL) at any point leaves no partial rows and a truthful watermark."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import timedelta

import duckdb
import pandas as pd
import pytest

from tests.refresh.test_refresh import T0, land, make_repo, read, refresh
from tests.repo_factory import table_watermark
from virtualfs import CheckFailedError, FeatureStore
from virtualfs.refresh.runner import KILL_POINT_VARIABLE

TABLE = "virtualfs_features.shop__customer_orders"
# a check the rows of these tests pass; "during_checks" is reached only by a view with checks
PASSING_CHECK = 'checks=[Check("amount", between=(0, 1000))]'


def refresh_killed_at(repo, point):
    env = {**os.environ, KILL_POINT_VARIABLE: point}
    result = subprocess.run([sys.executable, "-m", "virtualfs.cli", "refresh", "-r", str(repo)],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr


@pytest.mark.parametrize("point", ["after_staging", "during_checks", "after_swap", "before_watermark"])
def test_refresh_killed_midway_is_all_or_nothing(tmp_path, point):
    repo = make_repo(tmp_path / "repo", extra=PASSING_CHECK if point == "during_checks" else "")
    first = [(1, T0, T0 + timedelta(hours=1), 1.0, 1), (2, T0, T0 + timedelta(hours=2), 2.0, 2)]
    land(repo, first)
    refresh(repo)
    before = read(repo, TABLE)
    land(repo, [(3, T0 - timedelta(days=3), T0 + timedelta(hours=5), 3.0, 3)])

    refresh_killed_at(repo, point)

    after_kill = read(repo, TABLE)
    with FeatureStore(repo) as store:
        watermark = table_watermark(store, "customer_orders")
        statuses = [run.status for run in store.catalog.state.runs("customer_orders")]
    # The table holds the old rows or all the new ones, never a part.
    assert after_kill.equals(before) or after_kill.equals(read(repo, "orders"))
    # The watermark never claims rows that are not in the table.
    assert watermark == T0.replace(tzinfo=watermark.tzinfo) + timedelta(hours=2)
    assert statuses[0] == "running"  # the killed run is recorded as never finished
    # The dead process still holds the lock; the next run sees its holder is gone and takes over.
    with FeatureStore(repo) as store:
        assert store.catalog.state.lock_holder("customer_orders") is not None
    refresh(repo)
    assert read(repo, TABLE).equals(read(repo, "orders"))
    # ... and records the killed run as abandoned, saying when and by whom; `virtualfs runs` shows it.
    shown = subprocess.run([sys.executable, "-m", "virtualfs.cli", "runs", "-r", str(repo), "--json"],
                           capture_output=True, text=True, timeout=120, check=True)
    runs = json.loads(shown.stdout)
    assert [run["status"] for run in runs] == ["success", "abandoned", *statuses[1:]]
    assert runs[1]["error"].startswith("abandoned at ") and " died" in runs[1]["error"]


@pytest.mark.parametrize("point", ["after_staging", "after_swap", "before_watermark"])
def test_refresh_of_a_dropped_table_killed_midway_is_never_read_and_the_rerun_rebuilds(tmp_path, point):
    repo = make_repo(tmp_path / "repo")
    land(repo, [(c, T0 + timedelta(hours=h), T0 + timedelta(hours=h, minutes=1), float(h), h)
                for c in (1, 2) for h in range(0, 30, 3)])
    refresh(repo)
    with duckdb.connect(str(repo / "data" / "warehouse.duckdb")) as connection:
        connection.execute(f"DROP TABLE {TABLE}")
    # a late-committed row: stamped before the watermark, visible only now
    land(repo, [(1, T0 + timedelta(hours=26), T0 + timedelta(hours=26, minutes=30), 99.0, 1)])

    refresh_killed_at(repo, point)

    labels = pd.DataFrame({"customer_id": [1, 2], "event_timestamp": [T0 + timedelta(hours=27)] * 2})
    with FeatureStore(repo) as store:
        job = store.get_historical_features(labels, ["customer_orders:amount"])
        # whatever the kill left behind, the frame is the source's answer
        assert "shop__customer_orders" not in job.sql
        assert job.to_pandas()["amount"].tolist() == [99.0, 24.0]
    assert refresh(repo)[0].mode == "rebuild"
    assert read(repo, TABLE).equals(read(repo, "orders"))


def published(repo) -> dict:
    """Everything a refresh publishes, exactly: every table of the feature schema with its rows
    (the view's table and its tiles tables), the view's watermark records, every row of the
    online store's file."""
    with duckdb.connect(str(repo / "data" / "warehouse.duckdb")) as connection:
        names = [row[0] for row in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'virtualfs_features' "
            "ORDER BY table_name").fetchall()]
        tables = {name: connection.execute(f'SELECT * FROM virtualfs_features."{name}" ORDER BY ALL').fetchall()
                  for name in names}
    with sqlite3.connect(repo / ".virtualfs" / "online.db") as connection:
        online = connection.execute('SELECT * FROM "_vfs_online" ORDER BY 1').fetchall()
    with FeatureStore(repo) as store:
        marks = store.catalog.marks.of_view("customer_orders")
    return {"tables": tables, "marks": marks, "online": online}


def test_a_failing_check_killed_midway_and_rerun_publishes_nothing(tmp_path):
    spend = 'aggregations=[Aggregation("spend_30d", "sum", "amount", "30d")], checks=[Check("amount", not_null=1.0)]'
    repo = make_repo(tmp_path / "repo", extra=spend)
    land(repo, [(c, T0 + timedelta(days=d), T0 + timedelta(days=d, hours=1), float(d), 1)
                for c in (1, 2) for d in range(3)])
    refresh(repo)
    before = published(repo)
    assert any("__tiles_" in name for name in before["tables"]) and before["online"]
    land(repo, [(3, T0 + timedelta(days=5), T0 + timedelta(days=5, hours=1), None, 1)])

    refresh_killed_at(repo, "during_checks")

    after_kill = published(repo)
    # a killed run's staging table is private (never read; the next run replaces or drops it)
    for name in [name for name in after_kill["tables"] if name.startswith("_vfs_stage_")]:
        del after_kill["tables"][name]
    assert after_kill == before
    with FeatureStore(repo) as store:
        [killed, _] = store.catalog.state.runs("customer_orders")
        assert killed.status == "running" and store.catalog.checks.of_runs([killed.run_id]) == {}
    # the rerun takes over the dead holder's lock, checks the same rows and refuses them
    with pytest.raises(CheckFailedError, match="check 'amount_not_null' failed: 0.666667 of 3 rows not null"):
        refresh(repo)
    assert published(repo) == before  # the failed run dropped its staging table
    with FeatureStore(repo) as store:
        assert [run.status for run in store.catalog.state.runs("customer_orders")] == \
            ["failed", "abandoned", "success"]
