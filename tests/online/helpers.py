"""Definitions and writers shared by the online tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import pyarrow as pa

from virtualfs import Entity, Feature, FeatureService, FeatureView, Source
from virtualfs.online.base import OnlineStore
from virtualfs.online.rows import ViewRows
from virtualfs.registry import Registry

UTC = timezone.utc
T0 = datetime(2026, 1, 1, tzinfo=UTC)
CUSTOMER = Entity("customer", ["customer_id"])
PRODUCT = Entity("product", ["product_id"])
DTYPES = {"i": "int64", "f": "float64", "s": "string", "b": "bool", "t": "timestamp"}


def at(minutes: float) -> datetime:
    """T0 plus ``minutes``: readable test times."""
    return T0 + timedelta(minutes=minutes)


def typed_view(name: str = "typed", ttl: str | None = None) -> FeatureView:
    """A view with one feature of every dtype."""
    source = Source(f"{name}_source", table=f"{name}_table", timestamp="event_at", created="loaded_at")
    features = [Feature(n, d) for n, d in DTYPES.items()]
    return FeatureView(name, [CUSTOMER], source, features, ttl=ttl)


def orders_view(ttl: str | None = None, created: bool = True, table: str = "orders") -> FeatureView:
    """customer_orders over an ``orders`` table: amount (float64), items (int64), note (string)."""
    source = Source("orders", table=table, timestamp="ordered_at",
                    created="loaded_at" if created else None)
    features = [Feature("amount", "float64"), Feature("items", "int64"), Feature("note", "string")]
    return FeatureView("customer_orders", [CUSTOMER], source, features, ttl=ttl)


def shop_registry(ttl: str | None = None) -> Registry:
    """Two views on two entities, one on a compound key, and a service."""
    profile = FeatureView(
        "customer_profile", [CUSTOMER],
        Source("profiles", table="profiles", timestamp="updated_at"),
        [Feature("segment", "string"), Feature("vip", "bool"), Feature("signup", "timestamp")],
    )
    pair = FeatureView(
        "customer_product", [CUSTOMER, PRODUCT],
        Source("pairs", table="pairs", timestamp="at"),
        [Feature("views", "int64")],
    )
    service = FeatureService("reorder", ["customer_orders:amount", "customer_profile:*"])
    return Registry.from_objects([orders_view(ttl=ttl), profile, pair, service])


def write_rows(store: OnlineStore, view: FeatureView, rows: Sequence[dict],
               expire_after: timedelta | None = None) -> int:
    """Write rows (join keys, ``event``, ``created``, features by name) the way materialize does."""
    columns: list[pa.Array] = []
    for key in view.join_keys:
        columns.append(pa.array([row[key] for row in rows]))
    stamp = pa.timestamp("us", tz="UTC")
    columns.append(pa.array([row["event"] for row in rows], stamp))
    columns.append(pa.array([row.get("created") for row in rows], stamp))
    for feature in view.features:
        columns.append(pa.array([row.get(feature.name) for row in rows], feature.dtype.to_arrow()))
    names = [f"c{i}" for i in range(len(columns))]
    batch = pa.RecordBatch.from_arrays(columns, names=names)
    return store.write(ViewRows(view, store.project).write_batch(batch, expire_after=expire_after))


def run_materialize(warehouse, registry, store, watermarks, views=None, start=None, end=None, progress=None):
    """``materialize_views`` for the named views of ``registry`` (all when None), as the flow picks them."""
    from virtualfs.refresh.materialize import materialize_views, select_views

    return materialize_views(warehouse, store, watermarks, select_views(registry, views), start, end, progress)
