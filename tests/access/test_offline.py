"""Training frames and profiles under the access policy, on every warehouse: PII masked in the
compiled SQL for a masked role (compared with an unmasked read), refusals before any SQL runs."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.access.helpers import CLEAR, LABELS, applied_repo, opened, sha256
from virtualfs import AccessDeniedError


def values(series: pd.Series) -> list:
    return [None if pd.isna(value) else value for value in series]


def test_a_masked_frame_hashes_strings_and_keys_nulls_numbers_and_keeps_the_rest(warehouse, tmp_path):
    repo = applied_repo(tmp_path / "repo", warehouse)
    with opened(repo, warehouse, "alice") as alice:
        clear = alice.get_historical_features(LABELS, "driver_quality:*").to_pandas()
    with opened(repo, warehouse, "ivan") as ivan:
        job = ivan.get_historical_features(LABELS, "driver_quality:*")
        masked = job.to_pandas()
    assert list(masked.columns) == list(clear.columns)
    for name in ("driver_id", "event_timestamp", *CLEAR):
        pd.testing.assert_series_equal(masked[name], clear[name])
    assert values(clear["phone"])[:2] == ["+1 555 0111", "+1 555 0202"]  # the clear read has values to hide
    assert values(masked["phone"]) == [sha256(v) for v in values(clear["phone"])]
    assert values(masked["rider_id"]) == [sha256(v) for v in values(clear["rider_id"])]
    assert sha256(78) in values(masked["rider_id"])  # an integer key hashes as its decimal text
    assert clear["tip"].notna().any() and clear["tips_7d"].notna().any()
    assert masked["tip"].isna().all() and masked["tips_7d"].isna().all()
    assert "+1 555" not in masked.to_string()


def test_the_mask_is_in_the_sql_the_warehouse_runs(warehouse, tmp_path):
    repo = applied_repo(tmp_path / "repo", warehouse)
    with opened(repo, warehouse, "ivan") as ivan:
        sql = ivan.get_historical_features(LABELS, ["driver_quality:phone", "driver_quality:tip"]).sql
    with opened(repo, warehouse, "alice") as alice:
        unmasked = alice.get_historical_features(LABELS, ["driver_quality:phone", "driver_quality:tip"]).sql
    assert "SHA" in sql.upper() and "SHA" not in unmasked.upper()
    assert "CAST(NULL AS" in sql.upper()


@pytest.mark.parametrize(("principal", "features", "message"), [
    ("gus", "driver_quality:*", r"principal 'gus' \(role 'guest'\) may not read feature 'driver_quality:phone' "
                                r"offline: access.roles.guest.offline names neither"),
    ("gus", "quality_model", "may not read feature 'driver_quality:phone' offline"),
    ("dora", "quality_model", r"may not read PII feature 'driver_quality:phone': access.roles.auditor.pii is denied"),
    ("ivan", ["driver_quality:rating", "no_view:x"], "unknown feature view 'no_view'"),
    (None, "quality_model", "no principal: .*VIRTUALFS_PRINCIPAL"),
    ("mallory", "quality_model", "principal 'mallory' is not in access.principals"),
])
def test_a_refused_read_runs_no_sql(warehouse, tmp_path, principal, features, message):
    repo = applied_repo(tmp_path / "repo", warehouse)
    with opened(repo, warehouse, principal) as store:
        with pytest.raises((AccessDeniedError, KeyError), match=message):
            store.get_historical_features(LABELS, features)
        assert store.warehouse.statements == 0


def test_what_a_role_may_read_it_reads(warehouse, tmp_path):
    repo = applied_repo(tmp_path / "repo", warehouse)
    with opened(repo, warehouse, "gus") as gus:
        frame = gus.get_historical_features(LABELS, ["driver_quality:rating"]).to_pandas()
    with opened(repo, warehouse, "dora") as dora:
        rating = dora.get_historical_features(LABELS, ["driver_quality:rating"]).to_pandas()
    assert values(frame["rating"]) == values(rating["rating"]) == [4.0, 3.0, None, None, 4.5]


def test_profiles_are_refused_what_they_would_show(warehouse, tmp_path):
    repo = applied_repo(tmp_path / "repo", warehouse)
    with opened(repo, warehouse, "ivan") as ivan:
        with pytest.raises(AccessDeniedError, match="may not profile PII feature 'driver_quality:phone'"):
            ivan.profile("driver_quality")
        assert ivan.warehouse.statements == 0
        profile = ivan.profile(["driver_quality:rating", "driver_quality:rides_7d"])
    assert [f.feature for f in profile.features] == ["driver_quality:rating", "driver_quality:rides_7d"]
    with opened(repo, warehouse, "gus") as gus, pytest.raises(AccessDeniedError, match="driver_quality:phone"):
        gus.profile("quality_model")


def test_changes_are_refused_without_their_grant(warehouse, tmp_path):
    repo = applied_repo(tmp_path / "repo", warehouse)
    with opened(repo, warehouse, "ivan") as ivan:
        for change, grant in [(ivan.apply, "apply"), (ivan.refresh, "refresh"), (ivan.materialize, "refresh"),
                              (ivan.gc, "apply"), (lambda: ivan.check("driver_quality"), "refresh")]:
            with pytest.raises(AccessDeniedError, match=f"access.roles.intern.{grant} is not true"):
                change()
        assert ivan.warehouse.statements == 0


def test_a_wide_request_masks_inside_each_part():
    """Split into parts (temporary tables), a request masks as each part selects: no part holds
    a clear value either."""
    from dataclasses import replace

    from virtualfs import Entity, Feature, FeatureView, Source
    from virtualfs.compile.historical import build_retrieval
    from virtualfs.compile.request import ColumnMask, EntityRelation, PitRequest
    from virtualfs.compile.resolve import resolve_lookups
    from virtualfs.dialects import capabilities_of
    from virtualfs.dialects.identifiers import temp_table
    from virtualfs.dialects.render import to_sql
    from virtualfs.registry import Registry

    driver = Entity("driver", ["driver_id"])
    views = [FeatureView(name, [driver], Source(name, table=name, timestamp="at"), [Feature("phone", "string")])
             for name in ("a", "b")]
    lookups = resolve_lookups(Registry.from_objects(views), ["a:phone", "b:phone"], full_feature_names=True)
    entities = EntityRelation(temp_table("_vfs_entities"), "event_timestamp", (("driver_id", "driver_id"),),
                              ("driver_id", "event_timestamp"))
    masks = (ColumnMask("a__phone", "hash"), ColumnMask("b__phone", "hash"))
    narrow = replace(capabilities_of("duckdb"), max_joins_per_query=1)
    compiled = build_retrieval(PitRequest(lookups, entities, masks=masks), "duckdb", narrow)
    parts = [to_sql(s, "duckdb") for s in compiled.setup if "CREATE" in to_sql(s, "duckdb")]
    assert len(parts) == 2 and all("SHA256(CAST(" in part for part in parts)
