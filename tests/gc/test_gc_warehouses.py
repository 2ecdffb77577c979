"""Garbage collection on every warehouse: after a view is removed and another reshaped, gc drops
their old tables, kept tiles and a staging leftover, and keeps the live view's table, another
project's table and a user's table in the same schema."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta

import pyarrow as pa
from sqlglot import exp

from tests.backends import create_user_table
from virtualfs import Aggregation, Entity, Feature, FeatureView, Source
from virtualfs.catalog import Catalog, diff
from virtualfs.compile.aggregate.kept_tiles import plan_kept_tiles
from virtualfs.compile.feature_schema import FeatureSchema
from virtualfs.context import OnlineContext, ProjectContext
from virtualfs.copies import StoredCopies
from virtualfs.gc import collect_garbage
from virtualfs.online.keys import part_prefix, stored_parts
from virtualfs.online.memory import MemoryOnlineStore
from virtualfs.refresh import RefreshRequest, RefreshRunner
from virtualfs.refresh.materialize import MaterializeRequest, materialize
from virtualfs.registry import Registry

T0 = datetime(2026, 1, 1)
CUSTOMER = Entity("customer", ["customer_id"])
ORDERS = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
SPEND = FeatureView("spend", [CUSTOMER], ORDERS, [Feature("amount", "float64")], materialize="incremental",
                    aggregations=[Aggregation("spend_30d", "sum", "amount", "30d")])
RESHAPED = dataclasses.replace(SPEND, aggregations=(Aggregation("spend_730d", "sum", "amount", "730d"),))
GONE = dataclasses.replace(SPEND, name="gone")


def orders() -> pa.Table:
    return pa.table({"customer_id": pa.array([1, 2], pa.int64()),
                     "ordered_at": pa.array([T0, T0], pa.timestamp("us")),
                     "loaded_at": pa.array([T0 + timedelta(hours=1)] * 2, pa.timestamp("us")),
                     "amount": pa.array([1.0, 2.0], pa.float64())})


def apply(catalog: Catalog, *views: FeatureView) -> Registry:
    wanted = Registry.from_objects(views)
    catalog.write_version(wanted, diff(catalog.registry(), wanted))
    return catalog.registry()


def make_table(warehouse, schema: FeatureSchema, name: str) -> str:
    table = schema.table(name, warehouse.dialect)
    warehouse.execute(exp.Create(this=table, kind="TABLE", expression=exp.select(exp.alias_(exp.Literal.number(1), "x"))))
    return schema.stored_name(name, warehouse.dialect)


def test_gc_drops_what_no_live_view_reads_and_nothing_else(warehouse, tmp_path):
    create_user_table(warehouse, "orders", orders())
    schema = FeatureSchema.of(f"vfs_gc_{uuid.uuid4().hex[:8]}", "shop")
    copies = StoredCopies(schema, warehouse.dialect)
    catalog = Catalog(f"sqlite:///{tmp_path}/catalog.db", "shop")
    context = ProjectContext("shop", warehouse, catalog, copies)
    online = OnlineContext(MemoryOnlineStore("shop"), "memory")

    def name(text: str) -> str:
        return schema.stored_name(text, warehouse.dialect)

    try:
        v1 = apply(catalog, SPEND, GONE)
        for view in (SPEND, GONE):
            RefreshRunner(context).refresh(view, RefreshRequest())
        materialize(context, online, v1, MaterializeRequest())
        leftover = make_table(warehouse, schema, schema.staging_name("shop__spend"))  # a killed refresh's
        theirs = make_table(warehouse, FeatureSchema.of(".".join(schema.parts), "other"), "other__spend")
        users = make_table(warehouse, schema, "shop__notes")
        old_tiles = [name(k.name) for view in (SPEND, GONE) for k in plan_kept_tiles(view, schema)]
        assert set(old_tiles) <= set(warehouse.tables_in(schema.parts))

        apply(catalog, RESHAPED)
        expected = {name("shop__gone"), leftover, *old_tiles}
        listed = collect_garbage(context, online, dry_run=True)
        assert {t.name for t in listed.plan.tables} == expected
        assert listed.plan.unknown_tables == (users,)
        report = collect_garbage(context, online)
        assert {t.name for t in report.removed_tables} == expected
        assert warehouse.tables_in(schema.parts) == sorted([name("shop__spend"), theirs, users])
        live = {part_prefix("shop", part) for part in stored_parts(RESHAPED)}
        assert set(online.store.key_prefixes("shop")) <= live  # the old aggregates and gone's keys went

        RefreshRunner(context).refresh(RESHAPED, RefreshRequest())  # the live table is still trusted
        assert catalog.state.runs("spend", limit=1)[0].status == "success"
        assert collect_garbage(context, online, dry_run=True).plan.is_empty
    finally:
        warehouse.execute(exp.Drop(this=schema.schema(warehouse.dialect), kind="SCHEMA", exists=True, cascade=True))
