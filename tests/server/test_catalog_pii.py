"""The server's catalog endpoints say which features hold personal data, as lineage infers it."""

from __future__ import annotations

from tests.repo_factory import write_repo
from tests.server.live import serve
from virtualfs import FeatureStore

DEFINITIONS = """
from virtualfs import Aggregation, Entity, Feature, FeatureService, FeatureView, Source

customer = Entity("customer", ["customer_id"])
orders = Source("orders", query="SELECT customer_id, ordered_at, loaded_at, amount, items, amount * 2 AS doubled "
                                "FROM orders", timestamp="ordered_at", created="loaded_at",
                columns={"orders.amount": {"pii": True}})
customer_orders = FeatureView(
    "customer_orders", [customer], orders,
    [Feature("amount", "float64"), Feature("items", "int64"), Feature("doubled", "float64", pii=False)],
    aggregations=[Aggregation("spend_7d", "sum", "amount", "7d"), Aggregation("orders_7d", "count", "items", "7d")])
churn = FeatureService("churn", ["customer_orders:items"], owner="ml@shop.example", tags={"model": "churn"})
spend = FeatureService("spend", ["customer_orders:*"])
"""


def test_feature_views_and_services_mark_pii(tmp_path):
    repo = write_repo(tmp_path / "repo", definitions=DEFINITIONS)
    with FeatureStore(repo) as store:
        store.apply()
    with serve(repo) as server:
        [view] = server.get("/v1/feature-views").json()["feature_views"]
        services = server.get("/v1/feature-services").json()["feature_services"]
    assert view["pii"] is True
    assert {f["name"]: f["pii"] for f in view["features"]} == {"amount": True, "items": False, "doubled": False}
    assert {a["name"]: a["pii"] for a in view["aggregations"]} == {"spend_7d": True, "orders_7d": False}
    assert [(s["name"], s["pii"], s["pii_features"]) for s in services] == [
        ("churn", False, []), ("spend", True, ["customer_orders:amount", "customer_orders:spend_7d"])]
    assert services[0]["owner"] == "ml@shop.example" and services[0]["tags"] == {"model": "churn"}
