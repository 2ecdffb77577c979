"""A changed definition read line by line: two versions in, the lines ``virtualfs plan`` prints out."""

import pytest

from virtualfs import Aggregation, Check, Entity, Feature, FeatureService, FeatureView, Source
from virtualfs.catalog.diff_text import differences

customer = Entity("customer", ["customer_id"])
product = Entity("product", ["product_id"])
orders = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
amount, items = Feature("amount", "float64"), Feature("items", "int64")
spend = Aggregation("spend_30d", "sum", "amount", "30d")
present = Check("amount", not_null=0.99)


def view(**overrides):
    spec = {"name": "customer_orders", "entities": [customer], "source": orders,
            "features": [amount, items], "ttl": "30d"}
    return FeatureView(**{**spec, **overrides})


CASES = [
    ("feature type", view(), view(features=[Feature("amount", "int64"), items]),
     ["customer_orders.amount: float64 -> int64"]),
    ("feature added", view(), view(features=[amount, items, Feature("discount", "float64")]),
     ["+ feature customer_orders.discount (float64)"]),
    ("feature removed", view(), view(features=[amount]),
     ["- feature customer_orders.items (int64)"]),
    ("feature renamed", view(), view(features=[amount, Feature("quantity", "int64")]),
     ["- feature customer_orders.items (int64)", "+ feature customer_orders.quantity (int64)"]),
    ("features reordered", view(), view(features=[items, amount]),
     ["features order: [amount, items] -> [items, amount]"]),
    ("feature description", view(), view(features=[Feature("amount", "float64", "In euros."), items]),
     ['customer_orders.amount.description: "" -> "In euros."  (metadata only)']),
    ("ttl", view(), view(ttl="14d"), ["ttl: 30d -> 14d"]),
    ("ttl removed", view(), view(ttl=None), ["ttl: 30d -> none"]),
    ("lookback", view(), view(lookback="1d12h"), ["lookback: none -> 1d12h"]),
    ("description", view(description="Old."), view(description="The latest order."),
     ['description: Old. -> "The latest order."  (metadata only)']),
    ("owner and tags", view(), view(owner="growth@shop.example", tags={"team": "growth"}),
     ['owner: "" -> growth@shop.example  (metadata only)', "tags: {} -> {team: growth}  (metadata only)"]),
    ("materialize and schedule", view(), view(materialize="incremental", schedule="@hourly"),
     ["materialize: view -> incremental", "schedule: none -> @hourly  (metadata only)"]),
    ("entities", view(), view(entities=[customer, product]),
     ["entities: [customer] -> [customer, product]"]),
    ("entity keys", view(), view(entities=[Entity("customer", ["customer_id", "region"])]),
     ["entities.customer.join_keys: + region"]),
    ("source table", view(), view(source=Source("orders", table="orders_v2", timestamp="ordered_at",
                                                created="loaded_at")),
     ["source.table: orders -> orders_v2"]),
    ("source description", view(), view(source=Source("orders", table="orders", timestamp="ordered_at",
                                                       created="loaded_at", description="Orders.")),
     ['source.description: "" -> Orders.  (metadata only)']),
    ("feature declassified", view(), view(features=[Feature("amount", "float64", pii=False), items]),
     ["customer_orders.amount.pii: none -> false  (declassification: review it; no rebuild)"]),
    ("feature declared pii", view(), view(features=[Feature("amount", "float64", pii=True), items]),
     ["customer_orders.amount.pii: none -> true  (classification only: no rebuild)"]),
    ("pii declaration withdrawn", view(features=[Feature("amount", "float64", pii=True), items]), view(),
     ["customer_orders.amount.pii: true -> none  (declassification: review it; no rebuild)"]),
    ("declassified feature added", view(), view(features=[amount, items, Feature("region", "string", pii=False)]),
     ["+ feature customer_orders.region (string; declared pii=False)  (declassification: review it; "
      "no rebuild)"]),
    ("feature owner", view(), view(features=[Feature("amount", "float64", owner="finance"), items]),
     ["customer_orders.amount.owner: \"\" -> finance  (metadata only)"]),
    ("source column classified", view(), view(source=Source("orders", table="orders", timestamp="ordered_at",
                                                            created="loaded_at", columns={"orders.email": {"pii": True}})),
     ["source.columns[orders.email]: + {pii: true}  (classification only: no rebuild)"]),
    ("source column declassified", view(source=Source("orders", table="orders", timestamp="ordered_at",
                                                      created="loaded_at", columns={"orders.email": {"pii": True}})),
     view(source=Source("orders", table="orders", timestamp="ordered_at", created="loaded_at",
                        columns={"orders.email": {"pii": False, "description": "Hashed."}})),
     ["source.columns[orders.email]: {pii: true} -> {pii: false, description: Hashed.}  (declassification: review it; "
      "no rebuild)"]),
    ("another source", view(), view(source=Source("sales", table="orders", timestamp="ordered_at",
                                                  created="loaded_at")),
     ["source: orders -> sales"]),
    ("aggregation added", view(), view(aggregations=[spend]),
     ["+ aggregation customer_orders.spend_30d (sum of amount over 30d)"]),
    ("aggregation window", view(aggregations=[spend]),
     view(aggregations=[Aggregation("spend_30d", "sum", "amount", "14d")]),
     ["customer_orders.spend_30d.window: 30d -> 14d"]),
    ("aggregation filter", view(aggregations=[spend]),
     view(aggregations=[Aggregation("spend_30d", "sum", "amount", "30d", filter="items > 1")]),
     ['customer_orders.spend_30d.filter: none -> "items > 1"']),
    ("aggregation removed", view(aggregations=[Aggregation("gifts", "count", "items", "7d", filter="amount = 0")]),
     view(), ["- aggregation customer_orders.gifts (count of items over 7d where amount = 0)"]),
    ("check added", view(), view(checks=[present]),
     ["+ check customer_orders.amount_not_null (at least 0.99 of rows not null; error)  (checks only: no rebuild)"]),
    ("check threshold", view(checks=[present]), view(checks=[Check("amount", not_null=0.9)]),
     ["customer_orders.amount_not_null.not_null: 0.99 -> 0.9  (checks only: no rebuild)"]),
    ("check severity", view(checks=[present]), view(checks=[Check("amount", not_null=0.99, severity="warn")]),
     ["customer_orders.amount_not_null.severity: error -> warn  (checks only: no rebuild)"]),
    ("check removed", view(checks=[present, Check(rows_at_least=10)]), view(checks=[present]),
     ["- check customer_orders.rows_at_least (at least 10 rows; error)  (checks only: no rebuild)"]),
    ("service references", FeatureService("churn", ["customer_orders:amount", "customer_orders:items"]),
     FeatureService("churn", ["customer_orders:items", "product_catalog:price"]),
     ["features: - customer_orders:amount", "features: + product_catalog:price"]),
    ("service references reordered", FeatureService("churn", ["customer_orders:amount", "product_catalog:price"]),
     FeatureService("churn", ["product_catalog:price", "customer_orders:amount"]),
     ["features order: [customer_orders:amount, product_catalog:price] -> "
      "[product_catalog:price, customer_orders:amount]"]),
    ("source query", Source("orders", query="SELECT * FROM orders", timestamp="ordered_at"),
     Source("orders", query="SELECT *\n  FROM orders_v2", timestamp="ordered_at"),
     ['query: "SELECT * FROM orders" -> "SELECT * FROM orders_v2"']),
]


@pytest.mark.parametrize(("case", "old", "new", "lines"), CASES, ids=[case[0] for case in CASES])
def test_a_changed_definition_reads_field_by_field(case, old, new, lines):
    assert [difference.text() for difference in differences(old, new)] == lines


def test_an_unchanged_definition_has_no_differences():
    assert differences(view(), view()) == []


def test_differences_as_data_keep_durations_readable():
    (ttl,) = differences(view(), view(ttl="14d"))
    assert ttl.data() == {"path": "ttl", "action": "change", "kind": None, "old": "30d", "new": "14d",
                          "affects_data": True, "affects": "data", "declassifies": False}
    (added,) = differences(view(), view(aggregations=[spend]))
    assert added.data()["new"] == {"name": "spend_30d", "function": "sum", "column": "amount",
                                   "window": "30d", "filter": None, "description": "", "owner": "",
                                   "tags": {}, "pii": None}

