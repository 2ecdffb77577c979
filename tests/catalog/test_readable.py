"""Values and definitions as people read them (``virtualfs describe``, ``ls``, ``plan``)."""

from datetime import timedelta

import pytest

from virtualfs import Aggregation, Entity, Feature, FeatureView, Source
from virtualfs.catalog.readable import definition_lines, readable, show, view_contents

customer = Entity("customer", ["customer_id"])
orders = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
amount, items = Feature("amount", "float64"), Feature("items", "int64")
spend = Aggregation("spend_30d", "sum", "amount", "30d")


def view(**overrides):
    spec = {"name": "customer_orders", "entities": [customer], "source": orders,
            "features": [amount, items], "ttl": "30d"}
    return FeatureView(**{**spec, **overrides})


@pytest.mark.parametrize(("value", "text"), [
    (timedelta(days=14), "14d"),
    (timedelta(days=1, hours=12), "1d12h"),
    (None, "none"),
    ("", '""'),
    ("incremental", "incremental"),
    ("The latest\n   order.", '"The latest order."'),
    (("a", "b"), "[a, b]"),
    ({}, "{}"),
    (True, "true"),
    (customer, "customer"),
])
def test_a_value_shows_on_one_line(value, text):
    assert show(value) == text


def test_readable_data_has_durations_as_text_and_no_type_markers():
    data = readable(view(lookback="2h"))
    assert data["ttl"] == "30d" and data["lookback"] == "2h"
    assert data["source"]["name"] == "orders" and "__type__" not in str(data)


@pytest.mark.parametrize(("features", "aggregations", "text"), [
    ([amount, items], [], "2 features"),
    ([amount], [spend], "1 feature, 1 aggregation"),
    ([], [spend, Aggregation("orders_7d", "count", "items", "7d")], "2 aggregations"),
])
def test_a_view_counts_features_and_aggregations_apart(features, aggregations, text):
    assert view_contents(view(features=features, aggregations=aggregations)) == text


def test_a_view_reads_as_a_page():
    page = view(aggregations=[Aggregation("orders_7d", "count", "items", "7d", description="Last week.")],
                materialize="incremental", schedule="@hourly", lookback="2h", owner="growth@shop.example")
    assert definition_lines(page) == [
        "feature view customer_orders",
        "  owner         growth@shop.example",
        "  entities      customer (customer_id)",
        "  source        orders (table orders, event time ordered_at, created loaded_at)",
        "  ttl           30d",
        "  materialize   incremental",
        "  schedule      @hourly",
        "  lookback      2h",
        "  features",
        "    amount  float64",
        "    items   int64",
        "  aggregations",
        "    orders_7d  count of items over 7d  Last week.",
    ]
