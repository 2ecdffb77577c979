"""Training frames read a refreshed table when it is fresh, and give the same frame as the source."""

from datetime import timedelta, timezone

import pandas as pd

from tests.refresh.test_refresh import T0, VIEW, land, make_repo, read
from tests.repo_factory import table_watermark
from virtualfs import FeatureStore
from virtualfs.retrieval import get_historical_features

TABLE = "shop__customer_orders"


def test_reads_via_the_table_equal_virtual_reads(tmp_path):
    repo = make_repo(tmp_path / "repo")
    land(repo, [(c, T0 + timedelta(hours=h), T0 + timedelta(hours=h, minutes=late), float(h), c)
                for c in (1, 2, 3) for h in range(0, 48, 5) for late in (0, 90)])
    labels = pd.DataFrame({"customer_id": [1, 2, 3, 3, 4],
                           "event_timestamp": [T0 + timedelta(hours=h) for h in (3, 20, 26, 26, 40)]})
    with FeatureStore(repo) as store:
        store.apply()
        before = store.get_historical_features(labels, ["customer_orders:*"])
        assert TABLE not in before.sql  # nothing refreshed yet: the source is read
        store.refresh()
        via_table = store.get_historical_features(labels, ["customer_orders:*"])
        assert TABLE in via_table.sql
        virtual = get_historical_features(store.warehouse, store.registry(), labels, ["customer_orders:*"])
        assert TABLE not in virtual.sql
        expected = virtual.to_pandas()
        assert via_table.to_pandas().equals(expected)
        assert before.to_pandas().equals(expected)
        later = labels.assign(event_timestamp=T0 + timedelta(days=30))
        assert TABLE not in store.get_historical_features(later, ["customer_orders:*"]).sql  # not fresh


def test_a_changed_definition_is_not_read_from_its_old_table(tmp_path):
    """After apply changes what a view computes, its refreshed table (built by the old definition)
    is not read, and the next refresh rebuilds it in the new shape."""
    repo = make_repo(tmp_path / "repo")
    land(repo, [(c, T0 + timedelta(hours=h), T0 + timedelta(hours=h, minutes=5), float(h), h)
                for c in (1, 2) for h in range(0, 30, 4)])
    labels = pd.DataFrame({"customer_id": [1, 2], "event_timestamp": [T0 + timedelta(hours=25)] * 2})
    with FeatureStore(repo) as store:
        store.apply()
        store.refresh()
        assert table_watermark(store, "customer_orders") is not None
        assert TABLE in store.get_historical_features(labels, ["customer_orders:*"]).sql
    # the view now keeps only large orders: a data change
    changed = VIEW.format(materialize="incremental", created='created="loaded_at"', extra="").replace(
        'Source("orders", table="orders"',
        'Source("orders", query="SELECT * FROM orders WHERE amount >= 12"')
    (repo / "features.py").write_text(changed)
    with FeatureStore(repo) as store:
        store.apply()
        assert store.catalog.marks.of_view("customer_orders") == {}  # table and online, dropped
        job = store.get_historical_features(labels, ["customer_orders:*"])
        assert TABLE not in job.sql
        assert job.to_pandas()["amount"].tolist() == [24.0, 24.0]
        early = labels.assign(event_timestamp=T0 + timedelta(hours=9))
        assert store.get_historical_features(early, ["customer_orders:*"]).to_pandas()["amount"].isna().all()
        assert store.refresh()[0].mode == "rebuild"
        assert TABLE in store.get_historical_features(early, ["customer_orders:*"]).sql
        assert store.get_historical_features(early, ["customer_orders:*"]).to_pandas()["amount"].isna().all()
    stored = read(repo, "virtualfs_features.shop__customer_orders")
    assert stored["amount"].min() >= 12


def test_a_metadata_change_keeps_the_table_readable(tmp_path):
    repo = make_repo(tmp_path / "repo")
    land(repo, [(1, T0, T0 + timedelta(minutes=5), 1.0, 1)])
    with FeatureStore(repo) as store:
        store.apply()
        store.refresh()
    described = VIEW.format(materialize="incremental", created='created="loaded_at"',
                            extra='description="orders per customer",')
    (repo / "features.py").write_text(described)
    with FeatureStore(repo) as store:
        assert store.apply().version is not None  # a metadata-only change was applied
        assert table_watermark(store, "customer_orders") is not None


def test_tables_are_read_only_under_the_known_time_rule_with_a_created_time(tmp_path):
    """A row that lands after the refresh with an earlier event time counts under the event rule
    (and a source without a created time cannot tell when rows landed): the source is read."""
    repo = make_repo(tmp_path / "repo")
    # the second customer's row moves the watermark past the label time
    land(repo, [(1, T0, T0 + timedelta(minutes=5), 1.0, 1),
                (2, T0 + timedelta(hours=3), T0 + timedelta(hours=3), 2.0, 1)])
    labels = pd.DataFrame({"customer_id": [1], "event_timestamp": [T0 + timedelta(hours=2)]})
    with FeatureStore(repo) as store:
        store.apply()
        store.refresh()
    # lands after the refresh, happened before the label: seen by the event rule only
    land(repo, [(1, T0 + timedelta(hours=1), T0 + timedelta(days=1), 7.0, 1)])
    with FeatureStore(repo) as store:
        watermark = table_watermark(store, "customer_orders")
        assert watermark == (T0 + timedelta(hours=3)).replace(tzinfo=timezone.utc)
        known = store.get_historical_features(labels, ["customer_orders:amount"])
        assert TABLE in known.sql and known.to_pandas()["amount"].tolist() == [1.0]
        event = store.get_historical_features(labels, ["customer_orders:amount"], point_in_time="event")
        assert TABLE not in event.sql and event.to_pandas()["amount"].tolist() == [7.0]
    plain = make_repo(tmp_path / "plain", created=False)
    land(plain, [(1, T0, T0, 1.0, 1), (2, T0 + timedelta(hours=3), T0, 2.0, 1)])
    with FeatureStore(plain) as store:
        store.apply()
        store.refresh()
        assert TABLE not in store.get_historical_features(labels, ["customer_orders:amount"]).sql
