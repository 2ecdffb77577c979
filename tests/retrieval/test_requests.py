"""Request handling: output columns and types, entity inputs, results written to the warehouse."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest
import sqlglot
from sqlglot import exp

from tests.retrieval.helpers import ENTITIES, create_source, entities, orders_view
from virtualfs import Feature, FeatureView, RequestError, Source
from virtualfs.dialects.identifiers import warehouse_table
from virtualfs.registry import Registry
from virtualfs.retrieval import get_historical_features

T = "2024-05-01 12:00"
ROWS = [(1, "2024-05-01 09:00", "2024-05-01 09:05", 10.0), (2, "2024-05-01 11:00", "2024-05-01 11:00", 20.0)]


def test_output_keeps_input_columns_index_and_types(warehouse) -> None:
    frame = entities((2, T), (1, T), (3, T))
    frame["label"] = pd.array([True, None, False], dtype="boolean")
    frame.index = [10, 20, 30]
    with orders_view(warehouse, ROWS) as registry:
        result = get_historical_features(warehouse, registry, frame, ["orders:total"]).to_pandas()
    assert result.index.tolist() == [10, 20, 30]
    pd.testing.assert_frame_equal(result[frame.columns], frame)
    assert result["total"].tolist()[:2] == [20.0, 10.0]


def test_features_come_back_with_their_declared_types(warehouse) -> None:
    source = pd.DataFrame({
        "customer_id": pd.array([1, 1], dtype="Int64"),
        "at": pd.to_datetime(["2024-05-01 09:00", "2024-05-01 10:00"], utc=True).astype("datetime64[us, UTC]"),
        "n": pd.array([None, 2**53 + 1], dtype="Int64"), "x": pd.array([1, None], dtype="Int64"),
        "s": pd.array(["a", None], dtype="string"), "b": pd.array([None, True], dtype="boolean"),
        "when": pd.to_datetime([None, "2024-01-01"], utc=True).astype("datetime64[us, UTC]"),
    })
    create_source(warehouse, "typed_source", source, naive=("at",))
    features = [Feature("n", "int64"), Feature("x", "float64"), Feature("s", "string"), Feature("b", "bool"),
                Feature("when", "timestamp")]
    view = FeatureView("typed", [ENTITIES["customer_id"]], Source("typed", table="typed_source", timestamp="at"),
                       features)
    frame = entities((1, "2024-05-01 09:30"), (1, T), (2, T))
    try:
        job = get_historical_features(warehouse, Registry.from_objects([view]), frame, ["typed:*"])
        table, result = job.to_arrow(), job.to_pandas()
    finally:
        warehouse.execute(exp.Drop(this=warehouse_table("typed_source", warehouse.dialect), kind="TABLE"))
    assert table.schema.field("n").type == pa.int64()
    assert table.schema.field("when").type == pa.timestamp("us", tz="UTC")
    assert {c: str(t) for c, t in result.dtypes.items() if c in job.feature_names} == {
        "n": "Int64", "x": "float64", "s": "string", "b": "boolean", "when": "datetime64[us, UTC]"}
    assert result["n"].tolist()[:2] == [pd.NA, 2**53 + 1]
    assert result["when"].iloc[1] == pd.Timestamp("2024-01-01", tz="UTC")


def test_empty_entity_frame_gives_empty_typed_result(warehouse) -> None:
    frame = entities()
    with orders_view(warehouse, ROWS) as registry:
        result = get_historical_features(warehouse, registry, frame, ["orders:total"]).to_pandas()
    assert list(result.columns) == ["customer_id", "event_timestamp", "total"] and len(result) == 0
    assert str(result["total"].dtype) == "float64"


def test_arrow_entities_give_arrow_with_features_appended(warehouse) -> None:
    table = pa.table({"customer_id": [1, 2], "event_timestamp": pa.array(pd.to_datetime([T, T]), pa.timestamp("ms"))})
    with orders_view(warehouse, ROWS) as registry:
        result = get_historical_features(warehouse, registry, table, ["orders:total"]).to_arrow()
    assert result.select(["customer_id", "event_timestamp"]).equals(table)
    assert result.column("total").to_pylist() == [10.0, 20.0]


def test_timestamp_column_may_be_named(warehouse) -> None:
    frame = entities((1, T), timestamp="label_time")
    with orders_view(warehouse, ROWS) as registry:
        job = get_historical_features(warehouse, registry, frame, ["orders:total"], timestamp_column="label_time")
        assert job.to_pandas()["total"].tolist() == [10.0]


def test_views_with_different_entities_in_one_request(warehouse) -> None:
    products = pd.DataFrame({
        "product_id": pd.array([7, 7], dtype="Int64"),
        "updated_at": pd.to_datetime(["2024-04-01", "2024-05-02"], utc=True).astype("datetime64[us, UTC]"),
        "price": pd.array([1.5, 2.5], dtype="Float64"),
    })
    create_source(warehouse, "product_prices", products)
    prices = FeatureView("prices", [ENTITIES["product_id"]],
                         Source("prices", table="product_prices", timestamp="updated_at"), [Feature("price", "float64")])
    frame = entities((1, T), (2, "2024-05-03"))
    frame["product_id"] = [7, 7]
    try:
        with orders_view(warehouse, ROWS) as orders:
            registry = Registry.from_objects([*orders.views.values(), prices])
            result = get_historical_features(warehouse, registry, frame, ["prices:price", "orders:total"]).to_pandas()
    finally:
        warehouse.execute(exp.Drop(this=warehouse_table("product_prices", warehouse.dialect), kind="TABLE"))
    assert list(result.columns) == ["customer_id", "event_timestamp", "product_id", "price", "total"]
    assert result["price"].tolist() == [1.5, 2.5] and result["total"].tolist() == [10.0, 20.0]


def test_full_feature_names_prefix_the_view(warehouse) -> None:
    with orders_view(warehouse, ROWS) as registry:
        job = get_historical_features(warehouse, registry, entities((1, T)), ["orders:*"], full_feature_names=True)
        assert job.to_pandas().columns.tolist() == ["customer_id", "event_timestamp", "orders__total"]


@pytest.mark.parametrize(("order", "positions"), [("position", [1, 2, 3]), ("3 DESC", [3, 2, 1]),
                                                ("rank", [3, 2, 1])])
def test_entities_from_a_warehouse_query_keep_its_order(warehouse, order, positions) -> None:
    labels = pd.DataFrame({"customer_id": pd.array([2, 1, 3], dtype="Int64"),
                           "event_timestamp": pd.to_datetime([T, T, T], utc=True).astype("datetime64[us, UTC]"),
                           "position": pd.array([1, 2, 3], dtype="Int64")})
    create_source(warehouse, "labels", labels, naive=("event_timestamp",))
    totals = {1: 20.0, 2: 10.0, 3: None}
    try:
        with orders_view(warehouse, ROWS) as registry:
            query = f"SELECT customer_id, event_timestamp, position, -position AS rank FROM labels ORDER BY {order}"
            result = get_historical_features(warehouse, registry, query, ["orders:total"]).to_pandas()
    finally:
        warehouse.execute(exp.Drop(this=warehouse_table("labels", warehouse.dialect), kind="TABLE"))
    assert [c.lower() for c in result.columns] == ["customer_id", "event_timestamp", "position", "rank", "total"]
    assert result.iloc[:, 2].tolist() == positions
    assert [None if pd.isna(v) else v for v in result["total"]] == [totals[p] for p in positions]


def test_to_table_writes_the_result_in_the_warehouse(warehouse) -> None:
    frame = entities((2, T), (1, T))
    frame["label"] = [1, 0]
    with orders_view(warehouse, ROWS) as registry:
        target = get_historical_features(warehouse, registry, frame, ["orders:total"]).to_table("training_set")
    try:
        order = exp.Ordered(this=exp.column(exp.to_identifier("label", quoted=True)), nulls_first=False)
        written = warehouse.fetch_arrow(exp.select("*").from_(target).order_by(order))
    finally:
        warehouse.execute(exp.Drop(this=target, kind="TABLE"))
    assert [c.lower() for c in written.column_names] == ["customer_id", "event_timestamp", "label", "total"]
    assert written.column(written.num_columns - 1).to_pylist() == [10.0, 20.0]


def test_to_table_twice_is_refused_unless_overwritten(warehouse) -> None:
    with orders_view(warehouse, ROWS) as registry:
        first = get_historical_features(warehouse, registry, entities((2, T), (1, T)), ["orders:total"])
        target = first.to_table("train_v1")
        try:
            with pytest.raises(RequestError, match="table 'train_v1' already exists; pass overwrite=True"):
                first.to_table("train_v1")
            second = get_historical_features(warehouse, registry, entities((1, T)), ["orders:*"],
                                             full_feature_names=True)
            assert second.to_table("train_v1", overwrite=True) == target
            written = warehouse.fetch_arrow(exp.select("*").from_(target))
            assert [c.lower() for c in written.column_names] == ["customer_id", "event_timestamp", "orders__total"]
            assert written.column(2).to_pylist() == [10.0]
            leftovers = [t for t in _tables(warehouse) if t.lower().startswith("_vfs_stage")]
            assert leftovers == []
        finally:
            warehouse.execute(exp.Drop(this=target, kind="TABLE", exists=True))


def _tables(warehouse) -> list[str]:
    if warehouse.dialect == "spark":  # no information_schema in Spark's own catalog
        return [t.name for t in warehouse.session.catalog.listTables()]
    query = sqlglot.parse_one("SELECT table_name FROM information_schema.tables")
    return [str(v) for v in warehouse.fetch_arrow(query).column(0).to_pylist()]


def test_sql_is_the_warehouse_dialect_and_runs_nothing(warehouse) -> None:
    with orders_view(warehouse, ROWS) as registry:
        job = get_historical_features(warehouse, registry, entities((1, T)), ["orders:total"])
        text = job.sql
    statement = sqlglot.parse_one(text, read=warehouse.dialect)
    assert isinstance(statement, exp.Select)
    assert {t.name for t in statement.find_all(exp.Table)} >= {"_vfs_entities"}


@pytest.mark.parametrize("rule", ["known", "event"])
def test_rows_without_created_time_are_the_same_under_both_rules(warehouse, rule: str) -> None:
    rows = [(1, "2024-05-01 09:00", 1.0), (1, "2024-05-01 12:00", 2.0)]
    with orders_view(warehouse, rows, created=False) as registry:
        job = get_historical_features(warehouse, registry, entities((1, T)), ["orders:total"], point_in_time=rule)
        assert job.to_pandas()["total"].tolist() == [2.0]


def test_entity_rows_without_a_time_are_refused_unless_nulls_are_asked_for(warehouse) -> None:
    frame = entities((1, T), (2, T), (1, T))
    frame.loc[[0, 2], "event_timestamp"] = pd.NaT
    labels = frame.assign(position=[1, 2, 3])
    create_source(warehouse, "null_labels", labels, naive=("event_timestamp",))
    query = "SELECT customer_id, event_timestamp, position FROM null_labels ORDER BY position"
    try:
        with orders_view(warehouse, ROWS) as registry:
            for given in (frame, pa.Table.from_pandas(frame, preserve_index=False), query):
                with pytest.raises(RequestError, match="(?i)'event_timestamp' is null in 2 row"):
                    get_historical_features(warehouse, registry, given, ["orders:total"])
            result = get_historical_features(warehouse, registry, query, ["orders:total"],
                                             on_null_timestamp="null").to_pandas()
            assert [None if pd.isna(v) else v for v in result["total"]] == [None, 20.0, None]
            result = get_historical_features(warehouse, registry, frame, ["orders:total"],
                                             on_null_timestamp="null").to_pandas()
            assert [None if pd.isna(v) else v for v in result["total"]] == [None, 20.0, None]
    finally:
        warehouse.execute(exp.Drop(this=warehouse_table("null_labels", warehouse.dialect), kind="TABLE"))


def test_a_date_label_column_is_midnight_utc(warehouse) -> None:
    days = [dt.date(2024, 5, 1), dt.date(2024, 5, 2)]
    frame = pd.DataFrame({"customer_id": pd.array([2, 2], dtype="Int64"), "event_timestamp": days})
    rows = [(2, "2024-04-30 23:59", "2024-04-30 23:59", 1.0), (2, "2024-05-01 00:00", "2024-05-01 00:00", 2.0),
            (2, "2024-05-01 00:01", "2024-05-01 00:01", 3.0)]
    with orders_view(warehouse, rows) as registry:
        result = get_historical_features(warehouse, registry, frame, ["orders:total"]).to_pandas()
        pd.testing.assert_series_equal(result["event_timestamp"], frame["event_timestamp"])  # kept as given
        assert result["total"].tolist() == [2.0, 3.0]  # the row at midnight counts, a minute later does not
