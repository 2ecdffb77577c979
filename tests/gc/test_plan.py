"""The garbage planner, pure: what an applied version made and the live one no longer needs is
garbage; what the live version reads never is; what no applied version made is never touched."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest

from virtualfs import Aggregation, Entity, Feature, FeatureView, Source
from virtualfs.catalog.marks import WatermarkRecord
from virtualfs.compile.aggregate.kept_tiles import plan_kept_tiles
from virtualfs.compile.feature_schema import FeatureSchema
from virtualfs.copies import StoredCopies
from virtualfs.gc.plan import Existing, GarbageKeys, GarbageRecord, GarbageTable, plan_gc
from virtualfs.online.keys import part_prefix
from virtualfs.registry import Registry

CUSTOMER = Entity("customer", ["customer_id"])
ORDERS = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
COPIES = StoredCopies(FeatureSchema.of("virtualfs_features", "shop"), "warehouse")
SPEND = FeatureView("spend", [CUSTOMER], ORDERS, [Feature("amount", "float64")], materialize="incremental",
                    aggregations=[Aggregation("spend_30d", "sum", "amount", "30d")])
WIDER = dataclasses.replace(SPEND, aggregations=(Aggregation("spend_60d", "sum", "amount", "60d"),))
GONE = FeatureView("gone", [CUSTOMER], ORDERS, [Feature("items", "int64")], materialize="table")
VIRTUAL = FeatureView("virtual", [CUSTOMER], ORDERS, [Feature("items", "int64")])


def tiles(view: FeatureView, schema: FeatureSchema = COPIES.schema) -> str:
    [kept] = plan_kept_tiles(view, schema)
    return kept.name


def prefixes(view: FeatureView, project: str = "shop") -> list[str]:
    from virtualfs.online.keys import stored_parts

    return [part_prefix(project, part) for part in stored_parts(view)]


def plan(live: list[FeatureView], history: list[FeatureView], existing: Existing, dialect: str = "duckdb",
         copies: StoredCopies = COPIES):
    return plan_gc(Registry.from_objects(live, version=2), history, copies, dialect, existing)


def record(view: str, key: str) -> WatermarkRecord:
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return WatermarkRecord(view, key, "somewhere", "identity", now, 1, now)


def test_a_removed_views_table_and_staging_leftover_are_garbage():
    found = plan([SPEND], [SPEND, GONE], Existing(["_vfs_stage_shop__gone", "shop__gone", "shop__spend"]))
    assert found.tables == (GarbageTable("_vfs_stage_shop__gone", "gone", "staging"),
                            GarbageTable("shop__gone", "gone", "table"))


def test_a_live_views_table_and_kept_tiles_are_never_garbage():
    live = ["shop__spend", tiles(SPEND)]
    found = plan([SPEND], [SPEND, WIDER, GONE], Existing(live, {p: 5 for p in prefixes(SPEND)}))
    assert found.is_empty and not found.unknown_tables


def test_a_changed_shape_leaves_its_old_tiles_and_online_keys_as_garbage():
    existing = Existing(["shop__spend", tiles(SPEND), tiles(WIDER)],
                        {**{p: 3 for p in prefixes(SPEND)}, **{p: 4 for p in prefixes(WIDER)}})
    found = plan([WIDER], [SPEND, WIDER], existing)
    assert found.tables == (GarbageTable(tiles(SPEND), "spend", "tiles"),)
    features, aggregates = prefixes(SPEND)
    assert prefixes(WIDER)[0] == features  # the plain features kept their shape: still served
    assert found.online == (GarbageKeys(aggregates, "spend", 3),)


def test_a_live_views_staging_leftovers_are_garbage():
    staged = [COPIES.schema.stored_name(n, "duckdb") for n in
              ("_vfs_stage_shop__spend", f"_vfs_stage_{tiles(SPEND)}", f"_vfs_stage_{tiles(SPEND)}_affected")]
    found = plan([SPEND], [SPEND], Existing(["shop__spend", tiles(SPEND), *staged]))
    assert found.tables == tuple(GarbageTable(n, "spend", "staging") for n in sorted(staged))


def test_a_view_made_virtual_leaves_its_table_as_garbage_and_keeps_its_online_keys():
    materialized = dataclasses.replace(VIRTUAL, materialize="incremental")
    existing = Existing(["shop__virtual"], {prefixes(VIRTUAL)[0]: 2})
    found = plan([VIRTUAL], [materialized, VIRTUAL], existing)
    assert found.tables == (GarbageTable("shop__virtual", "virtual", "table"),)
    assert found.online == ()


def test_what_no_applied_version_made_is_never_garbage():
    existing = Existing(
        ["shop__backup",  # a user's table named like ours
         "shop__eu__orders",  # project shop__eu's table: named like ours too
         "_vfs_stage_shop__tmp", "other__gone", "orders"],  # other__gone: another project's
        {"shop:unknown#0123abcd:": 1,  # a view never applied
         "shop:gone#0123abcd:": 1})  # an applied view, but never in this shape
    found = plan([SPEND], [SPEND, GONE], existing)
    assert found.is_empty
    assert found.unknown_tables == ("_vfs_stage_shop__tmp", "shop__backup", "shop__eu__orders")
    assert found.unknown_prefixes == ("shop:gone#0123abcd:", "shop:unknown#0123abcd:")


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "snowflake"])
def test_names_compare_as_the_warehouse_stores_them(dialect):
    long_view = dataclasses.replace(GONE, name="a_view_whose_name_is_longer_than_any_warehouse_keeps_whole")
    schema = COPIES.schema
    stored = [schema.stored_name(n, dialect) for n in ("shop__gone", "shop__a_view_whose_name_is_longer_than_"
                                                       "any_warehouse_keeps_whole")]
    found = plan([SPEND], [GONE, long_view, SPEND], Existing(stored), dialect)
    assert sorted(t.name for t in found.tables) == sorted(stored)
    assert all(len(t.name) <= 63 for t in found.tables)
    if dialect == "snowflake":
        assert "SHOP__GONE" in stored


def test_records_of_removed_views_and_of_copies_a_live_view_lost_are_stale():
    kept = f"tiles:{plan_kept_tiles(SPEND, COPIES.schema)[0].digest}"
    old = f"tiles:{plan_kept_tiles(WIDER, COPIES.schema)[0].digest}"
    records = [record("spend", "table"), record("spend", kept), record("spend", "online"),
               record("spend", "online:aggregates"), record("spend", old), record("gone", "table"),
               record("gone", "online"), record("virtual", "table"), record("virtual", "online")]
    found = plan([SPEND, VIRTUAL], [], Existing(records=records))
    assert found.records == (GarbageRecord("spend", old), GarbageRecord("gone", "table"),
                             GarbageRecord("gone", "online"), GarbageRecord("virtual", "table"))
