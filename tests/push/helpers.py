"""A pushed project on a real warehouse, built from the parts (as the refresh suites do)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
from sqlglot import exp

from tests.backends import create_user_table, make_warehouse
from virtualfs import Entity, Feature, FeatureView, Source
from virtualfs.catalog import Catalog
from virtualfs.compile.feature_schema import FeatureSchema
from virtualfs.context import OnlineContext, ProjectContext
from virtualfs.copies import StoredCopies
from virtualfs.push import create_pushed_tables, with_pushed_tables
from virtualfs.push.tables import pushed_table
from virtualfs.registry import Definition, Registry
from virtualfs.retrieval import RetrievalRequest, retrieve

PUSH_WAREHOUSES = ("duckdb", "postgres", "snowflake")
NOW = datetime.now(timezone.utc).replace(microsecond=0)
T0 = NOW - timedelta(days=2)  # source rows happened and landed days before the pushes
customer = Entity("customer", ["customer_id"])
orders = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")


def orders_view(**options) -> FeatureView:
    """A pushed view over ``orders`` (amount, items)."""
    return FeatureView("customer_orders", [customer], orders,
                       [Feature("amount", "float64"), Feature("items", "int64")], push=True, **options)


def order_rows(rows: Sequence[tuple]) -> pa.Table:
    """(customer_id, ordered_at, loaded_at, amount, items) tuples as the ``orders`` table."""
    columns = list(zip(*rows, strict=True)) if rows else [[]] * 5
    return pa.table({"customer_id": pa.array(columns[0], pa.int64()),
                     "ordered_at": pa.array(columns[1], pa.timestamp("us", tz="UTC")),
                     "loaded_at": pa.array(columns[2], pa.timestamp("us", tz="UTC")),
                     "amount": pa.array(columns[3], pa.float64()),
                     "items": pa.array(columns[4], pa.int64())})


@dataclass
class PushedProject:
    """A warehouse with a feature schema of its own, a catalog, and the opened registry."""

    context: ProjectContext
    registry: Registry

    @property
    def warehouse(self):
        return self.context.warehouse

    def view(self, name: str = "customer_orders") -> FeatureView:
        return self.registry.view(name)

    def frame(self, labels: pd.DataFrame, features: list[str], rule: str = "known") -> pd.DataFrame:
        request = RetrievalRequest(features, point_in_time=rule)
        return retrieve(self.context, self.warehouse, self.registry, labels, request).to_pandas()

    def pushed_rows(self, name: str = "customer_orders") -> pd.DataFrame:
        table = pushed_table(self.context.copies.schema, self.view(name), self.warehouse.dialect)
        frame = self.warehouse.fetch_arrow(exp.select("*").from_(table)).to_pandas()
        frame.columns = [column.lower() for column in frame.columns]
        return frame


@contextmanager
def pushed_project(name: str, folder: Path, definitions: Sequence[Definition],
                   source: pa.Table | None = None) -> Iterator[PushedProject]:
    """``definitions`` applied on a fresh warehouse of kind ``name`` (``orders`` holds ``source``)."""
    schema_name = f"vfs_push_{uuid.uuid4().hex[:8]}"
    with make_warehouse(name) as warehouse:
        if source is not None:
            create_user_table(warehouse, "orders", source)
        schema = FeatureSchema.of(schema_name, "shop")
        catalog = Catalog(f"sqlite:///{folder}/catalog-{schema_name}.db", "shop")
        context = ProjectContext("shop", warehouse, catalog, StoredCopies(schema, name))
        registry = Registry.from_objects(definitions, version=1)
        create_pushed_tables(warehouse, registry, schema)
        try:
            yield PushedProject(context, with_pushed_tables(registry, schema, warehouse.dialect))
        finally:
            warehouse.execute(exp.Drop(this=exp.to_identifier(schema_name), kind="SCHEMA", exists=True,
                                       cascade=True))
            catalog.close()


def online_context(store) -> OnlineContext:
    return OnlineContext(store, "test-online")
