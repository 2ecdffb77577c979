"""PII follows lineage: a feature computed from a column a source marks PII is PII — through any
query, CTE, expression or aggregation filter — unless it is declared ``pii=False``, a
declassification that ``plan`` shows as such; a service holding a PII feature is marked."""

from __future__ import annotations

import json

import pytest

from tests.backends import DIALECTS
from tests.repo_factory import write_repo
from virtualfs import Aggregation, Entity, Feature, FeatureService, FeatureStore, FeatureView, Source
from virtualfs.catalog import diff
from virtualfs.errors import DefinitionError, NotFoundError
from virtualfs.governance import classify
from virtualfs.registry import Registry

customer = Entity("customer", ["customer_id"])
# The CRM table is classified by its own source; the orders query reads it through a CTE.
people = Source("people", table="crm.customers", timestamp="signup_at",
                columns={"crm.customers.email": {"pii": True, "description": "Login and receipts."},
                         "crm.customers.birth_date": {"pii": True},
                         "crm.customers.country": {"pii": False, "description": "Not PII on its own."}})
orders = Source("orders", query="""
    WITH buyers AS (SELECT customer_id AS id, email, birth_date, country FROM crm.customers)
    SELECT o.customer_id, o.ordered_at, o.amount,
           CASE WHEN b.email LIKE '%@shop.example' THEN 'staff' ELSE 'public' END AS buyer_kind,
           EXTRACT(YEAR FROM b.birth_date) AS birth_year,
           b.country, o.note
    FROM orders AS o JOIN buyers AS b ON b.id = o.customer_id
""", timestamp="ordered_at", columns={"note": {"pii": True, "description": "Free text: may name people."}})
profile = FeatureView("profile", [customer], people, [Feature("email", "string"), Feature("country", "string")])
purchases = FeatureView(
    "purchases", [customer], orders,
    [Feature("amount", "float64"), Feature("buyer_kind", "string"), Feature("country", "string"),
     Feature("birth_year", "int64", pii=False, description="Reviewed: a year alone identifies no one."),
     Feature("note", "string")],
    aggregations=[Aggregation("spend_7d", "sum", "amount", "7d"),
                  Aggregation("staff_spend_7d", "sum", "amount", "7d", filter="buyer_kind = 'staff'"),
                  Aggregation("orders_7d", "count", "amount", "7d", pii=True)])
model = FeatureService("model", ["purchases:amount", "purchases:buyer_kind"])
clean = FeatureService("clean", ["purchases:amount", "purchases:birth_year", "profile:country"])
REGISTRY = Registry.from_objects([profile, purchases, model, clean])

EXPECTED = {  # ref -> (pii, reason); the names fold like the warehouse's
    "profile:email": (True, "computed from PII column {email}"),
    "profile:country": (False, "no PII column upstream"),
    "purchases:amount": (False, "no PII column upstream"),
    "purchases:buyer_kind": (True, "computed from PII column {email}"),
    "purchases:country": (False, "no PII column upstream"),
    "purchases:birth_year": (False, "declassified (pii=False) although computed from PII column {birth_date}"),
    "purchases:note": (True, "computed from PII source column orders.{note}"),
    "purchases:spend_7d": (False, "no PII column upstream"),
    "purchases:staff_spend_7d": (True, "computed from PII column {email}"),
    "purchases:orders_7d": (True, "declared pii=True"),
}
NAMES = {"email": "crm.customers.email", "birth_date": "crm.customers.birth_date", "note": "note"}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_pii_is_inferred_through_lineage_and_declassified_only_explicitly(dialect):
    found = classify(REGISTRY, dialect)
    fold = str.upper if dialect == "snowflake" else str.lower
    names = {key: fold(name) for key, name in NAMES.items()}
    expected = {ref: (pii, reason.format(**names)) for ref, (pii, reason) in EXPECTED.items()}
    assert {ref: (each.pii, each.reason) for ref, each in found.features.items()} == expected
    assert found.of("purchases:birth_year").declassified and not found.of("purchases:note").declassified
    assert found.pii_features() == [ref for ref, (pii, _) in EXPECTED.items() if pii]


def test_a_service_holding_a_pii_feature_is_marked():
    found = classify(REGISTRY, "duckdb")
    assert found.service_pii("model") == ("purchases:buyer_kind",)
    assert found.service_pii("clean") == ()


def test_a_pii_column_is_pii_in_every_source_that_reads_it_however_qualified():
    """Classified once as ``crm.customers.email``; read unqualified (the search path finds it)
    by a source that declares nothing."""
    other = Source("signups", query="SELECT customer_id, signup_at, UPPER(email) AS mail FROM customers",
                   timestamp="signup_at")
    view = FeatureView("signups", [customer], other, [Feature("mail", "string")])
    found = classify(Registry.from_objects([profile, view]), "postgres")
    assert found.of("signups:mail").pii_columns == {"customers.email"}


@pytest.mark.parametrize(("key", "dialect", "pii"), [
    # a key folds like the warehouse folds names: unquoted keys match unquoted SQL everywhere
    ("customers.EMAIL", "snowflake", True), ("customers.EMAIL", "postgres", True),
    # a quoted key keeps its case: on Snowflake and PostgreSQL "Email" is another column than email
    ('customers."Email"', "snowflake", False), ('customers."Email"', "postgres", False),
    ('customers."Email"', "duckdb", True),  # DuckDB resolves names without regard to case
    ('customers."EMAIL"', "snowflake", True),
])
def test_classified_columns_are_matched_as_the_warehouse_resolves_names(key, dialect, pii):
    source = Source("people", query="SELECT customer_id, signup_at, email FROM customers", timestamp="signup_at",
                    columns={key: {"pii": True}})
    view = FeatureView("people", [customer], source, [Feature("email", "string")])
    assert classify(Registry.from_objects([view]), dialect).is_pii("people:email") is pii


def test_a_column_the_query_does_not_place_is_pii_while_it_may_be():
    source = Source("joined", query="SELECT a.customer_id, a.ts, email FROM a JOIN crm.customers c ON true",
                    timestamp="ts")
    view = FeatureView("joined", [customer], source, [Feature("email", "string")])
    found = classify(Registry.from_objects([profile, view]), "duckdb").of("joined:email")
    assert found.pii and found.possible_pii_columns == {"crm.customers.email"} and not found.pii_columns
    assert "qualify the column" in found.reason


def test_classification_as_data():
    data = classify(REGISTRY, "duckdb").to_dict()
    assert data["features"]["purchases:birth_year"] == {
        "ref": "purchases:birth_year", "pii": False, "declared": False, "declassified": True,
        "pii_columns": ["crm.customers.birth_date"], "possible_pii_columns": [], "pii_outputs": [],
        "reason": "declassified (pii=False) although computed from PII column crm.customers.birth_date"}
    assert data["services"]["model"] == {"pii": True, "pii_features": ["purchases:buyer_kind"]}
    json.dumps(data)


def test_unknown_feature_and_bad_column_key_are_named():
    with pytest.raises(NotFoundError, match="no feature 'purchases:amout'.*did you mean"):
        classify(REGISTRY, "duckdb").of("purchases:amout")
    bad = Source("bad", table="t", timestamp="ts", columns={"t.select": {"pii": True}})
    view = FeatureView("bad", [customer], bad, [Feature("x", "string")])
    with pytest.raises(DefinitionError, match="source 'bad': columns: 't.select' is not 'table.column'"):
        classify(Registry.from_objects([view]), "duckdb")


def test_plan_shows_a_declassification_as_such():
    before = Registry.from_objects([purchases])
    declassified = FeatureView(purchases.name, purchases.entities, purchases.source,
                               [*purchases.features[:4], Feature("note", "string", pii=False)],
                               aggregations=purchases.aggregations)
    (change,) = diff(before, Registry.from_objects([declassified])).changes
    assert not change.affects_data
    assert [d.text() for d in change.differences()] == [
        "purchases.note.pii: none -> false  (declassification: review it; no rebuild)"]
    assert [d.declassifies for d in change.differences()] == [True]


def test_plan_shows_the_declassified_features_of_a_new_view():
    (_, _, created) = diff(Registry(), Registry.from_objects([purchases])).changes
    assert created.action == "create" and created.name == "purchases"
    assert [d.text() for d in created.differences()] == [
        "+ feature purchases.birth_year (int64; declared pii=False)  (declassification: review it; no rebuild)"]


def test_store_classification_and_search_mark_pii(tmp_path):
    definitions = """
        from virtualfs import Entity, Feature, FeatureService, FeatureView, Source

        customer = Entity("customer", ["customer_id"])
        orders = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at",
                        columns={"orders.amount": {"pii": True, "description": "Reveals income."}})
        customer_orders = FeatureView("customer_orders", [customer], orders,
                                      [Feature("amount", "float64"), Feature("items", "int64")])
        churn = FeatureService("churn", ["customer_orders:items"])
        spend = FeatureService("spend", ["customer_orders:*"])
    """
    with FeatureStore(write_repo(tmp_path / "repo", definitions=definitions)) as store:
        store.apply()
        assert store.classification().pii_features() == ["customer_orders:amount"]
        hits = {hit.name: hit.pii for hit in store.search()}
    assert hits == {"customer": False, "orders": True, "customer_orders": True, "customer_orders:amount": True,
                    "customer_orders:items": False, "churn": False, "spend": True}
