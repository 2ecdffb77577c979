"""Saved datasets under the access policy: saving, deleting and recreating need the ``datasets``
grant, reading one needs the offline grant of each of its features and masks PII in the SQL for
a masked principal, exactly as a training frame does."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.access.helpers import ACCESS, LABELS, applied_repo, opened, sha256
from virtualfs import AccessDeniedError

# alice (analyst) may also save datasets; nobody else may
WITH_DATASETS = ACCESS.replace("apply: true, refresh: true}", "apply: true, refresh: true, datasets: true}")


def values(series: pd.Series) -> list:
    return [None if pd.isna(value) else value for value in series]


def test_a_dataset_is_saved_with_the_grant_and_read_masked_by_a_masked_principal(warehouse, tmp_path):
    assert WITH_DATASETS != ACCESS
    repo = applied_repo(tmp_path / "repo", warehouse, access=WITH_DATASETS)
    with opened(repo, warehouse, "alice") as alice:
        alice.get_historical_features(LABELS, "driver_quality:*").save("quality_v1")
        clear = alice.get_dataset("quality_v1").to_pandas()
    assert "+1 555 0111" in values(clear["phone"])
    with opened(repo, warehouse, "ivan") as ivan:
        masked = ivan.get_dataset("quality_v1").to_pandas()
    assert list(masked.columns) == list(clear.columns)
    assert values(masked["phone"]) == [sha256(v) for v in values(clear["phone"])]
    assert values(masked["rider_id"]) == [sha256(v) for v in values(clear["rider_id"])]
    assert masked["tip"].isna().all() and clear["tip"].notna().any()
    pd.testing.assert_series_equal(masked["rating"], clear["rating"])
    assert "+1 555" not in masked.to_string()


def test_without_the_datasets_grant_nothing_is_saved_deleted_or_recreated(warehouse, tmp_path):
    repo = applied_repo(tmp_path / "repo", warehouse, access=WITH_DATASETS)
    with opened(repo, warehouse, "alice") as alice:
        alice.get_historical_features(LABELS, ["driver_quality:rating"]).save("ratings")
    with opened(repo, warehouse, "ivan") as ivan:
        job = ivan.get_historical_features(LABELS, ["driver_quality:rating"])
        before = ivan.warehouse.statements
        for change in (lambda: job.save("mine"), lambda: ivan.delete_dataset("ratings"),
                       lambda: ivan.recreate_dataset("ratings")):
            with pytest.raises(AccessDeniedError, match="access.roles.intern.datasets is not true"):
                change()
        assert ivan.warehouse.statements == before
        assert [d.name for d in ivan.list_datasets()] == ["ratings"]


def test_a_principal_without_the_read_grant_cannot_read_a_dataset(warehouse, tmp_path):
    repo = applied_repo(tmp_path / "repo", warehouse, access=WITH_DATASETS)
    with opened(repo, warehouse, "alice") as alice:
        alice.get_historical_features(LABELS, "driver_quality:*").save("quality_v1")
    with opened(repo, warehouse, "gus") as gus:
        with pytest.raises(AccessDeniedError, match="may not read feature 'driver_quality:phone'"):
            gus.get_dataset("quality_v1").to_pandas()
        with pytest.raises(AccessDeniedError, match="driver_quality:phone"):
            gus.profile("dataset:quality_v1")
