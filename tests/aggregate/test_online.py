"""Aggregations online: materialize writes each key's values as of the refresh time; a read
returns them with that as-of time, equal to the offline answer for an entity row at it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pandas as pd
import pytest

from tests.aggregate.helpers import CUSTOMER, create_source, drop_source
from tests.aggregate.test_historical import ORDERS, at
from tests.online.conftest import STORES, MemoryWatermarks, make_store
from tests.online.helpers import run_materialize
from virtualfs import Aggregation, Feature, FeatureView, Source
from virtualfs.online import Status
from virtualfs.registry import Registry
from virtualfs.retrieval import get_historical_features
from virtualfs.serving.read import get_online_features

AGGREGATIONS = [
    Aggregation("orders_1d", "count", "items", "1d"),
    Aggregation("items_2d", "sum", "items", "2d"),             # int64, from the column
    Aggregation("spend_2d", "sum", "amount", "2d", filter="status = 'paid'"),
    Aggregation("sd_2d", "stddev", "amount", "2d"),
    Aggregation("top_status_2d", "max", "status", "2d"),       # string, from the column
    Aggregation("last_seen_2d", "last", "event_ts", "2d"),     # timestamp, from the column
    Aggregation("statuses_1d", "count_distinct", "status", "1d"),
    Aggregation("avg_1d", "avg", "amount", "1d"),
    Aggregation("low_2d", "min", "amount", "2d"),
]
NAMES = ["amount", *(a.name for a in AGGREGATIONS)]


def registry_for(table: str) -> Registry:
    source = Source("orders", table=table, timestamp="event_ts", created="created_ts")
    mixed = FeatureView("orders", [CUSTOMER], source, [Feature("amount", "float64")], aggregations=AGGREGATIONS)
    only = FeatureView("order_counts", [CUSTOMER], source,
                       aggregations=[Aggregation("orders_3d", "count", "items", "3d")])
    return Registry.from_objects([mixed, only])


@pytest.fixture
def orders_table(warehouse):
    table = create_source(warehouse, ORDERS, naive=False)
    yield table
    drop_source(warehouse, table)


@pytest.mark.parametrize("hours", [48, 70])
def test_online_values_equal_offline_at_the_refresh_time(warehouse, orders_table, tmp_path, hours):
    registry = registry_for(orders_table)
    refresh = at(hours)
    with make_store("memory", tmp_path) as store:
        results = run_materialize(warehouse, registry, store, MemoryWatermarks(), end=refresh)
        # "orders" keeps its plain feature (latest rows) and its aggregations (a snapshot) apart
        assert [(r.view, r.rows) for r in results] == [("order_counts", 3), ("orders", 6)]
        keys = [{"customer_id": k} for k in (1, 2, 3, 4)]
        online = get_online_features(store, registry, keys, [f"orders:{n}" for n in NAMES] + ["order_counts:*"],
                                     now=refresh)
    labels = pd.DataFrame({"customer_id": pd.array([1, 2, 3, 4], dtype="Int64"), "event_timestamp": [refresh] * 4})
    offline = get_historical_features(warehouse, registry, labels, [f"orders:{n}" for n in NAMES]
                                      + ["order_counts:orders_3d"]).to_pandas()
    got = online.to_dict()
    functions = {a.name: a.function for a in AGGREGATIONS}
    assert set(functions.values()) == {"count", "count_distinct", "sum", "avg", "stddev", "min", "max", "last"}
    for name in [*NAMES, "orders_3d"]:
        want = [None if pd.isna(v) else v for v in offline[name].tolist()]
        # every key, also those whose windows are empty and key 4, which has no rows at all
        assert _close(got[name], want), name
    assert offline["orders_1d"].tolist()[3] == 0 and got["orders_1d"][3] == 0  # empty window: 0
    assert online.statuses["items_2d"] == [Status.PRESENT] * 3 + [Status.NOT_FOUND]
    assert online.event_times["items_2d"][:3] == [refresh] * 3  # the as-of time


def test_plain_features_of_a_view_with_aggregations_keep_their_own_time_and_ttl(warehouse, orders_table, tmp_path):
    """Customer 3's only row happened at 1h: at 48h it is past a 1-day TTL (null offline), and
    online it says so (OUTSIDE_TTL, its own event time) while its aggregations are present."""
    registry = registry_for(orders_table)
    view = replace(registry.view("orders"), ttl=timedelta(days=1))
    registry = Registry.from_objects([view])
    with make_store("memory", tmp_path) as store:
        run_materialize(warehouse, registry, store, MemoryWatermarks(), end=at(48))
        online = get_online_features(store, registry, [{"customer_id": 3}, {"customer_id": 1}],
                                     ["orders:amount", "orders:orders_1d", "orders:items_2d"], now=at(48))
    labels = pd.DataFrame({"customer_id": pd.array([3, 1], dtype="Int64"), "event_timestamp": [at(48)] * 2})
    offline = get_historical_features(warehouse, registry, labels, ["orders:amount", "orders:items_2d"]).to_pandas()
    assert pd.isna(offline["amount"][0]) and online.to_dict()["amount"][0] is None
    assert online.statuses["amount"] == [Status.OUTSIDE_TTL, Status.PRESENT]
    assert online.event_times["amount"] == [at(1), at(47)]  # the rows' own event times
    assert online.statuses["items_2d"] == [Status.PRESENT] * 2
    assert online.event_times["items_2d"] == [at(48)] * 2  # the refresh time
    assert online.to_dict()["items_2d"] == [3, 10] == offline["items_2d"].tolist()


def test_a_later_refresh_moves_the_window(warehouse, orders_table, tmp_path):
    registry = registry_for(orders_table)
    watermarks = MemoryWatermarks()
    with make_store("memory", tmp_path) as store:
        run_materialize(warehouse, registry, store, watermarks, ["order_counts"], end=at(48))
        before = get_online_features(store, registry, [{"customer_id": 1}], ["order_counts:orders_3d"], now=at(48))
        run_materialize(warehouse, registry, store, watermarks, ["order_counts"], end=at(100))
        after = get_online_features(store, registry, [{"customer_id": 1}], ["order_counts:orders_3d"], now=at(100))
        # an older snapshot never replaces a newer one
        run_materialize(warehouse, registry, store, watermarks, ["order_counts"], start=at(0), end=at(60))
        again = get_online_features(store, registry, [{"customer_id": 1}], ["order_counts:orders_3d"], now=at(100))
    assert before.to_dict()["orders_3d"] == [3]  # the row landing at 60h is not known at 48h
    assert after.to_dict()["orders_3d"] == [2] and after.event_times["orders_3d"] == [at(100)]  # 30h, 47h
    assert again.to_dict()["orders_3d"] == [2] and again.event_times["orders_3d"] == [at(100)]


@pytest.mark.parametrize("kind", STORES)
def test_every_store_returns_aggregates_with_their_types(duckdb_warehouse, tmp_path, kind):
    table = create_source(duckdb_warehouse, ORDERS, naive=False)
    registry = registry_for(table)
    with make_store(kind, tmp_path) as store:
        run_materialize(duckdb_warehouse, registry, store, MemoryWatermarks(), ["orders"], end=at(48))
        response = get_online_features(store, registry, [{"customer_id": 1}, {"customer_id": 2}], ["orders:*"],
                                       now=at(49))
    values = response.to_dict()
    assert values["orders_1d"] == [1, 0] and values["items_2d"] == [10, 1]
    assert values["spend_2d"] == [20.0, 12.5] and values["top_status_2d"] == ["paid", "paid"]
    assert values["last_seen_2d"] == [at(47), at(40)]
    assert values["sd_2d"][1] == pytest.approx(1.7677669529663689)
    frame = response.to_pandas()
    assert str(frame["items_2d"].dtype) == "Int64" and str(frame["top_status_2d"].dtype) == "string"
    assert str(frame["last_seen_2d"].dtype) == "datetime64[us, UTC]"


def test_read_through_computes_aggregates_at_now(duckdb_warehouse, tmp_path):
    table = create_source(duckdb_warehouse, ORDERS, naive=False)
    registry = registry_for(table)
    with make_store("memory", tmp_path) as store:
        response = get_online_features(store, registry, [{"customer_id": 1}, {"customer_id": 9}],
                                       ["order_counts:orders_3d"], now=at(48), fallback=duckdb_warehouse)
        cached = store.read(list(store._rows))
    assert response.to_dict()["orders_3d"] == [3, 0]  # key 9 has no rows: an empty window
    assert response.event_times["orders_3d"][0] == at(48)
    assert len(cached) == 1


def _close(got: list, want: list) -> bool:
    return all(
        (g is None and w is None) or (g is not None and w is not None and (
            g == pytest.approx(w) if isinstance(w, float) else pd.Timestamp(g) == pd.Timestamp(w)
            if hasattr(w, "tzinfo") else g == w))
        for g, w in zip(got, want, strict=True)
    )
