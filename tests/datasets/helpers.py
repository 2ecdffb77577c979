"""A small project on any warehouse: a catalog, a feature schema of its own, an ``orders`` table,
and the two views the dataset tests read (plain features, and windowed aggregations)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
from sqlglot import exp

from tests.backends import create_user_table
from virtualfs import Aggregation, Entity, Feature, FeatureView, Source
from virtualfs.catalog import Catalog, diff
from virtualfs.compile.feature_schema import FeatureSchema
from virtualfs.context import ProjectContext
from virtualfs.copies import StoredCopies
from virtualfs.dialects.identifiers import warehouse_column, warehouse_table
from virtualfs.registry import Registry
from virtualfs.retrieval import RetrievalJob, RetrievalRequest, retrieve
from virtualfs.warehouses.base import Warehouse

CUSTOMER = Entity("customer", ["customer_id"])
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
_numbers = itertools.count()


@dataclass(frozen=True)
class Project:
    """A project in a warehouse: its context and the name of its ``orders`` table."""

    context: ProjectContext
    orders: str

    @property
    def warehouse(self) -> Warehouse:
        return self.context.warehouse

    def apply(self, *views: FeatureView) -> int:
        """Write ``views`` as the next catalog version; its number."""
        catalog = self.context.catalog
        registry = Registry.from_objects(list(views))
        return catalog.write_version(registry, diff(catalog.registry(), registry)).version

    def frame(self, entity_df, features, **options) -> RetrievalJob:
        """``FeatureStore.get_historical_features`` on this project's latest version."""
        registry = self.context.catalog.registry()
        return retrieve(self.context, self.warehouse, registry, entity_df, RetrievalRequest(features, **options))

    def land(self, rows: Sequence[tuple]) -> None:
        """Append ``rows`` (customer, ordered_at, loaded_at, amount, items) to ``orders``."""
        if not rows:
            return
        incoming = create_user_table(self.warehouse, f"incoming_{next(_numbers)}", orders_table(rows))
        self.warehouse.execute(exp.insert(exp.select("*").from_(incoming), self.orders_table()))
        self.warehouse.execute(exp.Drop(this=incoming, kind="TABLE"))

    def update(self, column: str, value: float, where: dict[str, object]) -> None:
        """``UPDATE orders SET column = value WHERE ...``: a row edited in place."""
        dialect = self.warehouse.dialect
        conditions = [exp.column(warehouse_column(k, dialect)).eq(_literal(v)) for k, v in where.items()]
        self.warehouse.execute(exp.update(self.orders_table(), {warehouse_column(column, dialect): _literal(value)},
                                          where=exp.and_(*conditions)))

    def orders_table(self) -> exp.Table:
        return warehouse_table(self.orders, self.warehouse.dialect)


def orders_table(rows: Sequence[tuple]) -> pa.Table:
    customer, ordered, loaded, amount, items = zip(*rows, strict=True) if rows else ((),) * 5
    return pa.table({"customer_id": pa.array(customer, pa.int64()),
                     "ordered_at": pa.array(ordered, pa.timestamp("us")),
                     "loaded_at": pa.array(loaded, pa.timestamp("us")),
                     "amount": pa.array(amount, pa.float64()), "items": pa.array(items, pa.int64())})


def orders_view(table: str, ttl: str | None = "30d", name: str = "orders") -> FeatureView:
    source = Source("orders", table=table, timestamp="ordered_at", created="loaded_at")
    return FeatureView(name, [CUSTOMER], source, [Feature("amount", "float64"), Feature("items", "int64")], ttl=ttl)


def spend_view(table: str, window: str = "10d") -> FeatureView:
    source = Source("orders", table=table, timestamp="ordered_at", created="loaded_at")
    aggregations = [Aggregation(f"{f}_amount", f, "amount", window) for f in ("sum", "avg", "count")]
    return FeatureView("spend", [CUSTOMER], source, [], aggregations=aggregations)


@contextmanager
def project(warehouse: Warehouse, folder: Path, rows: Sequence[tuple]) -> Iterator[Project]:
    """A fresh project (catalog, feature schema, ``orders`` holding ``rows``), removed afterwards."""
    tag = uuid.uuid4().hex[:8]
    schema = FeatureSchema.of(f"vfs_ds_{tag}", "shop")
    catalog = Catalog(f"sqlite:///{folder}/catalog_{tag}.db", "shop")
    orders = f"orders_{tag}"
    create_user_table(warehouse, orders, orders_table(rows))
    context = ProjectContext("shop", warehouse, catalog, StoredCopies(schema, warehouse.dialect))
    try:
        yield Project(context, orders)
    finally:
        warehouse.execute(exp.Drop(this=schema.schema(warehouse.dialect), kind="SCHEMA", exists=True, cascade=True))
        warehouse.execute(exp.Drop(this=warehouse_table(orders, warehouse.dialect), kind="TABLE", exists=True))
        catalog.close()


def at(days: float) -> datetime:
    """``T0`` plus ``days``, naive UTC (as the source table stores times)."""
    return (T0 + timedelta(days=days)).replace(tzinfo=None)


def _literal(value: object) -> exp.Expression:
    return exp.Literal.number(value) if isinstance(value, (int, float)) else exp.Literal.string(str(value))
