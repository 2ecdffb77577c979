"""On-demand features used as a user uses them: defined in a repository, applied, served online
(library and HTTP) and in training frames, versioned in the catalog."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from starlette.testclient import TestClient

from tests.repo_factory import DEFINITIONS, write_repo
from virtualfs import FeatureStore
from virtualfs.errors import DefinitionError, RequestError, UnsupportedError

ON_DEMAND = '''
from virtualfs import OnDemandView, RequestField

def per_item(columns):
    amounts, items = columns["amount"], columns["items"]
    return {"per_item": [None if a is None or not i else a / i for a, i in zip(amounts, items)]}

cart = OnDemandView("cart", ["customer_orders:amount", RequestField("cart_total", "float64")],
                    [Feature("ratio", "float64"), Feature("big_cart", "bool")],
                    expressions={"ratio": "cart_total / NULLIF(amount, 0)", "big_cart": "cart_total > 2 * amount"},
                    description="The cart against the last order.")
unit = OnDemandView("unit", ["customer_orders:amount", "customer_orders:items"], [Feature("per_item", "float64")],
                    function=per_item)
fraud = FeatureService("fraud", ["cart:*", "unit:per_item", "customer_orders:items"])
'''
LABELS = pd.DataFrame({"customer_id": [1, 7, 1], "cart_total": [19.0, 3.0, None],
                       "event_timestamp": pd.to_datetime(["2026-02-01", "2026-02-01", "2026-02-02"], utc=True)})


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = write_repo(tmp_path_factory.mktemp("on_demand"), DEFINITIONS.format(entity_description="x", ttl="3650d")
                      + ON_DEMAND)
    with FeatureStore(root) as opened:
        opened.apply()
        opened.materialize()
        yield opened


def test_online_values_equal_the_training_frame_values(store) -> None:
    # the one order of customer 1 (amount 9.5, items 2) is known at both label times
    frame = store.get_historical_features(LABELS, "fraud").to_pandas()
    online = store.get_online_features([{"customer_id": k} for k in LABELS.customer_id], "fraud",
                                       request_data={"cart_total": [19.0, 3.0, None]}).to_dict()
    assert list(frame.columns[-4:]) == ["items", "ratio", "big_cart", "per_item"] == list(online)[1:]
    expected = {"ratio": [2.0, None, None], "big_cart": [False, None, None], "per_item": [4.75, None, 4.75]}
    for name, want in expected.items():
        assert online[name] == want
        assert [None if pd.isna(v) else v for v in frame[name]] == want


def test_statuses_of_computed_features_follow_their_inputs(store) -> None:
    response = store.get_online_features([{"customer_id": 1}, {"customer_id": 7}], ["cart:ratio"],
                                         request_data={"cart_total": [1.0, 1.0]})
    assert [str(s) for s in response.statuses["ratio"]] == ["PRESENT", "NOT_FOUND"]
    assert response.event_times["ratio"][0] is not None and response.event_times["ratio"][1] is None
    assert response.feature_names == ["ratio"]  # the input read for it is not returned


@pytest.mark.parametrize(("request_data", "message"), [
    (None, "cart_total"),
    ({"cart_total": [1.0]}, "1 values for 2 rows"),
    ({"cart_total": ["a lot", 2.0]}, "is not a float64"),
    ({"cart_total": 3.0}, "must be a list"),
])
def test_bad_request_data_names_the_field(store, request_data, message) -> None:
    with pytest.raises(RequestError, match=message):
        store.get_online_features([{"customer_id": 1}, {"customer_id": 7}], ["cart:ratio"], request_data=request_data)


def test_a_training_frame_without_the_request_column_is_refused(store) -> None:
    with pytest.raises(RequestError, match="cart_total"):
        store.get_historical_features(LABELS.drop(columns="cart_total"), ["cart:ratio"])


def test_full_feature_names_name_on_demand_columns_by_their_view(store) -> None:
    frame = store.get_historical_features(LABELS, ["cart:ratio", "customer_orders:amount"],
                                          full_feature_names=True).to_pandas()
    assert list(frame.columns[-2:]) == ["customer_orders__amount", "cart__ratio"]


def test_a_python_body_cannot_be_written_in_the_warehouse_but_an_expression_can(store) -> None:
    with pytest.raises(UnsupportedError, match="unit computes its features in Python"):
        store.get_historical_features(LABELS, ["unit:per_item"]).to_table("vfs_per_item")
    dataset = store.get_historical_features(LABELS, ["cart:ratio"]).save("cart_ratios", overwrite=True)
    values = dataset.to_pandas()["ratio"]
    assert values.iloc[0] == 2.0 and values.iloc[1:].isna().all()


def test_the_http_api_takes_request_fields(store) -> None:
    from virtualfs.server.app import build_app

    with TestClient(build_app(store)) as client:
        ok = client.post("/v1/online-features", json={"feature_service": "fraud", "entities": {"customer_id": [1]},
                                                      "request": {"cart_total": [19.0]}})
        missing = client.post("/v1/online-features", json={"features": ["cart:ratio"],
                                                           "entities": {"customer_id": [1]}})
        wrong = client.post("/v1/online-features", json={"features": ["cart:ratio"], "entities": {"customer_id": [1]},
                                                         "request": {"cart_total": ["x"]}})
        extra = client.post("/v1/online-features", json={"features": ["cart:ratio"], "entities": {"customer_id": [1]},
                                                         "request": {"cart_total": [1.0], "tip": [2]}})
    assert ok.status_code == 200, ok.text
    assert ok.json()["values"]["ratio"] == [2.0] and ok.json()["values"]["per_item"] == [4.75]
    assert "_vfs_in_customer_orders__amount" not in ok.json()["values"]
    assert (missing.status_code, missing.json()["error"]["field"]) == (400, "request.cart_total")
    assert (wrong.status_code, wrong.json()["error"]["field"]) == (400, "request.cart_total")
    assert (extra.status_code, extra.json()["error"]["field"]) == (400, "request.tip")


def test_plan_shows_a_changed_python_body_by_its_hash(store, tmp_path) -> None:
    features = store.config.root / "features.py"
    before = features.read_text()
    try:
        features.write_text(before.replace("a / i for a, i", "a / i / 1 for a, i"))
        changes = [c for c in store.plan().changes if c.name == "unit"]
        assert [c.action for c in changes] == ["update"]
        assert {"function_source", "function_hash"} <= {f.field for f in changes[0].fields}
    finally:
        features.write_text(before)


def test_catalog_keeps_the_program_so_reads_need_no_parser(store) -> None:
    applied = store.registry().on_demand["cart"]
    assert applied.programs["ratio"].startswith('["/"')
    assert applied.function_source is None and store.registry().on_demand["unit"].function_hash


@pytest.mark.parametrize(("body", "message"), [
    ('OnDemandView("v", ["customer_orders:amount"], [Feature("o", "float64")])', "exactly one body"),
    ('OnDemandView("v", ["customer_orders:amount"], [Feature("o", "float64")], expressions={"o": "amount + tip"})',
     "reads 'tip', which is not an input"),
    ('OnDemandView("v", ["customer_orders:amount"], [Feature("o", "float64")], expressions={"o": "SUM(amount)"})',
     "is not supported"),
    ('OnDemandView("v", ["customer_orders:*"], [Feature("o", "float64")], expressions={"o": "1"})', "not '\\*'"),
    ('OnDemandView("v", ["customer_orders:amount"], [Feature("o", "float64")], function=lambda c: c)', "lambda"),
    ('OnDemandView("v", ["customer_orders:amount", RequestField("amount", "float64")], [Feature("o", "float64")], '
     'expressions={"o": "amount"})', "duplicate input name"),
])
def test_bad_definitions_are_refused_naming_what_is_wrong(body, message) -> None:
    from virtualfs import Feature, OnDemandView, RequestField  # noqa: F401 - used by eval

    with pytest.raises(DefinitionError, match=message):
        eval(body)  # noqa: S307 - the definitions under test, as a user writes them


def test_an_input_naming_no_feature_is_refused_at_load(tmp_path) -> None:
    bad = ON_DEMAND.replace('"customer_orders:items"], [Feature("per_item"', '"customer_orders:itemz"], [Feature("per_item"')
    root = write_repo(tmp_path, DEFINITIONS.format(entity_description="x", ttl="1d") + bad)
    with pytest.raises(DefinitionError, match="unit.*did you mean 'items'"):
        FeatureStore(root).repository()


def test_division_by_zero_is_null_both_ways(store) -> None:
    labels = LABELS.assign(cart_total=[0.0, 0.0, 0.0])
    frame = store.get_historical_features(labels, ["cart:ratio"]).to_pandas()
    online = store.get_online_features([{"customer_id": 1}], ["cart:ratio"], request_data={"cart_total": [0.0]})
    assert frame["ratio"].iloc[0] == 0.0 == online.to_dict()["ratio"][0]
    assert not any(isinstance(v, float) and math.isinf(v) for v in frame["ratio"])


def test_search_and_lineage_know_on_demand_features(store) -> None:
    hits = [(hit.kind, hit.name) for hit in store.search("cart against the last order")]
    assert hits[0] == ("on demand view", "cart")
    lineage = store.lineage("fraud")
    # computed from customer_orders' amount and items: traced to the columns those read
    assert {"orders.amount", "orders.items"} <= set(lineage.upstream_columns)


def test_a_saved_frame_with_on_demand_features_is_recreated_identical(store) -> None:
    dataset = store.get_historical_features(LABELS, ["cart:ratio", "customer_orders:items"]).save(
        "cart_recreated", overwrite=True)
    assert list(dataset.info.features) == ["customer_orders:items", "cart:ratio"]
    report = store.recreate_dataset("cart_recreated")
    assert report.identical, report


def test_a_python_body_runs_once_per_batch_of_rows(store, monkeypatch) -> None:
    from virtualfs import Feature, OnDemandView
    from virtualfs.registry import Registry
    from virtualfs.retrieval import get_historical_features, job

    def batch_size(columns):
        rows = len(columns["amount"])
        return {"rows_in_call": [rows] * rows}

    sizes = OnDemandView("sizes", ["customer_orders:amount"], [Feature("rows_in_call", "int64")], function=batch_size)
    registry = store.registry()
    registry = Registry.from_objects([*registry.objects(), sizes])
    monkeypatch.setattr(job, "_FUNCTION_BATCH_ROWS", 2)
    labels = pd.concat([LABELS, LABELS]).reset_index(drop=True)  # 6 rows: batches of 2, 2, 2
    frame = get_historical_features(store.warehouse, registry, labels, ["sizes:rows_in_call"]).to_pandas()
    assert frame["rows_in_call"].tolist() == [2] * 6
    monkeypatch.setattr(job, "_FUNCTION_BATCH_ROWS", 4)
    frame = get_historical_features(store.warehouse, registry, labels, ["sizes:rows_in_call"]).to_pandas()
    assert frame["rows_in_call"].tolist() == [4, 4, 4, 4, 2, 2]


def test_an_expression_the_warehouse_cannot_compute_is_refused_at_apply(tmp_path) -> None:
    from virtualfs.errors import ValidationError

    # a timestamp divided by an amount: parsed fine, refused by the warehouse's types
    bad = ON_DEMAND.replace('RequestField("cart_total", "float64")', 'RequestField("cart_total", "timestamp")')
    root = write_repo(tmp_path, DEFINITIONS.format(entity_description="x", ttl="1d") + bad)
    with FeatureStore(root) as opened:
        with pytest.raises(ValidationError, match="on demand view 'cart'.*cart_total timestamp"):
            opened.apply()
        assert not opened.catalog.registry().on_demand  # nothing was applied
