"""Training frames read a refreshed table when it is fresh, and give the same frame as the source."""

from datetime import timedelta

import pandas as pd

from tests.refresh.test_refresh import T0, land, make_repo
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
