"""Saved datasets rebuild bit for bit on every warehouse, or say why not.

- rows landing late (after the save: ``c > as_of``), whatever their event times, change nothing:
  not under the known-time rule, not under the event-time rule, not for labels after ``as_of``;
- the rebuild uses the definitions of the catalog version the dataset was saved with;
- a source row edited in place is found, and counted in the columns and rows it changed;
- the saved rows are the reference's (``tests/reference/pit.py``).
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.datasets.helpers import T0, at, orders_view, project, spend_view
from tests.reference.pit import ReferenceView, reference_frame
from tests.retrieval.helpers import python_values
from virtualfs.errors import WarehouseError
from virtualfs.instants import utc_now

INITIAL = [(1, at(1), at(1.1), 1.25, 1), (1, at(3), at(3.5), 3.5, 2), (2, at(2), at(2), 7.125, 3),
           (3, at(6), at(9), 0.1, 4), (2, at(8), at(8.2), 1e-7, 5)]
FEATURES = ["orders:amount", "orders:items", "spend:sum_amount", "spend:avg_amount", "spend:count_amount"]
EXAMPLES = {"duckdb": 10, "postgres": 3, "snowflake": 3, "spark": 2}


def labels(now) -> pd.DataFrame:
    """Past labels and some after the save (the time a bound on landing matters most)."""
    times = [T0 + timedelta(days=d) for d in (2, 4, 5, 9, 12)]
    times += [now + timedelta(days=1), now + timedelta(days=2, hours=3)]
    return pd.DataFrame({"customer_id": [1, 1, 2, 3, 2, 1, 3], "event_timestamp": times})


late_row = st.tuples(
    st.integers(1, 3),                       # customer
    st.sampled_from(["early", "recent"]),    # events near the labels of January, or near now
    st.integers(-72, 48),                    # event: hours from there
    st.integers(1, 96),                      # landed: hours after the save
    st.floats(-1e4, 1e4, allow_nan=False),
)


def test_recreate_is_identical_after_rows_land_late(warehouse, tmp_path):
    @settings(max_examples=EXAMPLES[warehouse.dialect], deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(batches=st.lists(st.lists(late_row, max_size=5), min_size=1, max_size=3),
           rule=st.sampled_from(["known", "event"]))
    def check(batches, rule):
        now = utc_now().replace(tzinfo=None)
        with project(warehouse, tmp_path, [*INITIAL, (1, now - timedelta(hours=2), now - timedelta(hours=1), 4.5, 6)]) as p:
            p.apply(orders_view(p.orders), spend_view(p.orders))
            saved = p.frame(labels(utc_now()), FEATURES, point_in_time=rule).save("train")
            as_of = saved.info.as_of.replace(tzinfo=None)
            for batch in batches:
                p.land([(customer, (at(4) if base == "early" else now) + timedelta(hours=event),
                         as_of + timedelta(hours=landed), amount, 9) for customer, base, event, landed, amount in batch])
            report = recreate(p, "train")
            assert report.identical, report
            assert report.caveats == () and report.rows_saved == report.rows_recreated == 7

    check()


def test_late_rows_change_a_fresh_frame_but_not_the_rebuild(warehouse, tmp_path):
    now = utc_now()
    with project(warehouse, tmp_path, INITIAL) as p:
        p.apply(orders_view(p.orders), spend_view(p.orders))
        entity_rows = labels(now)
        saved = p.frame(entity_rows, FEATURES, point_in_time="event").save("train")
        as_of = saved.info.as_of.replace(tzinfo=None)
        # happened before every label, landed after the save: the event-time rule would count it
        p.land([(1, at(1.5), as_of + timedelta(minutes=5), 100.0, 7)])
        fresh = p.frame(entity_rows, FEATURES, point_in_time="event").to_pandas()
        assert not fresh["amount"].equals(saved.to_pandas()["amount"])
        assert recreate(p, "train").identical


def test_recreate_uses_the_catalog_version_the_dataset_was_saved_with(warehouse, tmp_path):
    with project(warehouse, tmp_path, INITIAL) as p:
        first = p.apply(orders_view(p.orders, ttl="30d"), spend_view(p.orders, window="10d"))
        saved = p.frame(labels(utc_now()), FEATURES).save("train")
        second = p.apply(orders_view(p.orders, ttl="1d"), spend_view(p.orders, window="2d"))
        today = p.frame(labels(utc_now()), FEATURES).to_pandas()
        assert second == first + 1 and not today["amount"].equals(saved.to_pandas()["amount"])
        report = recreate(p, "train")
        assert report.identical and report.catalog_version == first, report


@pytest.mark.notimpl(["spark"], raises=WarehouseError, reason=(
    "the test updates a source row in place (UPDATE), which Spark's plain Parquet tables refuse"))
def test_a_row_updated_in_place_is_reported_where_it_changed_the_rows(warehouse, tmp_path):
    with project(warehouse, tmp_path, INITIAL) as p:
        p.apply(orders_view(p.orders), spend_view(p.orders))
        entity_rows = pd.DataFrame({"customer_id": [1, 1, 1, 2],
                                    "event_timestamp": [T0 + timedelta(days=d) for d in (2, 4, 5, 4)]})
        p.frame(entity_rows, FEATURES).save("train")
        p.update("amount", 30.0, {"customer_id": 1, "items": 2})  # the order of Jan 4, 3.5 until now
        report = recreate(p, "train")
    # it is the latest order at Jan 4 and Jan 5 (not yet at Jan 2), and in their 10-day sums
    assert not report.identical and report.rows_saved == report.rows_recreated == 4
    assert report.differing == {"customer_id": 0, "event_timestamp": 0, "amount": 2, "items": 0,
                                "sum_amount": 2, "avg_amount": 2, "count_amount": 0}
    assert report.content_hash_saved != report.content_hash_recreated


@pytest.mark.parametrize("rule", ["known", "event"])
def test_saved_rows_are_the_reference_frame(warehouse, tmp_path, rule):
    rows = [*INITIAL, (1, at(2.5), at(4.5), 2.0, 7), (3, at(5), None, 8.0, 8), (2, at(8), at(8.1), None, 9)]
    entity_rows = pd.DataFrame({"customer_id": pd.array([1, 1, 2, 3, 3, 4, 2], dtype="Int64"),
                                "event_timestamp": [T0 + timedelta(days=d) for d in (2.6, 4, 8.15, 5.5, 9, 3, 40)],
                                "label": [1, 0, 1, 1, 0, 0, 1]})
    with project(warehouse, tmp_path, rows) as p:
        p.apply(orders_view(p.orders))
        saved = p.frame(entity_rows, ["orders:amount", "orders:items"], point_in_time=rule).save("train")
        got = saved.to_pandas()
    source = pd.DataFrame(rows, columns=["customer_id", "ordered_at", "loaded_at", "amount", "items"])
    view = ReferenceView(source, ("customer_id",), "ordered_at", "loaded_at",
                         (("amount", "amount"), ("items", "items")), timedelta(days=30))
    expected = reference_frame(entity_rows, [view], rule)
    assert list(got.columns) == list(expected.columns)
    assert python_values(got) == python_values(expected)


def recreate(p, name):
    from virtualfs.datasets import recreate_dataset

    return recreate_dataset(p.context, name)
