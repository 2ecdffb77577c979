"""Small requests to compile, without a warehouse."""

from __future__ import annotations

from virtualfs import Entity, Feature, FeatureView, Source
from virtualfs.compile import names
from virtualfs.compile.request import EntityRelation, PitRequest, ViewContext
from virtualfs.compile.resolve import resolve_lookups
from virtualfs.dialects.identifiers import temp_table
from virtualfs.registry import Registry

CUSTOMER = Entity("customer", ["customer_id"])


def orders_view(name: str = "orders", created: str | None = "loaded_at", ttl: str | None = "30d",
                query: str | None = None) -> FeatureView:
    source = (Source("orders", query=query, timestamp="ordered_at", created=created) if query
              else Source("orders", table="sales.orders", timestamp="ordered_at", created=created))
    return FeatureView(name, [CUSTOMER], source, [Feature("total", "float64")], ttl=ttl)


def request(*views: FeatureView, rule: str = "known", carry: tuple[str, ...] = ()) -> PitRequest:
    registry = Registry.from_objects(views)
    lookups = resolve_lookups(registry, [f"{v.name}:*" for v in views], full_feature_names=len(views) > 1)
    entities = EntityRelation(temp_table(names.ENTITIES), "event_timestamp", (("customer_id", "customer_id"),),
                              carry)
    return PitRequest(lookups, entities, rule)


def context(view: FeatureView, dialect: str, rule: str = "known") -> ViewContext:
    pit = request(view, rule=rule)
    return ViewContext(0, pit.lookups[0], pit.entities, rule, dialect)
