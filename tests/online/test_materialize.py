"""Materialization: the warehouse's latest rows, streamed into every store, against a pandas oracle."""

from __future__ import annotations

import dataclasses
import itertools
import random
from datetime import datetime, timedelta

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.backends import create_user_table
from tests.online.conftest import MemoryWatermarks, make_store
from tests.online.helpers import UTC, at, orders_view, run_materialize
from tests.reference.online import known_time_answer, latest_per_key
from virtualfs import Feature
from virtualfs.errors import OnlineStoreError
from virtualfs.online.base import Status
from virtualfs.registry import Registry
from virtualfs.serving.read import get_online_features

STAMP = pa.timestamp("us", tz="UTC")
_tables = itertools.count()


def orders_table(rows: list[dict]) -> pa.Table:
    return pa.table({
        "customer_id": pa.array([r["customer_id"] for r in rows], pa.int64()),
        "ordered_at": pa.array([r["ordered_at"] for r in rows], STAMP),
        "loaded_at": pa.array([r["loaded_at"] for r in rows], STAMP),
        "amount": pa.array([r["amount"] for r in rows], pa.float64()),
        "items": pa.array([r["items"] for r in rows], pa.int64()),
        "note": pa.array([r["note"] for r in rows], pa.string()),
    })


def random_orders(seed: int, count: int = 300, keys: int = 40) -> list[dict]:
    """Orders whose rows land (loaded_at) up to two days after they happen; (key, e, c) unique."""
    rng = random.Random(seed)
    rows, seen = [], set()
    while len(rows) < count:
        key, event = rng.randrange(keys), rng.randrange(0, 2000)
        created = event + rng.choice([0, 0, 5, 60, 2880])
        if (key, event, created) in seen:
            continue
        seen.add((key, event, created))
        rows.append({"customer_id": key, "ordered_at": at(event), "loaded_at": at(created),
                     "amount": rng.random() * 100, "items": rng.randrange(10),
                     "note": rng.choice(["a", "b|c", None, "ünï"])})
    return rows


def read_all(store, view, ids, now: datetime | None = None):
    rows = [{"customer_id": k} for k in ids]
    return get_online_features(store, Registry.from_objects([view]), rows, [f"{view.name}:*"], now=now)


def test_materialize_equals_latest_per_key_reference(warehouse, store):
    view = orders_view()
    rows = random_orders(seed=1)
    create_user_table(warehouse, "orders", orders_table(rows))
    results = run_materialize(warehouse, Registry.from_objects([view]), store, MemoryWatermarks(),
                          end=at(10_000))
    expected = latest_per_key(pd.DataFrame(rows), ["customer_id"], "ordered_at", "loaded_at")
    assert results[0].rows == len(expected) == results[0].written
    got = read_all(store, view, list(expected.index)).to_dict()
    for name in ("amount", "items", "note"):
        assert got[name] == [None if pd.isna(v) else v for v in expected[name]], name


def test_incremental_materialize_picks_up_a_late_row(duckdb_warehouse, store):
    view, catalog = orders_view(), MemoryWatermarks()
    registry = Registry.from_objects([view])
    base = {"customer_id": 1, "amount": 1.0, "items": 1, "note": "first"}
    rows = [{**base, "ordered_at": at(0), "loaded_at": at(1)}]
    create_user_table(duckdb_warehouse, "orders", orders_table(rows))
    run_materialize(duckdb_warehouse, registry, store, catalog, end=at(100))
    assert catalog.values["customer_orders"] == at(100)
    # happened at minute 50, before the watermark, but landed at minute 150, after it
    late = {**base, "ordered_at": at(50), "loaded_at": at(150), "note": "late"}
    create_user_table(duckdb_warehouse, "orders_late", orders_table([late]))
    duckdb_warehouse.connection.execute("INSERT INTO orders SELECT * FROM orders_late")
    [result] = run_materialize(duckdb_warehouse, registry, store, catalog, end=at(200))
    # the window re-reads the view's lookback (an hour by default) before the watermark
    assert (result.start, result.rows, result.watermark) == (at(100) - view.effective_lookback, 1, at(200))
    assert read_all(store, view, [1]).to_dict()["note"] == ["late"]


def test_out_of_order_and_overlapping_windows_equal_one_full_run(duckdb_warehouse, store_kind, tmp_path):
    view = orders_view()
    registry = Registry.from_objects([view])
    rows = random_orders(seed=2)
    create_user_table(duckdb_warehouse, "orders", orders_table(rows))
    windows = [(at(1500), at(5000)), (at(600), at(2000)), (None, at(900)), (at(0), at(5000))]
    with make_store(store_kind, tmp_path) as pieces, make_store(store_kind, tmp_path) as whole:
        for start, end in windows:
            run_materialize(duckdb_warehouse, registry, pieces, MemoryWatermarks(), start=start, end=end)
        run_materialize(duckdb_warehouse, registry, whole, MemoryWatermarks(), end=at(5000))
        ids = list(range(40))
        assert read_all(pieces, view, ids).to_dict() == read_all(whole, view, ids).to_dict()


TIMES = st.integers(0, 300)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    events=st.lists(st.tuples(st.integers(0, 4), TIMES, st.sampled_from([0, 0, 10, 120])), min_size=1,
                    max_size=40, unique_by=lambda r: r[:2]),
    refreshes=st.lists(st.integers(1, 400), min_size=1, max_size=3, unique=True),
    reads=st.lists(st.integers(0, 200), min_size=1, max_size=4),
    has_created=st.booleans(),
)
def test_online_read_equals_known_time_pit_as_of_last_refresh(duckdb_warehouse, store_kind, tmp_path,
                                                              events, refreshes, reads, has_created):
    ttl = timedelta(minutes=90)
    table = f"orders_{next(_tables)}"
    view = orders_view(ttl="90m", created=has_created, table=table)
    rows = [{"customer_id": k, "ordered_at": at(e), "loaded_at": at(e + lag), "amount": float(i),
             "items": i, "note": str(i)} for i, (k, e, lag) in enumerate(events)]
    create_user_table(duckdb_warehouse, table, orders_table(rows))
    last = at(max(refreshes))
    with make_store(store_kind, tmp_path) as store:
        catalog = MemoryWatermarks()
        for minute in sorted(refreshes):  # scheduled incremental runs
            run_materialize(duckdb_warehouse, Registry.from_objects([view]), store, catalog, end=at(minute))
        frame = pd.DataFrame(rows)
        landed = frame["loaded_at" if has_created else "ordered_at"] < last  # known at the last refresh
        for offset in reads:
            now = last + timedelta(minutes=offset)
            response = read_all(store, view, range(5), now=now)
            for key in range(5):
                expected = known_time_answer(frame[landed], {"customer_id": key}, now, "ordered_at",
                                             "loaded_at" if has_created else None, ttl)
                assert response.to_dict()["items"][key] == (None if expected is None else expected["items"])
                assert (response.statuses["items"][key] is Status.PRESENT) == (expected is not None)


def test_row_dated_in_the_future_is_not_served_until_known(duckdb_warehouse, store):
    view, catalog = orders_view(), MemoryWatermarks()
    registry = Registry.from_objects([view])
    rows = [{"customer_id": 1, "ordered_at": at(0), "loaded_at": at(0), "amount": 1.0, "items": 1, "note": "now"},
            {"customer_id": 1, "ordered_at": at(500), "loaded_at": at(10), "amount": 2.0, "items": 2,
             "note": "planned"}]
    create_user_table(duckdb_warehouse, "orders", orders_table(rows))
    run_materialize(duckdb_warehouse, registry, store, catalog, end=at(100))
    assert read_all(store, view, [1]).to_dict()["note"] == ["now"]
    run_materialize(duckdb_warehouse, registry, store, catalog, end=at(600))
    assert read_all(store, view, [1]).to_dict()["note"] == ["planned"]


def test_watermark_never_moves_back_and_never_skips_a_gap(duckdb_warehouse):
    view, catalog = orders_view(), MemoryWatermarks()
    registry = Registry.from_objects([view])
    create_user_table(duckdb_warehouse, "orders", orders_table(random_orders(seed=3, count=20)))
    with make_store("memory", None) as store:
        run_materialize(duckdb_warehouse, registry, store, catalog, end=at(1000))
        run_materialize(duckdb_warehouse, registry, store, catalog, start=at(0), end=at(500))
        assert catalog.values["customer_orders"] == at(1000)
        run_materialize(duckdb_warehouse, registry, store, catalog, start=at(1500), end=at(2000))
        assert catalog.values["customer_orders"] == at(1000)
        [result] = run_materialize(duckdb_warehouse, registry, store, catalog, end=at(3000))
        assert (result.start, result.watermark) == (at(1000) - view.effective_lookback, at(3000))


def test_changed_view_shape_or_emptied_store_starts_from_the_beginning(duckdb_warehouse):
    view, catalog = orders_view(), MemoryWatermarks()
    rows = random_orders(seed=4, count=50, keys=10)
    create_user_table(duckdb_warehouse, "orders", orders_table(rows))
    with make_store("memory", None) as store, make_store("memory", None) as emptied:
        run_materialize(duckdb_warehouse, Registry.from_objects([view]), store, catalog, end=at(5000))
        wider = dataclasses.replace(view, features=(*view.features, Feature("extra", "int64")))
        duckdb_warehouse.connection.execute("ALTER TABLE orders ADD COLUMN extra BIGINT DEFAULT 7")
        [result] = run_materialize(duckdb_warehouse, Registry.from_objects([wider]), store, catalog,
                               end=at(6000))
        assert (result.start, result.rows) == (None, 10)
        assert read_all(store, wider, [0]).to_dict()["extra"] == [7]
        [again] = run_materialize(duckdb_warehouse, Registry.from_objects([view]), emptied, catalog,
                              end=at(6000))
        assert (again.start, again.rows) == (None, 10)


class SmallBatches:
    """A warehouse that hands its rows over in batches of 7, to exercise streaming."""

    def __init__(self, inner) -> None:
        self.inner, self.dialect, self.sizes = inner, inner.dialect, []

    def fetch_batches(self, query, batch_rows: int = 100_000):
        for batch in self.inner.fetch_batches(query, 7):
            self.sizes.append(batch.num_rows)
            yield batch


def test_materialize_streams_batches_and_reports_progress(duckdb_warehouse, store):
    view, rows = orders_view(), random_orders(seed=5, count=100, keys=30)
    create_user_table(duckdb_warehouse, "orders", orders_table(rows))
    keys = len({row["customer_id"] for row in rows})
    warehouse, steps = SmallBatches(duckdb_warehouse), []
    [result] = run_materialize(warehouse, Registry.from_objects([view]), store, MemoryWatermarks(),
                           views=["customer_orders"], end=at(9000), progress=steps.append)
    sizes = [size for size in warehouse.sizes if size]
    assert len(sizes) > 1 and result.rows == sum(sizes) == keys
    assert [s.rows for s in steps] == [*itertools.accumulate(sizes), keys]
    assert [s.done for s in steps] == [False] * len(sizes) + [True]


class FailingStore:
    """A store that accepts the marker read and then fails every write."""

    name, project = "failing", "test"

    def read(self, keys):
        return {}

    def write(self, batch):
        raise OnlineStoreError("failing store: write failed")


def test_watermark_stays_when_a_write_fails(duckdb_warehouse):
    catalog = MemoryWatermarks()
    create_user_table(duckdb_warehouse, "orders", orders_table(random_orders(seed=6, count=10)))
    with pytest.raises(OnlineStoreError, match="failing store"):
        run_materialize(duckdb_warehouse, Registry.from_objects([orders_view()]), FailingStore(), catalog)
    assert catalog.values == {}


def test_naive_window_bounds_are_utc(duckdb_warehouse, store):
    view = orders_view()
    create_user_table(duckdb_warehouse, "orders", orders_table(random_orders(seed=7, count=30)))
    [result] = run_materialize(duckdb_warehouse, Registry.from_objects([view]), store, MemoryWatermarks(), start=datetime(2026, 1, 1), end=datetime(2026, 1, 2))
    assert (result.start, result.end) == (at(0), at(24 * 60))
    assert result.end.tzinfo is UTC


def test_views_of_aggregations_alone_are_materialized(duckdb_warehouse):
    # their values are covered in tests/aggregate/test_online.py
    from virtualfs.definitions.aggregation import Aggregation

    counts = dataclasses.replace(orders_view(), name="order_counts", features=(),
                                 aggregations=(Aggregation("orders_7d", "count", "items", "7d"),))
    registry = Registry.from_objects([orders_view(), counts])
    create_user_table(duckdb_warehouse, "orders", orders_table(random_orders(seed=8, count=10)))
    with make_store("memory", None) as store:
        results = run_materialize(duckdb_warehouse, registry, store, MemoryWatermarks(), end=at(5000))
        assert [r.view for r in results] == ["customer_orders", "order_counts"]
