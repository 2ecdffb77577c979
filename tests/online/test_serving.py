"""get_online_features: inputs, outputs and errors (store-independent; memory store)."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pyarrow as pa
import pytest

from tests.backends import create_user_table
from tests.online.helpers import at, shop_registry, write_rows
from tests.online.test_materialize import orders_table
from virtualfs.errors import NotFoundError, RequestError
from virtualfs.online.base import Status
from virtualfs.online.memory import MemoryOnlineStore
from virtualfs.registry import Registry
from virtualfs.serving.read import get_online_features


@pytest.fixture
def shop():
    registry = shop_registry()
    store = MemoryOnlineStore(project="test")
    write_rows(store, registry.view("customer_orders"),
               [{"customer_id": 1, "event": at(0), "amount": 9.5, "items": 2, "note": "x"}])
    write_rows(store, registry.view("customer_profile"),
               [{"customer_id": 1, "event": at(0), "segment": "gold", "vip": True, "signup": at(-60)}])
    write_rows(store, registry.view("customer_product"),
               [{"customer_id": 1, "product_id": "p|1", "event": at(0), "views": 4}])
    return store, registry


def test_features_from_refs_service_object_and_service_name(shop):
    store, registry = shop
    rows = [{"customer_id": 1}]
    by_refs = get_online_features(store, registry, rows, ["customer_orders:amount", "customer_profile:*"])
    by_service = get_online_features(store, registry, rows, registry.service("reorder"))
    by_name = get_online_features(store, registry, rows, "reorder")
    expected = {"customer_id": [1], "amount": [9.5], "segment": ["gold"], "vip": [True], "signup": [at(-60)]}
    assert by_refs.to_dict() == by_service.to_dict() == by_name.to_dict() == expected


def test_full_feature_names_and_request_order_of_columns(shop):
    store, registry = shop
    response = get_online_features(
        store, registry, [{"customer_id": 1, "product_id": "p|1", "extra": "ignored"}],
        ["customer_product:views", "customer_orders:amount"],
        full_feature_names=True,
    )
    assert list(response.to_dict()) == ["customer_id", "product_id", "customer_product__views",
                                        "customer_orders__amount"]
    assert response.to_dict()["customer_product__views"] == [4]


def test_dataframe_and_columnar_inputs_equal_list_of_dicts(shop):
    store, registry = shop
    features = ["customer_orders:amount", "customer_orders:note"]
    ids = [1, 2, 1]
    from_rows = get_online_features(store, registry, [{"customer_id": k} for k in ids], features)
    from_frame = get_online_features(store, registry, pd.DataFrame({"customer_id": ids}), features)
    from_columns = get_online_features(store, registry, {"customer_id": ids}, features)
    assert from_rows.to_dict() == from_frame.to_dict() == from_columns.to_dict()
    frame = from_rows.to_pandas()
    assert list(frame.columns) == ["customer_id", "amount", "note"] and len(frame) == 3
    assert [str(t) for t in frame.dtypes] == ["int64", "float64", "string"]
    profile = get_online_features(store, registry, {"customer_id": [1, 2]}, ["customer_profile:*",
                                                                            "customer_orders:items"]).to_pandas()
    assert [str(t) for t in profile.dtypes] == ["int64", "string", "boolean", "datetime64[us, UTC]", "Int64"]
    assert profile["items"].tolist() == [2, pd.NA] and profile["vip"].tolist() == [True, pd.NA]


def test_statuses_and_event_times_per_value(shop):
    store, registry = shop
    response = get_online_features(store, registry, [{"customer_id": 1}, {"customer_id": 2}],
                                   ["customer_orders:amount"])
    assert response.statuses == {"amount": [Status.PRESENT, Status.NOT_FOUND]}
    assert response.event_times == {"amount": [at(0), None]}
    assert str(Status.OUTSIDE_TTL) == "OUTSIDE_TTL"


@pytest.mark.parametrize(("rows", "features", "error", "message"), [
    ([{"id": 1}], ["customer_orders:amount"], RequestError, "entity row 0 has no join key 'customer_id'"),
    ([{"customer_id": 1.5}], ["customer_orders:amount"], RequestError,
     "entity row 0: join key 'customer_id': expected an integer or a string, got float"),
    ([{"customer_id": 1}, {"customer_id": None}], ["customer_orders:amount"], RequestError,
     "entity row 1: join key 'customer_id'.*NoneType"),
    ([{"customer_id": True}], ["customer_orders:amount"], RequestError, "got bool"),
    ([], ["customer_orders:amount"], RequestError, "entity_rows is empty"),
    ([{"customer_id": 1}], [], RequestError, "features must be a non-empty list"),
    ([{"customer_id": 1}], ["customer_order:amount"], NotFoundError,
     "unknown feature view 'customer_order' \\(did you mean 'customer_orders'"),
    ([{"customer_id": 1}], ["customer_orders:amout"], NotFoundError,
     "no feature 'amout' \\(did you mean 'amount'"),
    ([{"customer_id": 1}], "reordr", NotFoundError, "unknown feature service 'reordr' \\(did you mean"),
    ([{"customer_id": 1}], ["customer_orders.amount"], RequestError, "must look like 'view:feature'"),
    ([{"customer_id": 1}], ["customer_orders:amount", "customer_orders:amount"], RequestError,
     "column 'amount' is requested twice.*full_feature_names=True"),
    ([1], ["customer_orders:amount"], RequestError, "entity row 0 must be a dict"),
    ("customer_id=1", ["customer_orders:amount"], RequestError, "must be a list of dicts"),
    ({"customer_id": 1}, ["customer_orders:amount"], RequestError, "column 'customer_id' must be a list"),
])
def test_bad_requests_name_what_is_wrong(shop, rows, features, error, message):
    store, registry = shop
    with pytest.raises(error, match=message):
        get_online_features(store, registry, rows, features)


def test_numpy_and_text_ids_find_the_same_key(shop):
    store, registry = shop
    frame = pd.DataFrame({"customer_id": pd.array([1], dtype="int64")})
    text = get_online_features(store, registry, [{"customer_id": "1"}], ["customer_orders:amount"])
    numpy = get_online_features(store, registry, frame, ["customer_orders:amount"])
    assert text.to_dict()["amount"] == numpy.to_dict()["amount"] == [9.5]


def test_read_through_fallback_computes_caches_and_respects_ttl(duckdb_warehouse, store):
    registry = Registry.from_objects([shop_registry(ttl="1d").view("customer_orders")])
    rows = [{"customer_id": 1, "ordered_at": at(0), "loaded_at": at(5), "amount": 1.0, "items": 1, "note": "a"},
            {"customer_id": 1, "ordered_at": at(10), "loaded_at": at(500), "amount": 2.0, "items": 2,
             "note": "landed later"},
            {"customer_id": 2, "ordered_at": at(0), "loaded_at": at(0), "amount": 3.0, "items": 3, "note": "old"}]
    create_user_table(duckdb_warehouse, "orders", orders_table(rows))
    entity_rows = [{"customer_id": k} for k in (1, 2, 3)]
    response = get_online_features(store, registry, entity_rows, ["customer_orders:note"], now=at(100),
                                   fallback=duckdb_warehouse)
    assert response.to_dict()["note"] == ["a", "old", None]
    assert response.statuses["note"] == [Status.PRESENT, Status.PRESENT, Status.NOT_FOUND]
    cached = get_online_features(store, registry, entity_rows, ["customer_orders:note"], now=at(100))
    assert cached.to_dict()["note"] == ["a", "old", None]
    stale = get_online_features(store, registry, entity_rows[1:2], ["customer_orders:note"],
                                now=at(0) + timedelta(days=2), fallback=duckdb_warehouse)
    assert stale.statuses["note"] == [Status.OUTSIDE_TTL]


def test_read_through_uploads_compound_and_text_keys(duckdb_warehouse):
    registry = shop_registry()
    table = pa.table({"customer_id": pa.array([1, 1], pa.int64()), "product_id": ["p|1", "q"],
                      "at": pa.array([at(0), at(1)], pa.timestamp("us", tz="UTC")), "views": [5, 6]})
    create_user_table(duckdb_warehouse, "pairs", table)
    store = MemoryOnlineStore(project="test")
    response = get_online_features(store, registry, [{"customer_id": "1", "product_id": "p|1"},
                                                     {"customer_id": 1, "product_id": "q"}],
                                   ["customer_product:views"], now=at(10), fallback=duckdb_warehouse)
    assert response.to_dict()["views"] == [5, 6]


def test_aggregations_are_read_like_features():
    # values and types are covered in tests/aggregate/test_online.py; here: the references resolve
    import dataclasses

    from virtualfs.definitions.aggregation import Aggregation

    registry = shop_registry()
    mixed = dataclasses.replace(registry.view("customer_orders"),
                                aggregations=(Aggregation("orders_7d", "count", "items", "7d"),))
    registry = Registry.from_objects([mixed])
    store = MemoryOnlineStore(project="test")
    rows = [{"customer_id": 1}]
    # an empty store: no rows in any window, so the count is 0, as offline
    assert get_online_features(store, registry, rows, ["customer_orders:orders_7d"]).to_dict()["orders_7d"] == [0]
    assert get_online_features(store, registry, rows, ["customer_orders:*"]).feature_names == [
        "amount", "items", "note", "orders_7d"]


def test_read_path_imports_neither_pandas_nor_pyarrow(tmp_path):
    import subprocess
    import sys

    from virtualfs.online.sqlite import SQLiteOnlineStore

    registry = shop_registry()
    store = SQLiteOnlineStore(str(tmp_path / "online.db"), project="test")
    write_rows(store, registry.view("customer_orders"), [{"customer_id": 1, "event": at(0), "amount": 9.5}])
    code = "\n".join([
        "import sys",
        "from virtualfs import Entity, Feature, FeatureView, Source",
        "from virtualfs.online.sqlite import SQLiteOnlineStore",
        "from virtualfs.registry import Registry",
        "from virtualfs.serving.read import get_online_features",
        "customer = Entity('customer', ['customer_id'])",
        "source = Source('orders', table='orders', timestamp='ordered_at', created='loaded_at')",
        "features = [Feature('amount', 'float64'), Feature('items', 'int64'), Feature('note', 'string')]",
        "registry = Registry.from_objects([FeatureView('customer_orders', [customer], source, features)])",
        f"store = SQLiteOnlineStore({str(tmp_path / 'online.db')!r}, project='test')",
        "response = get_online_features(store, registry, [{'customer_id': 1}], ['customer_orders:amount'])",
        "assert response.to_dict()['amount'] == [9.5], response.to_dict()",
        "print(sorted(m for m in ('pandas', 'pyarrow', 'numpy', 'redis') if m in sys.modules))",
    ])
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
