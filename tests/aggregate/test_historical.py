"""Aggregations in ``get_historical_features``: mixed with plain features and other views, one
request, the same API; output columns are the aggregations' names, typed by ``output_dtype``."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
import pyarrow as pa
import pytest

from tests.aggregate.helpers import CUSTOMER, create_source, drop_source
from tests.reference.aggregate import ReferenceAggregation, ReferenceSource, reference_aggregates
from tests.reference.pit import ReferenceView, reference_frame
from virtualfs import Aggregation, Feature, FeatureService, FeatureView, Source
from virtualfs.compile.service import service_sql
from virtualfs.registry import Registry
from virtualfs.retrieval import get_historical_features

T0 = datetime(2024, 5, 1, tzinfo=timezone.utc)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


ORDERS = pd.DataFrame({
    "customer_id": pd.array([1, 1, 1, 1, 2, 2, 3], dtype="Int64"),
    "event_ts": [at(0), at(10), at(30), at(47), at(5), at(40), at(1)],
    "created_ts": [at(0), at(11), at(60), at(47), at(5), at(40), at(2)],
    "amount": pd.array([10.0, 20.0, 40.0, None, 5.0, 7.5, 1.0], dtype="Float64"),
    "items": pd.array([1, 2, 4, 8, 1, None, 3], dtype="Int64"),
    "status": pd.array(["paid", "paid", "refund", "paid", "paid", "paid", None], dtype="string"),
})
LABELS = pd.DataFrame({
    "customer_id": pd.array([1, 2, 1, 3, 1, 4, 2], dtype="Int64"),
    "event_timestamp": [at(48), at(41), at(12), at(3), at(48), at(48), at(4)],
    "label": [1, 0, 0, 1, 1, 0, 1],
})
AGGREGATIONS = [
    Aggregation("orders_1d", "count", "items", "1d"),
    Aggregation("spend_2d", "sum", "amount", "2d", filter="status = 'paid'"),
    Aggregation("items_2d", "sum", "items", "2d"),
    Aggregation("avg_amount_2d", "avg", "amount", "2d"),
    Aggregation("last_status_2d", "last", "status", "2d"),
]
REFERENCE = [
    ReferenceAggregation("orders_1d", "count", "items", timedelta(days=1)),
    ReferenceAggregation("spend_2d", "sum", "amount", timedelta(days=2),
                         keep=lambda r: r["status"] is not pd.NA and r["status"] == "paid"),
    ReferenceAggregation("items_2d", "sum", "items", timedelta(days=2)),
    ReferenceAggregation("avg_amount_2d", "avg", "amount", timedelta(days=2)),
    ReferenceAggregation("last_status_2d", "last", "status", timedelta(days=2)),
]


@pytest.fixture
def registry(warehouse):
    table = create_source(warehouse, ORDERS, naive=False)
    source = Source("orders", table=table, timestamp="event_ts", created="created_ts")
    mixed = FeatureView("orders", [CUSTOMER], source, [Feature("amount", "float64")], aggregations=AGGREGATIONS)
    only = FeatureView("order_counts", [CUSTOMER], source,
                       aggregations=[Aggregation("orders_3d", "count", "items", "3d")])
    plain = FeatureView("last_order", [CUSTOMER], source, [Feature("items", "int64")], ttl="1d")
    service = FeatureService("model", ["orders:amount", "orders:spend_2d", "last_order:items",
                                       "order_counts:orders_3d", "orders:orders_1d"])
    yield Registry.from_objects([mixed, only, plain, service])
    drop_source(warehouse, table)


def test_aggregations_join_plain_features_in_one_request(warehouse, registry):
    features = ["orders:orders_1d", "orders:amount", "last_order:items", "orders:spend_2d",
                "orders:items_2d", "orders:avg_amount_2d", "orders:last_status_2d", "order_counts:orders_3d"]
    frame = get_historical_features(warehouse, registry, LABELS, features).to_pandas()
    # grouped by view in order of first mention, each view's features in request order
    assert list(frame.columns) == [*LABELS.columns, "orders_1d", "amount", "spend_2d", "items_2d",
                                   "avg_amount_2d", "last_status_2d", "items", "orders_3d"]
    assert str(frame["orders_1d"].dtype) == "Int64" and str(frame["items_2d"].dtype) == "Int64"
    assert frame["spend_2d"].dtype == "float64" and str(frame["last_status_2d"].dtype) == "string"
    source = ReferenceSource(ORDERS, ("customer_id",), "event_ts", "created_ts")
    expected = pd.DataFrame(reference_aggregates(LABELS, source, REFERENCE, "known"))
    expected["orders_3d"] = [r["n"] for r in reference_aggregates(
        LABELS, source, [ReferenceAggregation("n", "count", "items", timedelta(days=3))], "known")]
    plain = reference_frame(LABELS, [
        ReferenceView(ORDERS, ("customer_id",), "event_ts", "created_ts", (("amount", "amount"),)),
        ReferenceView(ORDERS, ("customer_id",), "event_ts", "created_ts", (("items", "items"),), timedelta(days=1)),
    ], "known")
    for column in expected.columns:
        assert _values(frame[column]) == _values(expected[column]), column
    for column in ("amount", "items"):
        assert _values(frame[column]) == _values(plain[column]), column


def test_aggregations_by_service_with_event_rule_and_full_names(warehouse, registry):
    job = get_historical_features(warehouse, registry, pa.Table.from_pandas(LABELS), "model",
                                  full_feature_names=True, point_in_time="event")
    table = job.to_arrow()
    assert table.column_names[len(LABELS.columns):] == [
        "orders__amount", "orders__spend_2d", "orders__orders_1d", "last_order__items", "order_counts__orders_3d"]
    assert table.schema.field("orders__orders_1d").type == pa.int64()
    source = ReferenceSource(ORDERS, ("customer_id",), "event_ts", "created_ts")
    expected = reference_aggregates(LABELS, source, REFERENCE[:2], "event")
    assert table.column("orders__orders_1d").to_pylist() == [r["orders_1d"] for r in expected]
    assert table.column("orders__spend_2d").to_pylist() == [r["spend_2d"] for r in expected]


def test_service_sql_renders_aggregations_without_a_warehouse(registry):
    sql = service_sql(registry, "model", "snowflake")
    assert '"_vfs_a0_result"' in sql and '"STATUS" = \'paid\'' in sql


def _values(series: pd.Series) -> list:
    return [None if pd.isna(v) else (round(v, 9) if isinstance(v, float) else v) for v in series.tolist()]
