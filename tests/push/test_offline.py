"""Pushed rows in training frames, refreshes and materialization, on every SQL warehouse.

Expected frames come from the pandas oracle (``tests.reference.pit``) fed the source rows and
the pushed rows with their push time as their created time: under the known-time rule a pushed
row is seen only from its push time on, under the event-time rule from its event time on.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.push.helpers import (
    PUSH_WAREHOUSES,
    T0,
    customer,
    order_rows,
    orders,
    orders_view,
    pushed_project,
)
from tests.reference.online import latest_per_key
from tests.reference.pit import ReferenceView, reference_frame
from virtualfs import Feature, FeatureView
from virtualfs.context import OnlineContext
from virtualfs.online.memory import MemoryOnlineStore
from virtualfs.push import PushTargets, create_pushed_tables, push_rows
from virtualfs.refresh import RefreshRequest, RefreshRunner
from virtualfs.refresh.materialize import OnlineWatermarks, materialize_views
from virtualfs.registry import Registry
from virtualfs.serving.read import get_online_features

SOURCE = [(1, T0, T0 + timedelta(minutes=5), 10.0, 1),
          (2, T0 + timedelta(hours=1), T0 + timedelta(hours=1), 20.0, 2)]


def pushed(rows: list[tuple]) -> pd.DataFrame:
    """(customer_id, ordered_at, amount, items) as the columns a push carries."""
    return pd.DataFrame(rows, columns=["customer_id", "ordered_at", "amount", "items"])


def all_rows(results_and_batches) -> pd.DataFrame:
    """Source rows and pushed rows (created = push time): what the oracle reads."""
    frames = [order_rows(SOURCE).to_pandas()]
    for result, batch in results_and_batches:
        frames.append(batch.assign(loaded_at=pd.Timestamp(result.pushed_at)))
    return pd.concat(frames, ignore_index=True)


def reference(rows: pd.DataFrame, labels: pd.DataFrame, rule: str) -> pd.DataFrame:
    view = ReferenceView(rows, ("customer_id",), "ordered_at", "loaded_at",
                         (("amount", "amount"), ("items", "items")))
    return reference_frame(labels, [view], rule)


def assert_frames_match(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    got.columns = [column.lower() for column in got.columns]
    for column in ("amount", "items"):
        values = [None if pd.isna(v) else float(v) for v in got[column]]
        wanted = [None if v is None or pd.isna(v) else float(v) for v in expected[column]]
        assert values == wanted, column


def push_twice(project, targets):
    """Two pushes, a moment apart; each has rows that happened before the first push."""
    first = pushed([(1, T0 + timedelta(hours=3), 30.0, 3), (3, T0 + timedelta(hours=4), 40.0, 4)])
    a = push_rows(project.context, None, project.view(), first, "offline", targets)
    time.sleep(0.01)
    second = pushed([(1, T0 + timedelta(hours=2), 50.0, 5), (2, T0 + timedelta(hours=5), 60.0, 6)])
    b = push_rows(project.context, None, project.view(), second, "offline", targets)
    return [(a, first), (b, second)]


@pytest.mark.parametrize("warehouse", PUSH_WAREHOUSES)
def test_pushed_rows_reach_training_frames_only_from_their_push_time(warehouse, tmp_path):
    with pushed_project(warehouse, tmp_path, [orders_view()], order_rows(SOURCE)) as project:
        batches = push_twice(project, PushTargets())
        (a, _), (b, _) = batches
        between = a.pushed_at + (b.pushed_at - a.pushed_at) / 2
        times = [T0 + timedelta(hours=6), a.pushed_at - timedelta(microseconds=1), a.pushed_at, between,
                 b.pushed_at, b.pushed_at + timedelta(seconds=1)]
        labels = pd.DataFrame({"customer_id": [c for c in (1, 2, 3) for _ in times],
                               "event_timestamp": [pd.Timestamp(t) for _ in (1, 2, 3) for t in times]})
        rows = all_rows(batches)
        for rule in ("known", "event"):
            got = project.frame(labels, ["customer_orders:amount", "customer_orders:items"], rule)
            assert_frames_match(got, reference(rows, labels, rule))


@pytest.mark.parametrize("warehouse", PUSH_WAREHOUSES)
def test_push_refresh_and_materialize_keep_each_row_once(warehouse, tmp_path):
    view = orders_view(materialize="incremental")
    with pushed_project(warehouse, tmp_path, [view], order_rows(SOURCE)) as project:
        runner, targets = RefreshRunner(project.context), PushTargets()
        runner.refresh(project.view(), RefreshRequest())
        batches = push_twice(project, targets)
        for _ in range(2):  # the rerun finds nothing new and doubles nothing
            runner.refresh(project.view(), RefreshRequest())
        expected = all_rows(batches).sort_values(["customer_id", "ordered_at"]).reset_index(drop=True)
        assert _table_rows(project) == _plain_rows(expected)
        runner.refresh(project.view(), RefreshRequest(full=True))  # a rebuild reads them again, once
        assert _table_rows(project) == _plain_rows(expected)

        online = MemoryOnlineStore(project="shop")
        watermarks = OnlineWatermarks(project.context.catalog, "memory")
        for _ in range(2):
            materialize_views(project.warehouse, online, watermarks, [project.view()])
        latest = latest_per_key(expected, ["customer_id"], "ordered_at", "loaded_at")
        read = get_online_features(online, project.registry, {"customer_id": [1, 2, 3]},
                                   ["customer_orders:amount"])
        assert read.to_dict()["amount"] == list(latest["amount"])


@pytest.mark.parametrize("warehouse", PUSH_WAREHOUSES)
def test_a_batch_with_one_bad_row_writes_nothing_anywhere(warehouse, tmp_path):
    with pushed_project(warehouse, tmp_path, [orders_view()], order_rows(SOURCE)) as project:
        online = OnlineContext(MemoryOnlineStore(project="shop"), "memory")
        bad = pushed([(1, T0, 1.0, 1), (None, T0, 2.0, 2)])
        with pytest.raises(Exception, match="customer_id"):
            push_rows(project.context, online, project.view(), bad, "both")
        assert len(project.pushed_rows()) == 0
        assert online.store.key_prefixes("shop") == {}


def _table_rows(project) -> list[tuple]:
    from sqlglot import exp

    from virtualfs.compile.refresh import view_tables

    target = view_tables(project.context.copies.schema, project.view(), project.warehouse.dialect).target
    frame = project.warehouse.fetch_arrow(exp.select("*").from_(target)).to_pandas()
    frame.columns = [column.lower() for column in frame.columns]
    return _plain_rows(frame.sort_values(["customer_id", "ordered_at"]).reset_index(drop=True))


def _plain_rows(frame: pd.DataFrame) -> list[tuple]:
    return [(int(row.customer_id), pd.Timestamp(row.ordered_at).tz_convert("UTC"),
             pd.Timestamp(row.loaded_at).tz_convert("UTC"), float(row.amount), int(row["items"]))
            for _, row in frame.iterrows()]


# pushes: rows of (customer, hours after T0, amount); labels: (customer, a push, a moment around it)
push_batches = st.lists(st.lists(st.tuples(st.integers(1, 3), st.integers(-2, 30), st.integers(0, 99)),
                                 min_size=1, max_size=5), min_size=1, max_size=4)
label_points = st.lists(st.tuples(st.integers(1, 3), st.integers(0, 3),
                                  st.sampled_from([-1, 0, 1, 10**6])), min_size=1, max_size=12)


def test_hypothesis_pushed_rows_in_frames_match_the_oracle(tmp_path):
    with pushed_project("duckdb", tmp_path, [orders_view()], order_rows(SOURCE)) as project:
        targets = PushTargets()

        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
        @given(push_batches, label_points)
        def check(batches, points):
            done = []
            for batch in batches:
                frame = pushed([(c, T0 + timedelta(hours=h), float(a), a) for c, h, a in batch])
                done.append((push_rows(project.context, None, project.view(), frame, "offline", targets), frame))
            times = [done[min(i, len(done) - 1)][0].pushed_at + timedelta(microseconds=d) for _, i, d in points]
            labels = pd.DataFrame({"customer_id": [c for c, _, _ in points],
                                   "event_timestamp": [pd.Timestamp(t) for t in times]})
            rows = all_rows(_pushed_so_far(project, done))
            for rule in ("known", "event"):
                got = project.frame(labels, ["customer_orders:amount", "customer_orders:items"], rule)
                assert_frames_match(got, reference(rows, labels, rule))

        check()


_history: dict[int, list] = {}


def _pushed_so_far(project, done):
    """Every push of the test so far (examples share the project's pushed table)."""
    history = _history.setdefault(id(project), [])
    history.extend(done)
    return history


@pytest.mark.parametrize("warehouse", PUSH_WAREHOUSES)
def test_a_feature_added_to_a_pushed_view_adds_its_column(warehouse, tmp_path):
    with pushed_project(warehouse, tmp_path, [orders_view()], order_rows(SOURCE)) as project:
        push_rows(project.context, None, project.view(), pushed([(1, T0 + timedelta(hours=3), 30.0, 3)]),
                  "offline")
        wider = FeatureView("customer_orders", [customer], orders,
                            [Feature("amount", "float64"), Feature("items", "int64"), Feature("note", "string")],
                            push=True)
        registry = Registry.from_objects([wider], version=2)
        create_pushed_tables(project.warehouse, registry, project.context.copies.schema)
        assert set(project.pushed_rows().columns) >= {"note", "amount", "items"}
