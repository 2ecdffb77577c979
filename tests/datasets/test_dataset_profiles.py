"""A saved dataset's feature statistics: kept in its manifest when saved, computed again by
``Dataset.profile()`` / ``profile`` by name, over its rows (one per label, nulls counted)."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from tests.datasets.helpers import T0, at, orders_view, project, spend_view
from virtualfs.datasets import get_dataset
from virtualfs.datasets.profile import profile_of
from virtualfs.profiles import compare_profiles

ROWS = [(1, at(1), at(1.1), 1.25, 1), (1, at(3), at(3.5), 3.5, 2), (2, at(2), at(2), 7.125, 3)]
LABELS = pd.DataFrame({"customer_id": [1, 2, 1, 3], "event_timestamp": [T0 + timedelta(days=d) for d in (4, 3, 2, 4)]})


def test_a_saved_dataset_keeps_and_gives_its_feature_statistics(warehouse, tmp_path):
    with project(warehouse, tmp_path, ROWS) as p:
        p.apply(orders_view(p.orders), spend_view(p.orders))
        job = p.frame(LABELS, ["orders:amount", "spend:count_amount"])
        frame = job.to_pandas()
        saved = job.save("train")
        kept = {f["feature"]: f for f in get_dataset(p.context, "train").manifest["statistics"]["profile"]["features"]}
        fresh = saved.profile().to_pandas().set_index("feature")
        by_name = profile_of(p.context, p.context.catalog.registry(), "train").to_pandas().set_index("feature")
        windowed = profile_of(p.context, p.context.catalog.registry(), "dataset:train", T0 + timedelta(days=3),
                              T0 + timedelta(days=5)).to_pandas().set_index("feature")
        drift = compare_profiles(warehouse, p.context.catalog.registry(), saved.profile(), saved.profile())
    amounts = frame["amount"]
    # over the dataset's rows, one per label (not over the source rows): nulls counted, entity columns left out
    assert set(kept) == {"amount", "count_amount"}
    assert kept["amount"]["count"] == amounts.notna().sum() == 3 and kept["amount"]["null_fraction"] == 0.25
    assert kept["amount"]["mean"] == pytest.approx(amounts.mean())
    assert fresh.loc["amount", "max"] == amounts.max() and by_name.loc["amount", "count"] == 3
    assert fresh.loc["count_amount", "min"] == frame["count_amount"].min()
    assert windowed.loc["amount", "rows"] == 3  # labels at days 3 and 4 only
    assert not any(f.flags for f in drift.features)
