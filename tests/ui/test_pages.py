"""Every page and its JSON endpoint over plain HTTP, on the shop of ``shop.py``: what each shows
is checked against the rows and definitions the shop was built from, not against the UI."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.ui.shop import ORDERS
from virtualfs.ui.routes import PAGES

PAGES_OF_THE_SHOP = {  # every route of PAGES, on a name the shop has
    "": "/ui", "/search": "/ui/search?q=euros", "/catalog": "/ui/catalog", "/entities/{name}": "/ui/entities/customer",
    "/sources/{name}": "/ui/sources/orders", "/views/{name}": "/ui/views/customer_orders",
    "/features/{ref}": "/ui/features/customer_orders:amount", "/services/{name}": "/ui/services/churn",
    "/datasets": "/ui/datasets", "/datasets/{name}": "/ui/datasets/churn_train", "/versions": "/ui/versions",
    "/diff": "/ui/diff?old=1&new=2", "/lineage/{ref:path}": "/ui/lineage/customer_orders:amount",
    "/audit": "/ui/audit", "/on-demand/{name}": "/ui/on-demand/basket",
}


def text_of(html: str) -> str:
    """The page's words, tags and scripts left out (what a person reads)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_every_route_is_listed_here():
    assert sorted(page.path for page in PAGES) == sorted(PAGES_OF_THE_SHOP)


@pytest.mark.parametrize("path", sorted(PAGES_OF_THE_SHOP.values()))
def test_every_page_renders_with_its_json_endpoint(open_client, path):
    page = open_client.get(path)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert not re.search(r"(src|href)=\"(https?:)?//", page.text), "every asset is served by the UI itself"
    data = open_client.get(path.replace("/ui", "/ui/api", 1))
    assert data.status_code == 200
    assert isinstance(data.json(), dict)


def test_home_counts_recent_applies_failing_checks_and_stale_views(open_client):
    home = open_client.get("/ui/api").json()
    assert home["counts"] == {"views": 2, "features": 6, "entities": 1, "sources": 2, "services": 1, "datasets": 1}
    assert [v["version"] for v in home["applies"]] == [2, 1]
    assert [(r["view"], r["status"], r["rows_written"]) for r in home["refreshes"]] == \
        [("customer_orders", "success", len(ORDERS))] * 2
    # the warn check expects amounts within [0, 50]; the shop's orders go up to 99
    assert any(a > 50 for *_, a, _n, _c in ORDERS)
    assert [(f["view"], f["check"]) for f in home["failing_checks"]] == [("customer_orders", "amount_between")]
    # customer_profile is scheduled daily and was never refreshed; customer_orders just was
    assert [s["view"] for s in home["stale_views"]] == ["customer_profile"]
    assert "amount_between" in text_of(open_client.get("/ui").text)


def test_view_page_shows_features_types_owners_tags_pii_sql_runs_and_checks(open_client):
    page = open_client.get("/ui/views/customer_orders")
    data = open_client.get("/ui/api/views/customer_orders").json()
    rows = {f["name"]: f for f in data["features"]}
    assert {name: f["dtype"] for name, f in rows.items()} == \
        {"amount": "float64", "items": "float64", "channel": "string", "spend_7d": "float64"}
    assert rows["channel"]["owner"] == "sales@shop.example" and rows["channel"]["tags"] == {"tier": "gold"}
    assert rows["spend_7d"]["computes"] == "sum(amount) over 7d"
    assert not any(f["pii"] for f in rows.values())
    assert data["materialize"] == "table" and data["schedule"] == "@hourly"
    assert data["status"]["table"]["rows"] == len(ORDERS)
    assert data["runs"][0]["status"] == "success" and data["runs"][0]["seconds"] is not None
    results = {r["check"]: r["passed"] for r in data["checks"]["last_run"]["results"]}
    assert results == {"amount_not_null": True, "amount_between": False}
    # the source's table, selected, as highlighted SQL
    assert '<span class="sql-keyword">SELECT</span>' in page.text
    assert "Money spent on the order, in euros." in text_of(page.text)


def test_feature_statistics_agree_with_the_rows(open_client):
    data = open_client.get("/ui/api/features/customer_orders:amount").json()
    profile = data["statistics"]["profile"]
    amounts = [a for *_, a, _n, _c in ORDERS]
    assert (profile["rows"], profile["count"]) == (len(amounts), len(amounts))
    assert (profile["min"], profile["max"]) == (min(amounts), max(amounts))
    assert profile["mean"] == pytest.approx(sum(amounts) / len(amounts))
    assert sum(profile["histogram"]["counts"]) == len(amounts)
    page = open_client.get("/ui/features/customer_orders:amount").text
    assert re.search(r'<svg[^>]*aria-label="distribution of customer_orders:amount"', page)
    assert page.count("<rect") >= len(profile["histogram"]["counts"])


def test_feature_lineage_goes_up_to_the_column_and_down_to_service_and_dataset(open_client):
    lineage = open_client.get("/ui/api/features/customer_orders:amount").json()["lineage"]
    assert lineage["upstream_columns"] == ["orders.amount"]
    assert lineage["downstream"] == ["dataset/churn_train", "online/sqlite", "service/churn"]
    page = open_client.get("/ui/features/customer_orders:amount").text
    for href in ("/ui/lineage/orders.amount", "/ui/sources/orders", "/ui/services/churn",
                 "/ui/datasets/churn_train"):
        assert f'<a href="{href}">' in page


def test_lineage_of_a_service_or_a_view_draws_each_of_its_features(open_client):
    service = open_client.get("/ui/api/lineage/churn").json()
    assert {node for edge in service["edges"] for node in edge} >= {
        "service/churn", "customer_orders:amount", "customer_profile:country", "orders.amount", "customers.country"}
    assert 'class="node node-service focus" data-node="service/churn"' in open_client.get("/ui/lineage/churn").text
    view = open_client.get("/ui/api/lineage/customer_orders").json()
    features = {node for node, kind in view["kinds"].items() if kind == "feature"}
    assert features == {"customer_orders:amount", "customer_orders:items", "customer_orders:channel",
                        "customer_orders:spend_7d"}


def test_column_lineage_lists_the_features_computed_from_it(open_client):
    data = open_client.get("/ui/api/lineage/customers.email").json()
    assert "customer_profile:email" in data["downstream"]
    assert data["kinds"]["customers.email"] == "column"


def test_pii_is_labelled_where_it_follows_lineage(open_client):
    data = open_client.get("/ui/api/views/customer_profile").json()
    assert {f["name"]: f["pii"] for f in data["features"]} == {"email": True, "country": True}
    page = open_client.get("/ui/views/customer_profile").text
    assert page.count('class="pii"') == 2
    hits = open_client.get("/ui/api/search", params={"q": "customer_profile"}).json()["hits"]
    assert any(h["name"] == "customer_profile" and h["pii"] for h in hits)


def test_search_finds_a_feature_by_a_word_of_its_description(open_client):
    hits = open_client.get("/ui/api/search", params={"q": "euros"}).json()["hits"]
    assert hits[0]["name"] == "customer_orders:amount"
    assert hits[0]["href"] == "/ui/features/customer_orders:amount"
    by_kind = open_client.get("/ui/api/search", params={"q": "customer", "kind": "entity"}).json()["hits"]
    assert {h["kind"] for h in by_kind} == {"entity"}
    assert open_client.get("/ui/api/search", params={"q": "x", "kind": "table"}).status_code == 400


def test_service_entity_and_source_pages(open_client):
    service = open_client.get("/ui/api/services/churn").json()
    assert [f["ref"] for f in service["features"]] == [
        "customer_orders:amount", "customer_orders:items", "customer_orders:channel", "customer_orders:spend_7d",
        "customer_profile:country"]
    assert service["pii_features"] == ["customer_profile:country"]
    entity = open_client.get("/ui/api/entities/customer").json()
    assert entity["join_keys"] == ["customer_id"] and entity["views"] == ["customer_orders", "customer_profile"]
    source = open_client.get("/ui/api/sources/customer_profiles").json()
    assert source["columns"]["customers.email"]["pii"] is True
    assert "WHERE" in text_of(open_client.get("/ui/sources/customer_profiles").text)


def test_on_demand_page_shows_inputs_and_how_each_feature_is_computed(open_client):
    data = open_client.get("/ui/api/on-demand/basket").json()
    assert data["inputs"] == [
        {"kind": "feature", "ref": "customer_orders:amount", "href": "/ui/features/customer_orders:amount",
         "dtype": "float64", "description": "Money spent on the order, in euros."},
        {"kind": "request field", "name": "cart_total", "dtype": "float64", "description": "In the cart now."}]
    assert [(f["name"], f["dtype"], f["expression"]) for f in data["features"]] == [
        ("share", "float64", "cart_total / NULLIF(amount, 0)")]
    page = open_client.get("/ui/on-demand/basket").text
    assert '<span class="sql-function">NULLIF</span>' in page
    assert 'href="/ui/on-demand/basket"' in open_client.get("/ui/catalog").text


def test_an_on_demand_feature_address_leads_to_its_view_page(open_client):
    moved = open_client.get("/ui/features/basket:share", follow_redirects=False)
    assert moved.status_code == 307 and moved.headers["location"] == "/ui/on-demand/basket#share"
    data = open_client.get("/ui/api/features/basket:share", follow_redirects=False)
    assert data.headers["location"] == "/ui/api/on-demand/basket"
    assert open_client.get("/ui/features/basket:sahre").status_code == 404
    page = open_client.get("/ui/on-demand/baskt")
    assert page.status_code == 404 and "Did you mean basket" in text_of(page.text)


def test_dataset_page_shows_manifest_profile_and_recreate_status(open_client):
    data = open_client.get("/ui/api/datasets/churn_train").json()
    assert data["manifest"]["rows"] == 3 and data["manifest"]["catalog_version"] == 1
    assert [f["ref"] for f in data["features"]] == [
        "customer_orders:amount", "customer_orders:items", "customer_orders:channel", "customer_orders:spend_7d",
        "customer_profile:country"]
    shown = {p["column"] for p in data["profile"] if "numbers" in p}
    assert {"amount", "country"} <= shown
    assert data["recreated"] is None  # never recreated
    assert "virtualfs datasets recreate churn_train" in text_of(open_client.get("/ui/datasets/churn_train").text)


def test_version_diff_shows_the_changed_type(open_client):
    diff = open_client.get("/ui/api/diff", params={"old": 1, "new": 2}).json()
    assert [(c["action"], c["name"]) for c in diff["changes"]] == [("update", "customer_orders")]
    assert diff["changes"][0]["differences"] == ["customer_orders.items: int64 -> float64"]
    back = open_client.get("/ui/api/diff", params={"old": 2, "new": 1}).json()
    assert back["changes"][0]["differences"] == ["customer_orders.items: float64 -> int64"]
    assert "int64 -&gt; float64" in open_client.get("/ui/diff?old=1&new=2").text


@pytest.mark.parametrize(("path", "close"), [
    ("/ui/views/customer_order", "customer_orders"),
    ("/ui/features/customer_orders:amout", "customer_orders:amount"),
    ("/ui/services/chrun", "churn"),
    ("/ui/entities/custmer", "customer"),
    ("/ui/sources/order", "orders"),
    ("/ui/datasets/churn_trian", "churn_train"),
])
def test_unknown_names_are_404_naming_close_ones(open_client, path, close):
    page = open_client.get(path)
    assert page.status_code == 404
    assert f"Did you mean {close}" in text_of(page.text)
    assert f'href="{path.rsplit("/", 1)[0]}/{close}"' in page.text  # a link to the close one
    data = open_client.get(path.replace("/ui", "/ui/api", 1))
    assert data.status_code == 404 and f"'{close}'" in data.json()["error"]


def test_unknown_versions_pages_and_bad_parameters(open_client):
    assert open_client.get("/ui/api/diff", params={"old": 1, "new": 9}).status_code == 404
    assert open_client.get("/ui/api/diff", params={"old": "one", "new": 2}).status_code == 400
    assert open_client.get("/ui/no/such/page").status_code == 404
    assert open_client.get("/", follow_redirects=False).headers["location"] == "/ui"


def test_static_assets_are_shipped_in_the_package(open_client):
    for asset in ("ui.css", "ui.js", "favicon.svg"):
        assert open_client.get(f"/ui/static/{asset}").status_code == 200
    assert "fetch(" in open_client.get("/ui/static/ui.js").text
