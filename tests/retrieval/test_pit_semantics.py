"""DESIGN.md's point-in-time rules, one case each, on every warehouse and every strategy it runs."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from tests.retrieval.helpers import entities, orders_view, strategies_for
from virtualfs.retrieval import get_historical_features

T = "2024-05-01 12:00"


def totals(warehouse, registry, frame, **options) -> dict[str, list]:
    """``total`` per entity row, by strategy name (each strategy the warehouse runs)."""
    job = get_historical_features(warehouse, registry, frame, ["orders:total"], **options)
    results = {}
    for strategy in strategies_for(warehouse):
        column = dataclasses.replace(job, strategy=strategy).to_pandas()["total"]
        results[repr(strategy)] = [None if pd.isna(v) else v for v in column]
    return results


def assert_all(results: dict[str, list], expected: list) -> None:
    assert results == {name: expected for name in results}


def test_pit_row_created_after_label_is_not_seen(warehouse) -> None:
    rows = [(1, "2024-05-01 09:00", "2024-05-01 09:05", 10.0), (1, "2024-05-01 11:00", "2024-05-01 13:00", 20.0)]
    with orders_view(warehouse, rows) as registry:
        assert_all(totals(warehouse, registry, entities((1, T))), [10.0])


def test_pit_event_rule_sees_late_row(warehouse) -> None:
    rows = [(1, "2024-05-01 09:00", "2024-05-01 09:05", 10.0), (1, "2024-05-01 11:00", "2024-05-01 13:00", 20.0)]
    with orders_view(warehouse, rows) as registry:
        assert_all(totals(warehouse, registry, entities((1, T)), point_in_time="event"), [20.0])


def test_pit_row_landing_exactly_at_label_time_is_seen(warehouse) -> None:
    rows = [(1, "2024-05-01 09:00", T, 10.0)]
    with orders_view(warehouse, rows) as registry:
        assert_all(totals(warehouse, registry, entities((1, T), (1, "2024-05-01 11:59:59"))), [10.0, None])


def test_pit_event_time_ties_broken_by_latest_created(warehouse) -> None:
    rows = [(1, "2024-05-01 09:00", "2024-05-01 09:30", 30.0), (1, "2024-05-01 09:00", "2024-05-01 09:10", 10.0),
            (1, "2024-05-01 09:00", None, 5.0)]
    with orders_view(warehouse, rows) as registry:
        frame = entities((1, "2024-05-01 09:20"), (1, T), (1, "2024-05-01 09:05"))
        assert_all(totals(warehouse, registry, frame), [10.0, 30.0, 5.0])
        assert_all(totals(warehouse, registry, frame, point_in_time="event"), [30.0, 30.0, 30.0])


def test_pit_greatest_event_wins_over_later_landing(warehouse) -> None:
    # a backfill of an old event lands last: the newer event still wins
    rows = [(1, "2024-05-01 10:00", "2024-05-01 10:00", 20.0), (1, "2024-05-01 08:00", "2024-05-01 11:00", 8.0)]
    with orders_view(warehouse, rows) as registry:
        assert_all(totals(warehouse, registry, entities((1, T), (1, "2024-05-01 10:30"))), [20.0, 20.0])


def test_pit_ttl_edge_is_inclusive(warehouse) -> None:
    rows = [(1, "2024-05-01 11:00", "2024-05-01 11:00", 10.0)]
    with orders_view(warehouse, rows, ttl="1h") as registry:
        frame = entities((1, T), (1, "2024-05-01 12:00:01"))
        assert_all(totals(warehouse, registry, frame), [10.0, None])


def test_pit_ttl_applies_to_winner_not_to_candidates(warehouse) -> None:
    # the newest known row is too old: nulls, even though nothing newer exists
    rows = [(1, "2024-05-01 09:00", "2024-05-01 09:00", 10.0), (1, "2024-05-01 11:30", "2024-05-01 12:30", 20.0)]
    with orders_view(warehouse, rows, ttl="1h") as registry:
        assert_all(totals(warehouse, registry, entities((1, T))), [None])


def test_pit_no_history_gives_null_and_keeps_row(warehouse) -> None:
    rows = [(1, "2024-05-01 09:00", "2024-05-01 09:00", 10.0)]
    with orders_view(warehouse, rows) as registry:
        frame = entities((2, T), (1, "2024-05-01 08:00"), (1, T))
        assert_all(totals(warehouse, registry, frame), [None, None, 10.0])


def test_pit_input_order_and_duplicates_kept(warehouse) -> None:
    rows = [(1, "2024-05-01 09:00", 1.0), (2, "2024-05-01 10:00", 2.0), (1, "2024-05-01 11:00", 3.0)]
    with orders_view(warehouse, rows, created=False) as registry:
        frame = entities((1, T), (2, T), (1, "2024-05-01 10:00"), (1, T), (2, "2024-05-01 09:00"))
        frame["label"] = range(5)
        job = get_historical_features(warehouse, registry, frame, ["orders:total"])
        for strategy in strategies_for(warehouse):
            result = dataclasses.replace(job, strategy=strategy).to_pandas()
            assert result["label"].tolist() == [0, 1, 2, 3, 4]
            assert result["total"].tolist()[:4] == [3.0, 2.0, 1.0, 3.0]
            assert pd.isna(result["total"].iloc[4])


def test_pit_source_query_gives_same_answer_as_table(warehouse) -> None:
    rows = [(1, "2024-05-01 09:00", "2024-05-01 09:05", 10.0), (1, "2024-05-01 11:00", "2024-05-01 13:00", 20.0)]
    frame = entities((1, T), (1, "2024-05-01 14:00"))
    with orders_view(warehouse, rows, query=True) as registry:
        assert_all(totals(warehouse, registry, frame), [10.0, 20.0])


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/Los_Angeles"])
def test_pit_zoned_entity_times_equal_naive_utc(warehouse, zone: str) -> None:
    rows = [(1, "2024-05-01 11:00", "2024-05-01 11:00", 10.0), (1, "2024-05-01 13:00", "2024-05-01 13:00", 20.0)]
    naive = entities((1, T), (1, "2024-05-01 13:30"))
    zoned = naive.assign(event_timestamp=naive["event_timestamp"].dt.tz_localize("UTC").dt.tz_convert(zone))
    with orders_view(warehouse, rows) as registry:
        assert_all(totals(warehouse, registry, zoned), [10.0, 20.0])
        assert_all(totals(warehouse, registry, naive), [10.0, 20.0])
