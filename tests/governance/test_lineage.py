"""Column lineage: a feature traced through its source's SQL to the warehouse columns it is
computed from, named as each warehouse resolves them, and down to what carries it."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pytest
from sqlglot import exp

from tests.backends import DIALECTS, create_user_table
from tests.repo_factory import write_repo
from virtualfs import Aggregation, Entity, Feature, FeatureService, FeatureStore, FeatureView, Source
from virtualfs.compile.scan import source_relation
from virtualfs.errors import NotFoundError, RequestError
from virtualfs.governance import Carriers, lineage_of
from virtualfs.governance.columns import WarehouseColumn, origins
from virtualfs.registry import Registry

# CTEs (one aggregating another), a join, an expression, CASE, a function, a constant: each
# output column's lineage is written out by hand below.
QUERY = """
WITH paid AS (
    SELECT o.order_id, o.customer_id, o.ordered_at, o.loaded_at,
           o.amount * (1 - COALESCE(o.discount, 0)) AS net_amount, o.payment_method
    FROM orders AS o
    WHERE o.status <> 'void'
), people AS (
    SELECT customer_id AS person_id, email, country, birth_year FROM customers
), per_customer AS (
    SELECT customer_id, COUNT(*) AS orders_seen, MAX(net_amount) AS largest_net
    FROM paid GROUP BY customer_id
)
SELECT p.customer_id, p.ordered_at, p.loaded_at, p.net_amount,
       CASE WHEN c.country IN ('DE', 'AT') THEN 'dach' WHEN c.country IS NULL THEN NULL ELSE 'other' END
           AS region,
       LOWER(c.email) AS email_lower,
       2026 - c.birth_year AS age,
       s.orders_seen, s.largest_net, p.payment_method, 'web' AS channel
FROM paid AS p
JOIN people AS c ON c.person_id = p.customer_id
LEFT JOIN per_customer AS s ON s.customer_id = p.customer_id
"""
EXPECTED = {
    "customer_orders:net_amount": {"orders.amount", "orders.discount"},
    "customer_orders:region": {"customers.country"},
    "customer_orders:email_lower": {"customers.email"},
    "customer_orders:age": {"customers.birth_year"},
    "customer_orders:orders_seen": set(),  # COUNT(*): computed from rows, not from a column
    "customer_orders:largest_net": {"orders.amount", "orders.discount"},
    "customer_orders:payment_method": {"orders.payment_method"},
    "customer_orders:channel": set(),
    # an aggregation reads its column and its filter's columns
    "customer_orders:dach_spend_30d": {"orders.amount", "orders.discount", "customers.country"},
    "customer_orders:card_orders_7d": {"orders.amount", "orders.discount", "orders.payment_method"},
}
FOLDED = {"duckdb": str.lower, "postgres": str.lower, "snowflake": str.upper, "spark": str.lower}

customer = Entity("customer", ["customer_id"])
orders = Source("orders", query=QUERY, timestamp="ordered_at", created="loaded_at")
customer_orders = FeatureView(
    "customer_orders", [customer], orders,
    [Feature("net_amount", "float64"), Feature("region", "string"), Feature("email_lower", "string"),
     Feature("age", "int64"), Feature("orders_seen", "int64"), Feature("largest_net", "float64"),
     Feature("payment_method", "string"), Feature("channel", "string")],
    aggregations=[Aggregation("dach_spend_30d", "sum", "net_amount", "30d", filter="region = 'dach'"),
                  Aggregation("card_orders_7d", "count", "net_amount", "7d", filter="payment_method = 'card'")],
)
churn = FeatureService("churn", ["customer_orders:net_amount", "customer_orders:region"])
everything = FeatureService("everything", ["customer_orders:*"])
REGISTRY = Registry.from_objects([customer_orders, churn, everything])


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("ref", EXPECTED)
def test_lineage_through_ctes_joins_and_expressions_matches_the_hand_written_one(ref, dialect):
    found = lineage_of(REGISTRY, ref, dialect, Carriers(), direction="up")
    assert found.upstream_columns == {FOLDED[dialect](column) for column in EXPECTED[ref]}
    assert not found.unresolved and not found.downstream


def test_upstream_columns_are_names_the_warehouse_resolves(warehouse):
    """Each column of the lineage, quoted exactly as named, reads from the warehouse's own tables
    (made the way a user makes them, unquoted); the source query itself runs there too."""
    _create_tables(warehouse)
    assert warehouse.fetch_arrow(source_relation(orders, warehouse.dialect)).num_rows == 1
    columns = set().union(*(lineage_of(REGISTRY, ref, warehouse.dialect, Carriers(), "up").upstream_columns
                            for ref in EXPECTED))
    assert len(columns) == 6
    for name in columns:
        *table, column = name.split(".")
        read = exp.select(exp.column(exp.to_identifier(column, quoted=True))).from_(
            exp.table_(exp.to_identifier(table[-1], quoted=True)))
        assert warehouse.fetch_arrow(read).num_rows >= 1, name


@pytest.mark.parametrize(("query", "column", "expected", "unresolved"), [
    ("SELECT * FROM sales.orders", "amount", {"sales.orders.amount"}, set()),
    ("WITH o AS (SELECT * FROM orders) SELECT customer_id, amount AS paid FROM o", "paid", {"orders.amount"},
     set()),
    ("SELECT a.x + b.y AS total FROM a JOIN b ON a.id = b.id", "total", {"a.x", "b.y"}, set()),
    ("SELECT x FROM a UNION ALL SELECT y FROM b", "x", {"a.x", "b.y"}, set()),
    ("SELECT SUM(v) OVER (PARTITION BY k ORDER BY t) AS running FROM a", "running", {"a.v", "a.k", "a.t"}, set()),
    ("SELECT (SELECT MAX(z) FROM b) AS top FROM a", "top", {"b.z"}, set()),
    # the query does not say which table email is from: neither is guessed
    ("SELECT email FROM a JOIN b ON a.id = b.id", "email", set(), {"email"}),
])
def test_lineage_of_query_shapes(query, column, expected, unresolved):
    traced = origins(Source("s", query=query, timestamp="t"), column, "duckdb")
    assert {str(c) for c in traced.columns} == expected and traced.unresolved == unresolved


def test_an_unresolved_column_may_come_from_any_table_the_query_reads():
    traced = origins(Source("s", query="SELECT email FROM a JOIN crm.b ON a.id = b.id", timestamp="t"),
                     "email", "snowflake")
    assert traced.possible() == {WarehouseColumn(("A",), "EMAIL"), WarehouseColumn(("CRM", "B"), "EMAIL")}


def test_a_table_source_passes_its_columns_through_folded():
    source = Source("s", table="Sales.Orders", timestamp="t")
    assert {str(c) for c in origins(source, "Amount", "snowflake").columns} == {"SALES.ORDERS.AMOUNT"}
    assert {str(c) for c in origins(source, "Amount", "postgres").columns} == {"sales.orders.amount"}


def test_downstream_are_the_services_and_datasets_holding_the_feature_and_the_online_store():
    carriers = Carriers(online=frozenset({"customer_orders"}), online_store="redis",
                        datasets={"training_q3": ("customer_orders:*",), "other": ("x:y",)})
    found = lineage_of(REGISTRY, "customer_orders:region", "duckdb", carriers, direction="down")
    assert found.downstream == {"service/churn", "service/everything", "online/redis", "dataset/training_q3"}
    assert not found.upstream_columns
    age = lineage_of(REGISTRY, "customer_orders:age", "duckdb", Carriers(), direction="both")
    assert age.downstream == {"service/everything"} and age.upstream_columns == {"customers.birth_year"}


def test_going_down_from_a_warehouse_column_finds_the_features_computed_from_it():
    found = lineage_of(REGISTRY, "customers.country", "postgres", Carriers(), direction="down")
    assert found.downstream == {"customer_orders:region", "customer_orders:dach_spend_30d",
                                "service/churn", "service/everything"}
    assert ("customers.country", "source/orders") in found.edges
    assert ("customers.birth_year", "source/orders") not in found.edges


def test_a_view_or_a_service_is_the_union_of_its_features():
    service = lineage_of(REGISTRY, "churn", "duckdb", Carriers(), direction="up")
    assert service.upstream_columns == {"orders.amount", "orders.discount", "customers.country"}
    view = lineage_of(REGISTRY, "customer_orders:*", "duckdb", Carriers(), direction="up")
    assert view.upstream_columns == set().union(*EXPECTED.values())


def test_lineage_as_data_and_as_dot():
    found = lineage_of(REGISTRY, "customer_orders:region", "duckdb", Carriers(), direction="both")
    assert found.to_dict() == {
        "ref": "customer_orders:region", "direction": "both", "upstream_columns": ["customers.country"],
        "downstream": ["service/churn", "service/everything"], "unresolved": [], "possible_columns": [],
        "edges": [["customer_orders:region", "service/churn"], ["customer_orders:region", "service/everything"],
                  ["customers.country", "source/orders"], ["source/orders", "customer_orders:region"]]}
    dot = found.to_dot()
    assert dot.startswith("digraph lineage {") and dot.endswith("}")
    assert '"customers.country" [shape=box];' in dot and '"customer_orders:region" [shape=ellipse, style=bold];' in dot
    assert '"source/orders" -> "customer_orders:region";' in dot


@pytest.mark.parametrize(("ref", "direction", "error", "message"), [
    ("customer_orders:nope", "up", NotFoundError, "has no feature 'nope'"),
    ("custmer_orders:age", "up", NotFoundError, "did you mean 'customer_orders'"),
    ("customer_orders:age", "sideways", RequestError, "direction must be one of up, down, both"),
    ("a.b c", "down", RequestError, "neither 'view:feature' nor"),
])
def test_lineage_of_an_unknown_reference_is_refused(ref, direction, error, message):
    with pytest.raises(error, match=message):
        lineage_of(REGISTRY, ref, "duckdb", Carriers(), direction)


def test_store_lineage_sees_the_online_store_once_materialized(tmp_path):
    with FeatureStore(write_repo(tmp_path / "repo", ttl="3650d")) as store:
        store.apply()
        assert store.lineage("customer_orders:amount").downstream == {"service/churn"}
        store.materialize()
        found = store.lineage("customer_orders:amount")
    assert found.upstream_columns == {"orders.amount"} and found.downstream == {"service/churn", "online/sqlite"}


def _create_tables(warehouse) -> None:
    when = datetime(2026, 1, 1)
    create_user_table(warehouse, "orders", pa.table({
        "order_id": [1], "customer_id": [7], "ordered_at": [when], "loaded_at": [when], "amount": [10.0],
        "discount": [0.1], "payment_method": ["card"], "status": ["paid"]}))
    create_user_table(warehouse, "customers", pa.table({
        "customer_id": [7], "email": ["a@b.example"], "country": ["DE"], "birth_year": [1990]}))
