"""search, lineage, and what describe and plan show of classification, as a user runs them."""

import json

import pytest

from tests.cli.test_cli import run
from tests.repo_factory import write_repo

DEFINITIONS = """
from virtualfs import Aggregation, Entity, Feature, FeatureService, FeatureView, Source

customer = Entity("customer", ["customer_id"], description="A shopper.", owner="growth@shop.example")
orders = Source(
    "orders", query="SELECT customer_id, ordered_at, loaded_at, amount, items, amount / items AS unit_price "
                    "FROM orders",
    timestamp="ordered_at", created="loaded_at", owner="data-eng@shop.example",
    columns={{"orders.amount": {{"pii": True, "description": "Reveals what a person earns."}}}},
)
customer_orders = FeatureView(
    "customer_orders", [customer], orders,
    [Feature("amount", "float64", description="Money paid for the latest order."),
     Feature("items", "int64", description="Articles in the basket."),
     Feature("unit_price", "float64"{unit_price})],
    aggregations=[Aggregation("orders_7d", "count", "items", "7d", description="Orders in the last week.")],
    ttl="30d", owner="growth@shop.example", tags={{"domain": "orders"}},
)
churn = FeatureService("churn", ["customer_orders:items", "customer_orders:orders_7d"], tags={{"model": "churn"}})
spend = FeatureService("spend", ["customer_orders:*"], tags={{"model": "spend"}})
"""


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    root = write_repo(tmp_path_factory.mktemp("governed") / "repo", definitions=DEFINITIONS.format(unit_price=""))
    assert run("apply", "-r", str(root)).returncode == 0
    return root


def test_search_finds_a_feature_by_a_word_of_its_description_and_forgives_a_typo(repo):
    for text in ("basket", "baskt", "articles"):
        hits = json.loads(run("search", text, "-r", str(repo), "--json").stdout)
        assert hits[0]["name"] == "customer_orders:items" and hits[0]["kind"] == "feature", text
    table = run("search", "money", "-r", str(repo), columns=200)
    assert table.returncode == 0 and "customer_orders:amount" in table.stdout and "PII" in table.stdout


def test_search_filters_by_kind_tag_and_owner(repo):
    def names(*args):
        return [hit["name"] for hit in json.loads(run("search", *args, "-r", str(repo), "--json").stdout)]

    assert names("--kind", "service") == ["churn", "spend"]
    assert names("--tag", "model=churn") == ["churn"]
    assert names("--tag", "model", "--kind", "service") == ["churn", "spend"]
    assert names("--owner", "data-eng") == ["orders"]
    hits = json.loads(run("search", "--kind", "service", "-r", str(repo), "--json").stdout)
    assert {hit["name"]: hit["pii"] for hit in hits} == {"churn": False, "spend": True}
    nothing = run("search", "zeppelin", "-r", str(repo))
    assert nothing.returncode == 0 and nothing.stdout.strip() == "nothing found"


def test_lineage_as_text_json_and_dot(repo):
    text = run("lineage", "customer_orders:unit_price", "-r", str(repo))
    assert text.returncode == 0
    assert text.stdout.splitlines() == ["lineage of customer_orders:unit_price", "  upstream columns",
                                        "    orders.amount", "    orders.items", "  downstream", "    service/spend"]
    data = json.loads(run("lineage", "orders.amount", "--direction", "down", "--format", "json",
                          "-r", str(repo)).stdout)
    assert data["downstream"] == ["customer_orders:amount", "customer_orders:unit_price", "service/spend"]
    dot = run("lineage", "churn", "--format", "dot", "-r", str(repo)).stdout
    assert dot.startswith("digraph lineage {") and '"orders.items" -> "source/orders";' in dot


def test_lineage_of_an_unknown_feature_is_one_line_and_exit_1(repo):
    done = run("lineage", "customer_orders:itms", "-r", str(repo))
    assert done.returncode == 1
    assert done.stderr.strip() == ("error: feature view 'customer_orders' has no feature 'itms' "
                                   "(did you mean 'items'?)")


def test_describe_shows_lineage_and_classification(repo):
    page = run("describe", "customer_orders", "-r", str(repo), columns=200).stdout
    assert "  lineage and classification" in page
    assert "amount      <- orders.amount                PII: computed from PII column orders.amount" in page
    assert "orders_7d   <- orders.items" in page
    service = run("describe", "spend", "-r", str(repo)).stdout
    assert "  pii           yes: 2 PII features" in service
    data = json.loads(run("describe", "customer_orders", "-r", str(repo), "--json").stdout)
    assert data["classification"]["customer_orders:unit_price"]["pii_columns"] == ["orders.amount"]
    assert data["lineage"]["customer_orders:items"] == {"upstream_columns": ["orders.items"], "unresolved": []}
    source = run("describe", "orders", "-r", str(repo)).stdout
    assert "    orders.amount  pii      Reveals what a person earns." in source


def test_plan_shows_a_declassification_for_review(repo, tmp_path):
    changed = write_repo(tmp_path / "repo", definitions=DEFINITIONS.format(unit_price=", pii=False"))
    (changed / ".virtualfs").mkdir(exist_ok=True)
    (changed / ".virtualfs" / "catalog.db").write_bytes((repo / ".virtualfs" / "catalog.db").read_bytes())
    plan = run("plan", "-r", str(changed))
    assert plan.returncode == 0
    assert ("    customer_orders.unit_price.pii: none -> false  (declassification: review it; no rebuild)"
            in plan.stdout.splitlines())
    (change,) = json.loads(run("plan", "-r", str(changed), "--json").stdout)["changes"]
    assert [d["declassifies"] for d in change["differences"]] == [True]
