"""The online request plan, as a table: feature references in -> the views (stored parts) read,
their key prefixes, and each output column's place in what they decode."""

from __future__ import annotations

import dataclasses

import pytest

from tests.online.helpers import shop_registry
from virtualfs import Aggregation
from virtualfs.errors import NotFoundError, RequestError
from virtualfs.registry import Registry
from virtualfs.serving.request_plan import build_plan, request_plan


def registry_with_aggregations() -> Registry:
    registry = shop_registry(ttl="1d")
    mixed = dataclasses.replace(registry.view("customer_orders"),
                                aggregations=(Aggregation("orders_7d", "count", "items", "7d"),
                                              Aggregation("spend_7d", "sum", "amount", "7d")))
    return Registry.from_objects([mixed, *(v for n, v in registry.views.items() if n != "customer_orders")])


# (features, full names) -> [(view, stored part: aggregates?, output columns)], [(column, view index, index)]
CASES = [
    (["customer_orders:amount"], False,
     [("customer_orders", False, ("amount",))], [("amount", 0, 0)]),
    (["customer_orders:note", "customer_orders:amount"], False,          # request order, stored index
     [("customer_orders", False, ("note", "amount"))], [("note", 0, 2), ("amount", 0, 0)]),
    (["customer_orders:orders_7d"], False,                               # aggregates only: that part
     [("customer_orders", True, ("orders_7d",))], [("orders_7d", 0, 0)]),
    (["customer_orders:spend_7d", "customer_orders:items"], False,      # both parts, columns in order
     [("customer_orders", False, ("items",)), ("customer_orders", True, ("spend_7d",))],
     [("spend_7d", 1, 1), ("items", 0, 1)]),
    (["customer_orders:amount", "customer_profile:vip"], True,
     [("customer_orders", False, ("customer_orders__amount",)), ("customer_profile", False, ("customer_profile__vip",))],
     [("customer_orders__amount", 0, 0), ("customer_profile__vip", 1, 1)]),
]


@pytest.mark.parametrize(("features", "full", "views", "columns"), CASES)
def test_references_resolve_to_parts_and_positions(features, full, views, columns):
    plan = build_plan(registry_with_aggregations(), "shop", features, full)
    assert [(v.view.name, bool(v.view.aggregations), v.columns) for v in plan.views] == views
    assert [(c.name, c.view, c.index) for c in plan.columns] == columns
    # a plain part judges the view's TTL, an aggregate part has none (offline, windows bound it)
    for part in plan.views:
        day = 86_400_000_000 if part.view.name == "customer_orders" and not part.view.aggregations else None
        assert part.ttl_us == day
    assert len({v.rows.prefix for v in plan.views}) == len(plan.views)  # each part its own keys


@pytest.mark.parametrize(("features", "error", "message"), [
    (["customer_order:amount"], NotFoundError, "did you mean 'customer_orders'"),
    (["customer_orders:amont"], NotFoundError, "did you mean 'amount'"),
    (["customer_orders:amount", "customer_orders:*"], RequestError, "column 'amount' is requested twice"),
    ([], RequestError, "non-empty list"),
])
def test_bad_references_are_named(features, error, message):
    with pytest.raises(error, match=message):
        build_plan(registry_with_aggregations(), "shop", features, False)


def test_empty_window_values_are_planned_for_counts_only():
    plan = build_plan(registry_with_aggregations(), "shop", ["customer_orders:*"], False)
    aggregates = next(v for v in plan.views if v.view.aggregations)
    assert aggregates.empty_window == ((0, 0),)  # orders_7d counts: 0; spend_7d sums: null


def test_plans_are_cached_per_registry_and_request():
    registry = registry_with_aggregations()
    first = request_plan(registry, "shop", ["customer_orders:amount"], False)
    assert request_plan(registry, "shop", ["customer_orders:amount"], False) is first
    assert request_plan(registry_with_aggregations(), "shop", ["customer_orders:amount"], False) is not first
