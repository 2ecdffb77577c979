"""Refreshes on DuckDB: incremental equals a rebuild, reruns are idempotent, locks hold."""

from datetime import datetime, timedelta, timezone

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.repo_factory import write_repo
from virtualfs import FeatureStore
from virtualfs.catalog.state import LockHeldError

VIEW = '''
from virtualfs import Aggregation, Check, Entity, Feature, FeatureView, Source

customer = Entity("customer", ["customer_id"])
orders = Source("orders", table="orders", timestamp="ordered_at", {created})
customer_orders = FeatureView(
    "customer_orders", [customer], orders,
    [Feature("amount", "float64"), Feature("items", "int64")],
    materialize="{materialize}", {extra}
)
'''
T0 = datetime(2026, 1, 1)
COLUMNS = ["customer_id", "ordered_at", "loaded_at", "amount", "items"]


def make_repo(root, materialize="incremental", created=True, extra=""):
    text = VIEW.format(materialize=materialize, extra=extra,
                       created='created="loaded_at"' if created else "")
    repo = write_repo(root, definitions=text)
    with duckdb.connect(str(repo / "data" / "warehouse.duckdb")) as connection:
        connection.execute("DELETE FROM orders")
    return repo


def land(repo, rows):
    """Rows arrive in the warehouse (as a loader would append them)."""
    frame = pd.DataFrame(rows, columns=COLUMNS)
    with duckdb.connect(str(repo / "data" / "warehouse.duckdb")) as connection:
        connection.register("incoming", frame)
        connection.execute("INSERT INTO orders SELECT customer_id, ordered_at, loaded_at, amount, items FROM incoming")


def read(repo, table, columns=COLUMNS):
    with duckdb.connect(str(repo / "data" / "warehouse.duckdb")) as connection:
        frame = connection.execute(f"SELECT {', '.join(columns)} FROM {table}").df()
    return frame.sort_values(columns, na_position="first").reset_index(drop=True)


def refresh(repo, **options):
    with FeatureStore(repo) as store:
        if store.registry().version is None:
            store.apply()
        return store.refresh(**options)


batch_rows = st.lists(
    st.tuples(
        st.integers(1, 4),                         # customer
        st.integers(0, 60),                        # minutes into the batch's hour it landed
        st.integers(0, 24 * 40),                   # hours between event and landing (late rows)
        st.one_of(st.none(), st.floats(0, 100, allow_nan=False)),
        st.integers(0, 5),
    ),
    max_size=8,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(batch_rows, min_size=1, max_size=4), duplicate=st.booleans())
def test_incremental_refreshes_equal_a_full_rebuild(tmp_path_factory, batches, duplicate):
    repo = make_repo(tmp_path_factory.mktemp("repo"))
    refreshed_at = T0 + timedelta(days=30)
    for number, batch in enumerate(batches):
        # Rows land during the hour after the previous refresh (a landing time never goes back:
        # it is when the warehouse received the row); their events may be weeks older.
        rows = []
        for c, minute, late_hours, a, i in batch:
            landed = refreshed_at + timedelta(minutes=minute)
            rows.append((c, landed - timedelta(hours=late_hours), landed, a, i))
        refreshed_at += timedelta(hours=1)
        if duplicate and rows:
            rows.append(rows[0])
        land(repo, rows)
        refresh(repo)
        if number == 0:
            refresh(repo)  # a rerun changes nothing
    expected = read(repo, "orders")  # the reference: every source row, once
    assert read(repo, "virtualfs_features.shop__customer_orders").equals(expected)


def test_rerun_is_idempotent_and_watermark_follows_landing_time(tmp_path):
    repo = make_repo(tmp_path / "repo")
    land(repo, [(1, T0, T0 + timedelta(hours=1), 5.0, 1), (2, T0, T0 + timedelta(hours=3), 6.0, 2)])
    first = refresh(repo)[0]
    assert (first.mode, first.rows_written) == ("rebuild", 2)  # no watermark yet: built whole
    assert first.watermark == datetime(2026, 1, 1, 3, tzinfo=timezone.utc)
    refresh(repo)
    # A late row: its event is old, but it landed after the watermark, so it is picked up.
    land(repo, [(1, T0 - timedelta(days=5), T0 + timedelta(hours=4), 7.0, 3)])
    third = refresh(repo)[0]
    assert third.rows_written == 1  # the late one (rows re-read within the lookback are not new)
    assert read(repo, "virtualfs_features.shop__customer_orders").equals(read(repo, "orders"))


def test_table_materialization_rebuilds_each_time(tmp_path):
    repo = make_repo(tmp_path / "repo", materialize="table")
    land(repo, [(1, T0, T0, 1.0, 1)])
    refresh(repo)
    with duckdb.connect(str(repo / "data" / "warehouse.duckdb")) as connection:
        connection.execute("DELETE FROM orders")
    land(repo, [(2, T0, T0, 2.0, 2)])
    assert refresh(repo)[0].mode == "rebuild"
    assert read(repo, "virtualfs_features.shop__customer_orders").equals(read(repo, "orders"))


def test_source_without_created_time_uses_lookback(tmp_path):
    repo = make_repo(tmp_path / "repo", created=False, extra='lookback="2h"')
    land(repo, [(1, T0, T0, 1.0, 1), (1, T0 + timedelta(hours=5), T0, 2.0, 1)])
    refresh(repo)
    # A straggler within the lookback of the last event time is caught; one before it is not.
    land(repo, [(2, T0 + timedelta(hours=4), T0, 3.0, 1), (3, T0 + timedelta(hours=1), T0, 4.0, 1)])
    refresh(repo)
    stored = read(repo, "virtualfs_features.shop__customer_orders", ["customer_id"])
    assert sorted(stored.customer_id) == [1, 1, 2]


def test_backfill_runs_in_chunks_and_resumes(tmp_path):
    repo = make_repo(tmp_path / "repo")
    land(repo, [(c, T0, T0 + timedelta(days=d), 1.0, 1) for d in range(6) for c in (1, 2)])
    seen = []
    with FeatureStore(repo) as store:
        store.apply()
        result = store.refresh(start=T0, end=T0 + timedelta(days=6), chunk=timedelta(days=2),
                               progress=lambda view, done, total: seen.append((done, total)))[0]
    assert (result.mode, result.windows, result.rows_written) == ("backfill", 3, 12)
    assert seen == [(1, 3), (2, 3), (3, 3)]
    again = refresh(repo, start=T0, end=T0 + timedelta(days=6), chunk=timedelta(days=2))[0]
    assert (again.skipped_windows, again.rows_written) == (3, 0)
    assert read(repo, "virtualfs_features.shop__customer_orders").equals(read(repo, "orders"))


def test_a_second_refresh_of_the_same_view_fails_clearly_while_locked(tmp_path):
    repo = make_repo(tmp_path / "repo")
    land(repo, [(1, T0, T0, 1.0, 1)])
    with FeatureStore(repo) as store:
        store.apply()
        assert store.catalog.state.acquire_lock("customer_orders", "someone-else", timedelta(minutes=5))
        with pytest.raises(LockHeldError, match="'customer_orders' is being refreshed"):
            store.refresh()
        store.catalog.state.release_lock("customer_orders", "someone-else")
        assert store.refresh()[0].rows_written == 1


def test_due_follows_the_schedule(tmp_path):
    repo = make_repo(tmp_path / "repo", extra='schedule="0 * * * *"')
    land(repo, [(1, T0, T0, 1.0, 1)])
    with FeatureStore(repo) as store:
        store.apply()
        now = datetime.now(timezone.utc)
        assert [r.view for r in store.refresh(due=True, now=now)] == ["customer_orders"]  # never ran
        assert store.refresh(due=True, now=now) == []  # ran after the last fire time
        next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1, seconds=1)
        assert [r.view for r in store.refresh(due=True, now=next_hour)] == ["customer_orders"]


def test_an_incremental_refresh_with_no_new_data_writes_nothing(tmp_path):
    repo = make_repo(tmp_path / "repo")
    land(repo, [(1, T0, T0 + timedelta(minutes=m), 1.0, 1) for m in range(0, 50, 10)])
    assert refresh(repo)[0].rows_written == 5
    again = refresh(repo)[0]
    assert (again.mode, again.rows_written) == ("incremental", 0)  # it re-read the lookback, added none
    with FeatureStore(repo) as store:
        assert store.catalog.state.runs("customer_orders")[0].rows_written == 0
