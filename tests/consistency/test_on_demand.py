"""On-demand features in the report: logged with the request fields each entity row sent, replayed
offline with those fields as entity frame columns (the expression then runs in the warehouse);
a ratio served from an input the online store had not refreshed is reported ``different``, with
the values worked out here from the rows written."""

from __future__ import annotations

from datetime import timedelta

from tests.consistency.repos import START, append_orders, consistency_repo, hours
from virtualfs import FeatureStore

DEFINITIONS = """\
from virtualfs import Entity, Feature, FeatureView, OnDemandView, RequestField, Source

customer = Entity("customer", ["customer_id"])
orders = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
customer_orders = FeatureView("customer_orders", [customer], orders,
                              [Feature("amount", "float64"), Feature("items", "int64")], ttl="3650d")
cart = OnDemandView("cart", ["customer_orders:amount", RequestField("cart_total", "float64")],
                    features=[Feature("ratio", "float64")],
                    expressions={"ratio": "cart_total / NULLIF(amount, 0)"})
"""


def test_on_demand_outputs_are_compared_with_the_request_fields_they_were_served_with(tmp_path):
    rows = [(k, START + hours(k), START + hours(k + 1), float(k), k) for k in (1, 2, 3)]
    carts = [10.0, 30.0, 7.0]
    repo = consistency_repo(tmp_path / "repo", "duckdb", "{type: sqlite}", rows=rows, definitions=DEFINITIONS)
    with repo as root:
        with FeatureStore(root) as store:
            store.apply()
            store.materialize()
        # key 2's amount is 20 from now on offline; the online store still holds 2
        append_orders(root, [(2, START + timedelta(days=40), START + timedelta(days=40, hours=1), 20.0, 2)])
        with FeatureStore(root) as store:
            served = store.get_online_features([{"customer_id": k} for k in (1, 2, 3)], ["cart:ratio"],
                                               request_data={"cart_total": carts}).to_dict()["ratio"]
            report = store.consistency_report()
    assert served == [10.0 / 1, 30.0 / 2, 7.0 / 3]
    ratio = report.feature("cart:ratio")
    assert ratio.counts == {"equal": 2, "stale": 0, "missing_online": 0, "different": 1}
    (example,) = ratio.worst
    assert (example.entity, example.online, example.offline) == ('{"customer_id": 2}', 15.0, 30.0 / 20.0)
    assert report.undefined == ()


def test_the_server_logs_the_request_fields_of_on_demand_features(tmp_path):
    from starlette.testclient import TestClient

    from virtualfs.server.app import build_app

    rows = [(k, START + hours(k), START + hours(k + 1), float(k), k) for k in (1, 2)]
    repo = consistency_repo(tmp_path / "repo", "duckdb", "{type: parquet}", rows=rows, definitions=DEFINITIONS)
    with repo as root:
        with FeatureStore(root) as store:
            store.apply()
            store.materialize()
        body = {"features": ["cart:ratio", "customer_orders:items"], "entities": {"customer_id": [1, 2]},
                "request": {"cart_total": [5.0, 9.0]}}
        with FeatureStore(root) as store, TestClient(build_app(store)) as client:
            reply = client.post("/v1/online-features", json=body)
        assert reply.status_code == 200, reply.text
        assert reply.json()["values"]["ratio"] == [5.0, 4.5]
        with FeatureStore(root) as store:
            report = store.consistency_report()
    assert [f.feature for f in report.features] == ["cart:ratio", "customer_orders:items"]
    assert all(f.rows == 2 and f.share("equal") == 1.0 for f in report.features)
