"""A refreshed table is trusted only while it is the copy its watermark describes, and rows that
become visible late (stamped before a run, committed after it) still reach tables and online."""

import subprocess
import sys
from datetime import timedelta

import duckdb
import pandas as pd
import pytest

from tests.refresh.test_refresh import T0, land, make_repo, read, refresh
from tests.repo_factory import table_watermark
from virtualfs import FeatureStore
from virtualfs.compile.feature_schema import FeatureSchema
from virtualfs.config import load_config
from virtualfs.errors import ConfigError, RequestError

TABLE = "virtualfs_features.shop__customer_orders"
STORED = "shop__customer_orders"  # how compiled SQL names the table
HOURLY = [(c, T0 + timedelta(hours=h), T0 + timedelta(hours=h, minutes=5), float(10 * h + c), h)
          for c in (1, 2) for h in range(0, 48, 3)]


def warehouse_sql(repo, statement: str) -> None:
    with duckdb.connect(str(repo / "data" / "warehouse.duckdb")) as connection:
        connection.execute(statement)


def frame(store, hours_after_t0: float, point_in_time: str = "known"):
    labels = pd.DataFrame({"customer_id": [1, 2, 3],
                           "event_timestamp": [T0 + timedelta(hours=hours_after_t0)] * 3})
    return store.get_historical_features(labels, ["customer_orders:amount"], point_in_time=point_in_time)


def source_answer(repo, hours_after_t0: float) -> list:
    """The amount a label at T0 + hours sees, straight from the source rows (known-time rule)."""
    rows = read(repo, "orders")
    at = T0 + timedelta(hours=hours_after_t0)
    answers = []
    for customer in (1, 2, 3):
        known = rows[(rows.customer_id == customer) & (rows.ordered_at <= at) & (rows.loaded_at <= at)]
        best = known.sort_values(["ordered_at", "loaded_at"]).tail(1)
        answers.append(None if best.empty else float(best.amount.iloc[0]))
    return answers


def amounts(job) -> list:
    return [None if pd.isna(v) else float(v) for v in job.to_pandas()["amount"]]


@pytest.fixture
def refreshed(tmp_path):
    repo = make_repo(tmp_path / "repo")
    land(repo, HOURLY)
    assert refresh(repo)[0].mode == "rebuild"
    with FeatureStore(repo) as store:
        assert STORED in frame(store, 20).sql  # trusted while nothing touched it
    return repo


@pytest.mark.parametrize("damage", ["DROP TABLE {t}", "DELETE FROM {t} WHERE customer_id = 2",
                                    "INSERT INTO {t} SELECT * FROM {t} LIMIT 1"])
def test_a_table_changed_out_of_band_is_not_read_and_is_rebuilt_whole(refreshed, damage):
    warehouse_sql(refreshed, damage.format(t=TABLE))
    with FeatureStore(refreshed) as store:
        job = frame(store, 20)
        assert STORED not in job.sql  # the source answers instead
        assert amounts(job) == source_answer(refreshed, 20)
    land(refreshed, [(3, T0 + timedelta(hours=50), T0 + timedelta(hours=50), 99.0, 1)])
    result = refresh(refreshed)[0]
    assert result.mode == "rebuild" and result.rows_written == len(HOURLY) + 1
    assert read(refreshed, TABLE).equals(read(refreshed, "orders"))
    with FeatureStore(refreshed) as store:
        assert STORED in frame(store, 20).sql


def test_a_moved_feature_schema_rebuilds_whole_in_the_new_schema(refreshed):
    config = refreshed / "virtualfs.yaml"
    config.write_text(config.read_text().replace(
        "path: data/warehouse.duckdb}", "path: data/warehouse.duckdb, feature_schema: moved_features}"))
    with FeatureStore(refreshed) as store:
        assert "moved_features" not in frame(store, 20).sql  # nothing refreshed there yet
    land(refreshed, [(1, T0 + timedelta(hours=50), T0 + timedelta(hours=50), 5.0, 1)])
    result = refresh(refreshed)[0]
    assert result.mode == "rebuild"  # not an incremental run writing one row into an empty table
    assert read(refreshed, "moved_features.shop__customer_orders").equals(read(refreshed, "orders"))
    with FeatureStore(refreshed) as store:
        job = frame(store, 20)
        assert "moved_features" in job.sql and amounts(job) == source_answer(refreshed, 20)


def test_a_backfill_resumes_only_into_the_table_it_wrote(tmp_path):
    repo = make_repo(tmp_path / "repo")
    land(repo, HOURLY)
    window = {"start": T0, "end": T0 + timedelta(hours=48), "chunk": timedelta(hours=12)}
    assert refresh(repo, **window)[0].windows == 4
    assert refresh(repo, **window)[0].skipped_windows == 4  # the same table: resumed past every chunk
    warehouse_sql(repo, f"DROP TABLE {TABLE}")
    again = refresh(repo, **window)[0]
    assert again.skipped_windows == 0  # the chunks it wrote are gone with the table
    assert read(repo, TABLE).equals(read(repo, "orders"))


def test_kept_tiles_changed_out_of_band_are_not_read_and_are_rebuilt(tmp_path):
    from tests.refresh.test_kept_tiles_reads import FEATURES, make_spend_repo
    from virtualfs.compile.aggregate.kept_tiles import plan_kept_tiles

    repo = make_spend_repo(tmp_path / "repo")
    land(repo, [(c, T0 + timedelta(hours=h), T0 + timedelta(hours=h + 1), float(h % 11), 1)
                for c in (1, 2) for h in range(0, 24 * 40, 5)])
    labels = pd.DataFrame({"customer_id": [1, 2], "event_timestamp": [T0 + timedelta(days=30)] * 2})
    with FeatureStore(repo) as store:
        store.apply()
        store.refresh()
        tiles = plan_kept_tiles(store.get_feature_view("spend"), store.copies.schema)[0]
        expected = store.get_historical_features(labels, FEATURES).to_pandas()
        assert tiles.name in store.get_historical_features(labels, FEATURES).sql
    warehouse_sql(repo, f"DELETE FROM {tiles.table} WHERE _vfs_tile % 2 = 0")
    with FeatureStore(repo) as store:
        job = store.get_historical_features(labels, FEATURES)
        assert tiles.name not in job.sql
        pd.testing.assert_frame_equal(job.to_pandas(), expected)
        store.refresh()
        job = store.get_historical_features(labels, FEATURES)
        assert tiles.name in job.sql
        pd.testing.assert_frame_equal(job.to_pandas(), expected)


def test_a_row_committed_after_the_refresh_that_passed_its_landing_time_is_picked_up(tmp_path):
    """A loader stamps ``loaded_at`` when it extracts and commits minutes later: the row's
    landing time is already behind the watermark when it becomes visible."""
    repo = make_repo(tmp_path / "repo")
    land(repo, HOURLY)
    refresh(repo)
    with FeatureStore(repo) as store:
        watermark = table_watermark(store, "customer_orders").replace(tzinfo=None)
    stamped = watermark - timedelta(minutes=20)  # within the default lookback of an hour
    land(repo, [(1, stamped - timedelta(minutes=1), stamped, 999.0, 1)])
    refresh(repo)
    assert read(repo, TABLE).equals(read(repo, "orders"))
    hours = (stamped - T0).total_seconds() / 3600 + 0.1
    with FeatureStore(repo) as store:
        job = frame(store, hours - 1.5)  # a label well before the watermark reads the table
        assert STORED in job.sql and amounts(job) == source_answer(repo, hours - 1.5)


def test_labels_within_the_lookback_of_the_watermark_read_the_source(refreshed):
    """The table is vouched for up to its watermark less the lookback: a row stamped inside that
    span may still be on its way."""
    with FeatureStore(refreshed) as store:
        watermark = table_watermark(store, "customer_orders")
        lookback = store.get_feature_view("customer_orders").effective_lookback
        hours = (watermark.replace(tzinfo=None) - T0).total_seconds() / 3600
    # a row stamped 30 minutes before the watermark that was not visible at the refresh
    land(refreshed, [(2, T0 + timedelta(hours=hours - 0.6), T0 + timedelta(hours=hours - 0.5), 999.0, 1)])
    with FeatureStore(refreshed) as store:
        late_label = frame(store, hours - 0.25)
        assert STORED not in late_label.sql and 999.0 in amounts(late_label)
        early = hours - lookback.total_seconds() / 3600
        assert STORED in frame(store, early).sql


def test_materialize_picks_up_a_row_visible_only_after_the_watermark_passed_it(tmp_path):
    repo = make_repo(tmp_path / "repo")
    land(repo, HOURLY)
    end = T0 + timedelta(hours=60)
    with FeatureStore(repo) as store:
        store.apply()
        store.materialize(end=end)
    # landed (stamped) 15 minutes before the last run's end, visible only now
    land(repo, [(1, end - timedelta(minutes=16), end - timedelta(minutes=15), 999.0, 1)])
    with FeatureStore(repo) as store:
        store.materialize(end=end + timedelta(hours=1))
        response = store.get_online_features([{"customer_id": 1}], ["customer_orders:amount"],
                                             now=end + timedelta(hours=1))
        assert response.to_dict()["amount"] == [999.0]


def test_another_online_store_starts_over(tmp_path):
    repo = make_repo(tmp_path / "repo")
    land(repo, HOURLY)
    with FeatureStore(repo) as store:
        store.apply()
        assert store.materialize(end=T0 + timedelta(days=3))[0].start is None
        assert store.materialize(end=T0 + timedelta(days=4))[0].start is not None
    config = repo / "virtualfs.yaml"
    config.write_text(config.read_text().replace(".virtualfs/online.db", ".virtualfs/other.db"))
    with FeatureStore(repo) as store:
        assert store.materialize(end=T0 + timedelta(days=4))[0].start is None
        response = store.get_online_features([{"customer_id": 1}, {"customer_id": 2}],
                                             ["customer_orders:amount"], now=T0 + timedelta(days=4))
        assert response.to_dict()["amount"] == [451.0, 452.0]


HOSTILE_SCHEMAS = ["main.canary --", 'x"; --', "a.b.c", "1st", "", "main.canary; DROP TABLE canary",
                   "schema name", "sch`ema", "ok.", ".ok", "x" * 129, 42]


@pytest.mark.parametrize("hostile", HOSTILE_SCHEMAS)
def test_a_hostile_feature_schema_is_refused_and_the_users_table_survives(tmp_path, hostile):
    repo = make_repo(tmp_path / "repo")
    land(repo, HOURLY)
    warehouse_sql(repo, "CREATE TABLE canary AS SELECT 1 AS alive")
    config = repo / "virtualfs.yaml"
    value = hostile if isinstance(hostile, int) else "'" + hostile.replace("'", "''") + "'"
    config.write_text(config.read_text().replace(
        "path: data/warehouse.duckdb}", f"path: data/warehouse.duckdb, feature_schema: {value}}}"))
    with pytest.raises(ConfigError, match="feature_schema: expected a schema name") as caught:
        load_config(repo)
    assert "\n" not in str(caught.value)
    with pytest.raises(RequestError, match="feature schema"):
        FeatureSchema.of(hostile, "shop")
    outcome = subprocess.run([sys.executable, "-m", "virtualfs.cli", "refresh", "-r", str(repo)],
                             capture_output=True, text=True, timeout=120)
    assert outcome.returncode == 1 and "feature_schema" in outcome.stderr
    assert len(outcome.stderr.strip().splitlines()) == 1
    assert read(repo, "canary", ["alive"])["alive"].tolist() == [1]
