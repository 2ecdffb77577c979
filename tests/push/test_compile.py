"""The SQL of a pushed view's source: its own rows UNION ALL its pushed rows, per dialect; a view
that is not pushed to reads its source as before (its golden SQL is unchanged: tests/test_golden.py)."""

from __future__ import annotations

import pytest

from virtualfs import Entity, Feature, FeatureView, Source
from virtualfs.compile.feature_schema import FeatureSchema
from virtualfs.compile.scan import source_relation
from virtualfs.dialects.render import to_sql
from virtualfs.push import with_pushed_tables
from virtualfs.registry import Registry

customer = Entity("customer", ["customer_id"])
orders = Source("orders", table="shop.orders", timestamp="ordered_at", created="loaded_at")
pushed = FeatureView("pushed", [customer], orders, [Feature("amount", "float64")], push=True)
plain = FeatureView("plain", [customer], orders, [Feature("amount", "float64")])
card = Source("card_tx", timestamp="tx_at", created="pushed_at", dtypes={"card_id": "string"})
push_only = FeatureView("card_tx", [Entity("card", ["card_id"])], card, [Feature("amount", "float64")], push=True)
SCHEMA = FeatureSchema.of("virtualfs_features", "shop")


@pytest.mark.parametrize(("dialect", "view", "expected"), [
    ("duckdb", "pushed", 'SELECT "customer_id", "ordered_at", "amount", "loaded_at" FROM "shop"."orders" UNION ALL '
                         'SELECT "customer_id", "ordered_at", "amount", "loaded_at" FROM '
                         '"virtualfs_features"."shop__pushed__pushed"'),
    ("postgres", "pushed", 'SELECT "customer_id", "ordered_at", "amount", "loaded_at" FROM "shop"."orders" UNION '
                           'ALL SELECT "customer_id", "ordered_at", "amount", "loaded_at" FROM '
                           '"virtualfs_features"."shop__pushed__pushed"'),
    ("snowflake", "pushed", 'SELECT "CUSTOMER_ID", "ORDERED_AT", "AMOUNT", "LOADED_AT" FROM "SHOP"."ORDERS" UNION '
                            'ALL SELECT "CUSTOMER_ID", "ORDERED_AT", "AMOUNT", "LOADED_AT" FROM '
                            '"VIRTUALFS_FEATURES"."SHOP__PUSHED__PUSHED"'),
    ("duckdb", "plain", '"shop"."orders"'),
    ("snowflake", "plain", '"SHOP"."ORDERS"'),
    ("duckdb", "card_tx", '"virtualfs_features"."shop__card_tx__pushed"'),
    ("snowflake", "card_tx", '"VIRTUALFS_FEATURES"."SHOP__CARD_TX__PUSHED"'),
])
def test_a_pushed_view_reads_its_source_and_its_pushed_rows(dialect, view, expected):
    opened = with_pushed_tables(Registry.from_objects([pushed, plain, push_only], version=1), SCHEMA, dialect)
    assert to_sql(source_relation(opened.view(view).source, dialect), dialect) == expected


def test_a_registry_without_pushed_views_is_left_as_it_is():
    registry = Registry.from_objects([plain], version=1)
    assert with_pushed_tables(registry, SCHEMA, "duckdb") is registry
