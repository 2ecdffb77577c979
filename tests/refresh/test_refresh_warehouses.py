"""The refresh cycle on every warehouse: incremental runs equal the source, reruns change nothing."""

import uuid
from datetime import datetime, timedelta

import pyarrow as pa
import pytest
from sqlglot import exp

from tests.backends import WAREHOUSES, create_user_table, make_warehouse
from virtualfs import Entity, Feature, FeatureView, Source
from virtualfs.catalog import Catalog
from virtualfs.compile.feature_schema import FeatureSchema
from virtualfs.compile.refresh import build_drop, view_tables
from virtualfs.context import ProjectContext
from virtualfs.copies import StoredCopies
from virtualfs.dialects.identifiers import warehouse_table
from virtualfs.refresh import RefreshRequest, RefreshRunner

T0 = datetime(2026, 1, 1)
view = FeatureView(
    "customer_orders", [Entity("customer", ["customer_id"])],
    Source("orders", table="orders", timestamp="ordered_at", created="loaded_at"),
    [Feature("amount", "float64")], materialize="incremental",
)


def batch(rows):
    customer, event, landed, amount = zip(*rows, strict=True)
    return pa.table({"customer_id": pa.array(customer, pa.int64()),
                     "ordered_at": pa.array(event, pa.timestamp("us")),
                     "loaded_at": pa.array(landed, pa.timestamp("us")),
                     "amount": pa.array(amount, pa.float64())})


def land(warehouse, rows):
    name = f"incoming_{uuid.uuid4().hex[:6]}"
    incoming = create_user_table(warehouse, name, batch(rows))
    warehouse.execute(exp.insert(exp.select("*").from_(incoming), warehouse_table("orders", warehouse.dialect)))
    warehouse.execute(build_drop(incoming))


def contents(warehouse, table):
    frame = warehouse.fetch_arrow(exp.select("*").from_(table)).to_pandas()
    frame.columns = [c.lower() for c in frame.columns]
    return frame.sort_values(["customer_id", "ordered_at", "loaded_at"]).reset_index(drop=True)


@pytest.mark.parametrize("name", WAREHOUSES)
def test_incremental_refresh_cycle(name, tmp_path):
    schema = f"vfs_features_{uuid.uuid4().hex[:8]}"
    with make_warehouse(name) as warehouse:
        create_user_table(warehouse, "orders", batch([(1, T0, T0 + timedelta(hours=1), 1.0)]))
        copies = StoredCopies(FeatureSchema.of(schema, "shop"), name)
        catalog = Catalog(f"sqlite:///{tmp_path}/c.db", "shop")
        runner = RefreshRunner(ProjectContext("shop", warehouse, catalog, copies))
        target = view_tables(copies.schema, view, warehouse.dialect).target
        try:
            assert runner.refresh(view, RefreshRequest()).rows_written == 1
            # One on-time row, one that happened days ago but landed now, one duplicate.
            late = (2, T0 - timedelta(days=3), T0 + timedelta(hours=2), None)
            land(warehouse, [(1, T0 + timedelta(hours=2), T0 + timedelta(hours=2), 2.0), late, late])
            runner.refresh(view, RefreshRequest())
            runner.refresh(view, RefreshRequest())  # rerun: nothing duplicated
            source = contents(warehouse, warehouse_table("orders", warehouse.dialect))
            assert len(source) == 4
            assert contents(warehouse, target).equals(source)
            rebuilt = runner.refresh(view, RefreshRequest(full=True))
            assert rebuilt.mode == "rebuild" and contents(warehouse, target).equals(source)
        finally:
            warehouse.execute(exp.Drop(this=exp.to_identifier(schema), kind="SCHEMA", exists=True, cascade=True))
