"""Online reads under the access policy: the same grants and the same masks as offline."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest

from tests.access.helpers import applied_repo, opened, sha256
from virtualfs import AccessDeniedError

LATER = pd.DataFrame({"driver_id": [1, 2, 3], "event_timestamp": pd.to_datetime(["2026-06-01"] * 3)})
NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
ROWS = [{"driver_id": 1}, {"driver_id": 2}, {"driver_id": 3}]


@pytest.fixture
def materialized(duckdb_warehouse, tmp_path):
    repo = applied_repo(tmp_path / "repo", duckdb_warehouse)
    with opened(repo, duckdb_warehouse, "alice") as alice:
        alice.materialize()
    return repo


def test_online_masks_equal_offline_masks(duckdb_warehouse, materialized):
    with opened(materialized, duckdb_warehouse, "ivan") as ivan:
        online = ivan.get_online_features(ROWS, "quality_model", now=NOW).to_dict()
        offline = ivan.get_historical_features(LATER, "driver_quality:*").to_pandas()
    with opened(materialized, duckdb_warehouse, "alice") as alice:
        clear = alice.get_online_features(ROWS, ["driver_quality:phone", "driver_quality:rider_id"], now=NOW)
    assert online["phone"] == [sha256(v) for v in clear.to_dict()["phone"]] == offline["phone"].tolist()[:2] + [None]
    assert online["rider_id"] == [sha256(v) for v in clear.to_dict()["rider_id"]]
    assert online["rider_id"] == [None if pd.isna(v) else v for v in offline["rider_id"]]
    assert online["rating"] == [4.0, 3.0, None]


def test_online_refusals_name_the_grant_and_read_nothing(duckdb_warehouse, materialized):
    with opened(materialized, duckdb_warehouse, "ivan") as ivan:
        with pytest.raises(AccessDeniedError, match=r"'driver_quality:tip' online: access.roles.intern.online"):
            ivan.get_online_features(ROWS, ["driver_quality:tip"], now=NOW)
        with pytest.raises(AccessDeniedError, match="'driver_quality:tip' online"):
            ivan.online_lookup(ROWS, ["driver_quality:tip"])
    with opened(materialized, duckdb_warehouse, "gus") as gus, pytest.raises(AccessDeniedError):
        gus.get_online_features(ROWS, "quality_model", now=NOW)


def test_a_masked_response_frame_types_hashes_as_text(duckdb_warehouse, materialized):
    with opened(materialized, duckdb_warehouse, "ivan") as ivan:
        frame = ivan.get_online_features(ROWS, "quality_model", now=NOW).to_pandas()
    assert str(frame["rider_id"].dtype) == "string" and str(frame["rating"].dtype) == "float64"
