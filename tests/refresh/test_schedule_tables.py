"""The pure parts under the scheduler, as tables: interval arithmetic and when a view is due."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from virtualfs import Entity, Feature, FeatureView, Source
from virtualfs.refresh.due import due_views, is_due
from virtualfs.refresh.intervals import chunks, incremental_since

T = datetime(2026, 3, 1, tzinfo=timezone.utc)
H, D = timedelta(hours=1), timedelta(days=1)


@pytest.mark.parametrize(("start", "end", "size", "expected"), [
    (T, T + 3 * D, D, [(T, T + D), (T + D, T + 2 * D), (T + 2 * D, T + 3 * D)]),
    (T, T + 2 * D + 12 * H, D, [(T, T + D), (T + D, T + 2 * D), (T + 2 * D, T + 2 * D + 12 * H)]),
    (T, T + H, D, [(T, T + H)]),                       # one short piece
    (T, T, D, []),                                      # empty interval
    (T + D, T, D, []),                                  # reversed interval: nothing, not an error
    (T, T + 3 * H, H, [(T, T + H), (T + H, T + 2 * H), (T + 2 * H, T + 3 * H)]),
])
def test_chunks_cover_the_interval_in_order_without_gaps(start, end, size, expected):
    assert chunks(start, end, size) == expected


@pytest.mark.parametrize(("watermark", "lookback", "expected"), [
    (None, H, None),                  # never refreshed: from the beginning
    (T, None, T),                     # no lookback: from the watermark, inclusive
    (T, 2 * H, T - 2 * H),            # re-read rows that became visible late
    (T, D, T - D),
])
def test_incremental_runs_start_at_the_watermark_less_the_lookback(watermark, lookback, expected):
    assert incremental_since(watermark, lookback) == expected


def view(schedule: str | None) -> FeatureView:
    return FeatureView("v", [Entity("e", ["k"])], Source("s", table="t", timestamp="ts"),
                       [Feature("f", "int64")], materialize="table", schedule=schedule)


@pytest.mark.parametrize(("schedule", "last_start", "now", "due"), [
    ("@hourly", None, T, True),                                  # never ran
    ("@hourly", T + 10 * 60 * timedelta(seconds=1), T + 50 * 60 * timedelta(seconds=1), False),
    ("@hourly", T + 10 * 60 * timedelta(seconds=1), T + H, True),  # fired at the hour since
    ("@hourly", T + H, T + H, False),                            # ran exactly when it fired
    ("@daily", T + H, T + 23 * H, False),
    ("@daily", T + H, T + D, True),
    ("*/15 * * * *", T, T + 14 * 60 * timedelta(seconds=1), False),
    ("*/15 * * * *", T, T + 15 * 60 * timedelta(seconds=1), True),
    ("0 6 * * 1", T - D, T + D, False),                           # Monday 2026-03-02, 06:00 not yet
    ("0 6 * * 1", T - D, T + D + 7 * H, True),
    (None, None, T, False),                                      # no schedule: only when asked
])
def test_a_view_is_due_when_its_schedule_fired_since_its_last_successful_start(schedule, last_start, now, due):
    assert is_due(view(schedule), last_start, now) is due


def test_due_views_keeps_the_due_ones_in_order():
    hourly, daily, manual = view("@hourly"), view("@daily"), view(None)
    hourly, daily = (FeatureView(n, v.entities, v.source, v.features, materialize="table", schedule=v.schedule)
                     for n, v in (("a", hourly), ("b", daily)))
    chosen = due_views([hourly, daily, manual], {"a": T, "b": T}, T + 2 * H)
    assert [v.name for v in chosen] == ["a"]
