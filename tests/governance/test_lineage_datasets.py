"""Lineage goes down to the saved datasets that hold a feature (and stops at deleted ones)."""

from __future__ import annotations

import pandas as pd

from tests.repo_factory import write_repo
from virtualfs import FeatureStore


def test_lineage_down_reaches_the_datasets_that_hold_a_feature(tmp_path):
    repo = write_repo(tmp_path / "repo")
    labels = pd.DataFrame({"customer_id": [1], "event_timestamp": pd.to_datetime(["2026-01-05"])})
    with FeatureStore(repo) as store:
        store.apply()
        store.get_historical_features(labels, ["customer_orders:amount"]).save("amounts")
        store.get_historical_features(labels, ["customer_orders:items"]).save("items_only")
        down = store.lineage("customer_orders:amount", direction="down").downstream
        assert "dataset/amounts" in down and "dataset/items_only" not in down
        store.delete_dataset("amounts")
        assert "dataset/amounts" not in store.lineage("customer_orders:amount", direction="down").downstream
