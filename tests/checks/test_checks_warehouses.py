"""Checks on every warehouse: each condition observes what an independent pandas computation
says, on crafted and on drawn data, in one query; run on demand over the source's event times."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from tests.backends import create_user_table
from virtualfs import Aggregation, Check, Entity, Feature, FeatureView, Source
from virtualfs.checks import check_view
from virtualfs.compile.refresh import build_drop
from virtualfs.dialects.identifiers import warehouse_table

T0 = datetime(2026, 3, 1)
CUSTOMER = Entity("customer", ["customer_id"])


def events(rows: list[tuple]) -> pa.Table:
    customer, event, amount, device, items, gift = zip(*rows, strict=True) if rows else ([],) * 6
    return pa.table({"customer_id": pa.array(customer, pa.int64()),
                     "ordered_at": pa.array(event, pa.timestamp("us")),
                     "amount": pa.array(amount, pa.float64()),
                     "device": pa.array(device, pa.string()),
                     "items": pa.array(items, pa.int64()),
                     "is_gift": pa.array(gift, pa.bool_())})


def view_with(checks: list[Check], table: str = "events") -> FeatureView:
    return FeatureView("orders", [CUSTOMER], Source("events", table=table, timestamp="ordered_at"),
                       [Feature("amount", "float64"), Feature("device", "string"), Feature("is_gift", "bool")],
                       aggregations=[Aggregation("items_7d", "sum", "items", "7d")], checks=checks)


def oracle(check: Check, frame: pd.DataFrame) -> tuple[object, bool]:
    """What ``check`` observes over ``frame`` and whether it passes, from the README's words."""
    column = frame[check.column] if check.column else None
    condition = check.condition
    if condition == "not_null":
        fraction = column.notna().mean() if len(frame) else None
        return fraction, fraction is None or fraction >= check.not_null
    if condition == "between":
        low, high = check.between
        outside = int((((column < low) if low is not None else False) |
                       ((column > high) if high is not None else False)).sum())
        return outside, outside == 0
    if condition == "values":
        outside = int((column.notna() & ~column.isin(list(check.values))).sum())
        return outside, outside == 0
    if condition == "mean_between":
        mean = column.mean() if column.notna().any() else None
        return mean, mean is None or check.mean_between[0] <= mean <= check.mean_between[1]
    if condition == "rows_at_least":
        return len(frame), len(frame) >= check.rows_at_least
    keys = [check.column] if check.column else ["customer_id"]
    repeated = len(frame) - frame.groupby([*keys, "ordered_at"], dropna=False).ngroups
    return repeated, repeated == 0


def assert_matches_oracle(results, checks: list[Check], frame: pd.DataFrame) -> None:
    assert [r.check for r in results] == [c.name for c in checks]
    for result, check in zip(results, checks, strict=True):
        observed, passed = oracle(check, frame)
        if observed is None:
            assert result.observed is None, result
        else:
            assert result.observed == pytest.approx(observed, rel=1e-9), result
        assert (result.passed, result.rows) == (passed, len(frame)), result


CRAFTED = [  # customer, event, amount, device, items, is_gift
    (1, T0, 10.0, "mobile", 1, True),
    (1, T0, 20.0, "desktop", 2, False),  # repeats customer 1 at T0
    (2, T0 + timedelta(hours=1), None, "mobile", 3, None),
    (2, T0 + timedelta(hours=2), 250.0, "tablet", 9, False),
    (3, T0 + timedelta(days=1), 40.0, None, None, True),
    (3, T0 + timedelta(days=2), -5.0, "desktop", 4, True),
]
# (check, passes over CRAFTED)
CASES = [
    (Check("amount", not_null=0.8, name="present_80"), True),
    (Check("amount", not_null=0.9, name="present_90"), False),
    (Check("amount", between=(-10, 300), name="wide"), True),
    (Check("amount", between=(0, 100), name="narrow"), False),
    (Check("amount", between=(0, None), name="not_negative"), False),
    (Check("items", between=(None, 9), name="items_at_most_9"), True),
    (Check("device", values=["mobile", "desktop", "tablet"], name="known_devices"), True),
    (Check("device", values=["mobile", "desktop"], name="two_devices"), False),
    (Check("items", values=[1, 2, 3, 4], name="small_items"), False),
    (Check("is_gift", values=[True, False], name="gift_flag"), True),
    (Check("amount", mean_between=(10, 100), name="mean_ok"), True),
    (Check("amount", mean_between=(100, 200), name="mean_high"), False),
    (Check(rows_at_least=6, name="six_rows"), True),
    (Check(rows_at_least=7, name="seven_rows"), False),
    (Check("customer_id", unique_per_time=True), False),
    (Check("amount", unique_per_time=True, name="amount_unique"), True),
]


def fresh_table(warehouse, rows: list[tuple]) -> str:
    name = f"events_{uuid.uuid4().hex[:8]}"
    create_user_table(warehouse, name, events(rows))
    return name


def test_each_check_observes_what_pandas_computes(warehouse):
    checks = [check for check, _ in CASES]
    table = fresh_table(warehouse, CRAFTED)
    fetched = []
    original = warehouse.fetch_arrow
    warehouse.fetch_arrow = lambda query: fetched.append(query) or original(query)  # type: ignore[method-assign]
    try:
        report = check_view(warehouse, view_with(checks, table))
    finally:
        warehouse.fetch_arrow = original  # type: ignore[method-assign]
    assert len(fetched) == 1  # one query for every check of the view
    frame = events(CRAFTED).to_pandas()
    assert_matches_oracle(report.results, checks, frame)
    assert [r.passed for r in report.results] == [passes for _, passes in CASES]
    assert not report.passed and {r.check for r in report.failures} == {c.name for c, ok in CASES if not ok}
    narrow = next(r for r in report.results if r.check == "narrow")
    assert narrow.observation == "2 of 6 rows outside (min -5, max 250)"
    devices = next(r for r in report.results if r.check == "two_devices")
    assert devices.observation == "1 of 6 rows with another value (e.g. 'tablet')"
    assert next(r for r in report.results if r.check == "present_90").text() == (
        "feature view 'orders': check 'present_90' failed: 0.833333 of 6 rows not null (1 null), "
        "expected at least 0.9 of rows not null")


def test_checks_on_demand_judge_the_source_rows_of_an_event_time_range(warehouse):
    checks = [check for check, _ in CASES]
    table = fresh_table(warehouse, CRAFTED)
    start, end = T0 + timedelta(hours=1), T0 + timedelta(days=2)
    report = check_view(warehouse, view_with(checks, table), start, end)
    frame = events(CRAFTED).to_pandas()
    inside = frame[(frame.ordered_at >= start) & (frame.ordered_at < end)]
    assert len(inside) == 3
    assert_matches_oracle(report.results, checks, inside)
    assert (report.start, report.end) == (start, end)


def test_over_no_rows_only_rows_at_least_fails(warehouse):
    checks = [check for check, _ in CASES]
    report = check_view(warehouse, view_with(checks, fresh_table(warehouse, CRAFTED)), T0 + timedelta(days=30))
    assert [r.check for r in report.results if not r.passed] == ["six_rows", "seven_rows"]
    assert next(r for r in report.results if r.check == "mean_ok").observed is None


drawn_rows = st.lists(st.tuples(
    st.integers(1, 3),
    st.sampled_from([T0, T0 + timedelta(hours=1), T0 + timedelta(days=1)]),
    st.one_of(st.none(), st.floats(-50, 500, allow_nan=False, width=32)),
    st.one_of(st.none(), st.sampled_from(["mobile", "desktop", "tablet"])),
    st.one_of(st.none(), st.integers(0, 10)),
    st.one_of(st.none(), st.booleans()),
), max_size=12)
DRAWN_CHECKS = [check for check, _ in CASES]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=drawn_rows)
def test_drawn_data_observed_as_pandas_computes(shared_warehouse, rows):
    table = fresh_table(shared_warehouse, rows)
    try:
        report = check_view(shared_warehouse, view_with(DRAWN_CHECKS, table))
    finally:
        shared_warehouse.execute(build_drop(warehouse_table(table, shared_warehouse.dialect)))
    assert_matches_oracle(report.results, DRAWN_CHECKS, events(rows).to_pandas())


def test_a_source_query_is_checked_like_a_table(warehouse):
    table = fresh_table(warehouse, CRAFTED)
    query = exp.select("*").from_(table).where("amount > 0").sql()
    view = FeatureView("orders", [CUSTOMER], Source("events", query=query, timestamp="ordered_at"),
                       [Feature("amount", "float64")], checks=[Check("amount", between=(0, 100))])
    (result,) = check_view(warehouse, view).results
    assert (result.rows, result.observed, result.passed) == (4, 1, False)
