"""Bad requests fail before anything runs, with an error naming what is wrong."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.retrieval.helpers import ENTITIES, entities
from virtualfs import Feature, FeatureService, FeatureView, NotFoundError, RequestError, Source
from virtualfs.errors import UnsupportedError
from virtualfs.registry import Registry
from virtualfs.retrieval import get_historical_features
from virtualfs.warehouses.duckdb import DuckDBWarehouse

ORDERS = FeatureView("orders", [ENTITIES["customer_id"]], Source("orders", table="orders", timestamp="at"),
                     [Feature("total", "float64"), Feature("count", "int64")])
RETURNS = FeatureView("returns", [ENTITIES["customer_id"]], Source("returns", table="returns", timestamp="at"),
                      [Feature("total", "float64")])
PRICES = FeatureView("prices", [ENTITIES["product_id"]], Source("prices", table="prices", timestamp="at"),
                     [Feature("price", "float64")])
REGISTRY = Registry.from_objects([ORDERS, RETURNS, PRICES, FeatureService("model", ["orders:total"])])
FRAME = entities((1, "2024-05-01"))


@pytest.fixture(scope="module")
def duckdb():
    warehouse = DuckDBWarehouse()
    yield warehouse
    warehouse.close()


def request(duckdb, features, frame=FRAME, **options):
    return get_historical_features(duckdb, REGISTRY, frame, features, **options)


@pytest.mark.parametrize(("features", "error", "message"), [
    (["ordrs:total"], NotFoundError, "unknown feature view 'ordrs' (did you mean 'orders'?)"),
    (["orders:totl"], NotFoundError, "feature view 'orders' has no feature 'totl' (did you mean 'total'?)"),
    ([], RequestError, "features must be a non-empty list"),
    ("modle", NotFoundError, "unknown feature service 'modle' (did you mean 'model'?)"),
    (["orders"], RequestError, "feature reference 'orders' must look like 'view:feature' or 'view:*'"),
    (["orders:total", "returns:total"], RequestError,
     "column 'total' is requested twice (orders:total and returns:total); pass full_feature_names=True"),
    (["orders:total", "orders:*"], RequestError, "column 'total' is requested twice"),
])
def test_bad_feature_references_are_named(duckdb, features, error, message) -> None:
    with pytest.raises(error) as raised:
        request(duckdb, features)
    assert message in str(raised.value)


def test_missing_join_key_names_the_view(duckdb) -> None:
    with pytest.raises(RequestError) as raised:
        request(duckdb, ["orders:total", "prices:price"])
    assert str(raised.value) == (
        "entity frame has no column 'product_id' (a join key of feature view 'prices'); "
        "it has customer_id, event_timestamp"
    )


def test_missing_timestamp_column_is_named_with_suggestion(duckdb) -> None:
    frame = FRAME.rename(columns={"event_timestamp": "event_timestmp"})
    with pytest.raises(RequestError, match="no column 'event_timestamp' .*did you mean 'event_timestmp'"):
        request(duckdb, ["orders:total"], frame)


@pytest.mark.parametrize("values", [["2024-05-01"], [20240501], [True]])  # dates are taken (midnight UTC)
def test_timestamp_column_must_hold_timestamps(duckdb, values) -> None:
    frame = pd.DataFrame({"customer_id": [1], "event_timestamp": values})
    with pytest.raises(RequestError, match="column 'event_timestamp' must hold timestamps"):
        request(duckdb, ["orders:total"], frame)


def test_feature_colliding_with_an_input_column_is_refused(duckdb) -> None:
    frame = FRAME.assign(total=[1.0])
    with pytest.raises(RequestError, match="already has column 'total'.*full_feature_names=True"):
        request(duckdb, ["orders:total"], frame)


def test_reserved_column_names_are_refused(duckdb) -> None:
    with pytest.raises(RequestError, match="'_vfs_row'.*reserved"):
        request(duckdb, ["orders:total"], FRAME.assign(_vfs_row=[0]))


@pytest.mark.parametrize("entity_df", [[{"customer_id": 1}], {"customer_id": [1]}, 42])
def test_entity_input_must_be_a_frame_table_or_select(duckdb, entity_df) -> None:
    with pytest.raises(RequestError, match="entity_df must be a pandas DataFrame, a pyarrow Table or a SELECT"):
        request(duckdb, ["orders:total"], entity_df)


@pytest.mark.parametrize("query", ["DELETE FROM orders", "SELECT 1; SELECT 2", "SELEC x"])
def test_entity_query_must_be_one_select(duckdb, query) -> None:
    with pytest.raises(RequestError, match="entity query"):
        request(duckdb, ["orders:total"], query)


@pytest.mark.parametrize(("query", "message"), [
    ("SELECT 'unterminated AS customer_id", "entity query does not parse"),
    ('SELECT "customer_id FROM labels', "entity query does not parse"),
    ("WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d", "entity query must only read, but contains DELETE"),
    ("SELECT * FROM orders FOR UPDATE", "entity query must only read"),
])
def test_entity_query_that_does_not_parse_or_writes_is_refused(duckdb, query, message) -> None:
    with pytest.raises(RequestError, match=message):
        request(duckdb, ["orders:total"], query)


@pytest.mark.parametrize("name", ['x"; DROP TABLE orders; --', "training set", "x'"])
def test_to_table_name_that_is_not_a_table_name_is_refused(duckdb, name) -> None:
    with pytest.raises(RequestError, match="to_table name .* is not a \\[db.\\]\\[schema.\\]table name"):
        request(duckdb, ["orders:total"]).to_table(name)


def test_unknown_rule_is_refused(duckdb) -> None:
    with pytest.raises(RequestError, match="point_in_time must be one of known, event; got 'latest'"):
        request(duckdb, ["orders:total"], point_in_time="latest")


def test_strategy_the_warehouse_cannot_run_is_refused_at_compile_time(duckdb) -> None:
    import dataclasses

    from virtualfs.compile.pit import MatchCondition

    job = dataclasses.replace(request(duckdb, ["orders:total"]), strategy=MatchCondition())
    with pytest.raises(UnsupportedError, match="match_condition"):
        job.sql  # noqa: B018


def test_service_object_name_and_references_resolve_alike(duckdb) -> None:
    by_name = request(duckdb, "model").feature_names
    assert request(duckdb, REGISTRY.service("model")).feature_names == by_name == ["total"]
    assert request(duckdb, ["orders:total"]).feature_names == by_name
