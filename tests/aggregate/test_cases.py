"""Hand-checked cases, every warehouse, every formulation: the same numbers everywhere.

Expected values are worked out by hand from DESIGN.md (and agree with the pandas reference).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pandas as pd
import pyarrow as pa
import pytest

from tests.aggregate.helpers import (
    CUSTOMER,
    assert_rows_match,
    create_source,
    drop_source,
    formulations_for,
    run_view,
)
from tests.reference.aggregate import ReferenceAggregation, ReferenceSource, reference_aggregates
from virtualfs import Aggregation, Entity, FeatureView, Source

T0 = datetime(2024, 6, 1, tzinfo=timezone.utc)
US = timedelta(microseconds=1)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def sec(n: float) -> datetime:
    return T0 + timedelta(seconds=n)


def frame(**columns) -> pd.DataFrame:
    types = {"customer_id": "Int64", "amount": "Float64", "qty": "Int64", "status": "string", "store": "string"}
    out = pd.DataFrame(columns)
    for name, dtype in types.items():
        if name in out:
            out[name] = out[name].astype(dtype)
    for name in ("event_ts", "created_ts", "event_timestamp"):
        if name in out:
            out[name] = pd.to_datetime(out[name], utc=True).astype("datetime64[us, UTC]")
    return out


def check(warehouse, view: FeatureView, rows: pd.DataFrame, entities: pd.DataFrame, rule: str,
          expected: list[dict], naive: bool = False) -> None:
    table = create_source(warehouse, rows, naive)
    try:
        source = view.source
        bound = FeatureView(view.name, list(view.entities),
                            Source(source.name, table=table, timestamp=source.timestamp, created=source.created),
                            [], aggregations=list(view.aggregations))
        schema = pa.Table.from_pandas(rows, preserve_index=False).schema
        for formulation in formulations_for(warehouse):
            got = run_view(warehouse, bound, entities, rule, formulation, schema)
            assert_rows_match(got, expected, f"{warehouse.dialect} {formulation.name} {rule}")
    finally:
        drop_source(warehouse, table)


def view_of(*aggregations: Aggregation, created: bool = True, entities=(CUSTOMER,)) -> FeatureView:
    source = Source("events", table="unused", timestamp="event_ts", created="created_ts" if created else None)
    return FeatureView("activity", list(entities), source, [], aggregations=list(aggregations))


EDGES = frame(
    customer_id=[1, 1, 1, 1, 1, 2],
    event_ts=[sec(10), sec(0), sec(0) + US, sec(10) + US, sec(5), sec(9)],
    created_ts=[sec(10), sec(0), sec(0) + US, sec(10) + US, sec(5), sec(9)],
    amount=[1.0, 2.0, 4.0, 8.0, None, 16.0],
)


@pytest.mark.parametrize("rule", ["known", "event"])
def test_window_edges_are_open_at_the_start_and_closed_at_t(warehouse, rule):
    view = view_of(Aggregation("n", "count", "amount", "10s"), Aggregation("s", "sum", "amount", "10s"),
                   Aggregation("rows", "count", "customer_id", "10s"), Aggregation("lo", "min", "amount", "10s"))
    entities = frame(customer_id=[1, 1, 3, 2], event_timestamp=[sec(10), sec(0), sec(10), sec(8)])
    expected = [
        # t - 10s = sec(0): excluded; sec(0)+1us, sec(5) (null amount) and sec(10) = t: included
        {"n": 2, "s": 5.0, "rows": 3, "lo": 1.0},
        {"n": 1, "s": 2.0, "rows": 1, "lo": 2.0},
        {"n": 0, "s": None, "rows": 0, "lo": None},  # no history: count 0, the rest null
        {"n": 0, "s": None, "rows": 0, "lo": None},  # the event is after t
    ]
    check(warehouse, view, EDGES, entities, rule, expected)


LATE = frame(
    customer_id=[1, 1, 1, 1],
    event_ts=[sec(1), sec(2), sec(3), sec(3)],
    created_ts=[sec(1), sec(50), sec(4), None],
    amount=[1.0, 2.0, 4.0, 8.0],
    status=["a", "b", "c", "d"],
)


def test_rows_landing_after_t_are_not_seen_under_the_known_time_rule(warehouse):
    view = view_of(Aggregation("s", "sum", "amount", "1m"), Aggregation("newest", "last", "status", "1m"))
    entities = frame(customer_id=[1, 1, 1], event_timestamp=[sec(10), sec(3), sec(60)])
    # known: sec(2) lands at 50; at sec(3) the row created at 4 is not known yet, the null-created one is
    check(warehouse, view, LATE, entities, "known",
          [{"s": 13.0, "newest": "c"}, {"s": 9.0, "newest": "d"}, {"s": 15.0, "newest": "c"}])
    # event: every row counts; ties on e are broken by the greater c, a null c loses
    check(warehouse, view, LATE, entities, "event",
          [{"s": 15.0, "newest": "c"}, {"s": 15.0, "newest": "c"}, {"s": 15.0, "newest": "c"}])


# Tiles of 2s (test policy, 5s window): at t = 10.5s the window's middle tiles are [6, 8) and
# [8, 10). Tile [8, 10) holds a row landing at 20s (so it is not wholly known: its rows are read
# one by one), tile [6, 8) one landing at 30s, a tile "late" by more than the next tile.
UNKNOWN_TILES = frame(
    customer_id=[1, 1, 1, 1, 1],
    event_ts=[sec(8), sec(8.5), sec(6), sec(7), sec(2)],
    created_ts=[sec(8), sec(20), sec(30), sec(7), sec(2)],
    amount=[1.0, 2.0, 4.0, 8.0, 16.0],
)


@pytest.mark.parametrize(("rule", "expected"), [("known", 9.0), ("event", 15.0)])
def test_tiles_not_wholly_known_at_t_are_read_row_by_row(warehouse, rule, expected):
    view = view_of(Aggregation("s", "sum", "amount", "5s"), Aggregation("hi", "max", "amount", "5s"))
    entities = frame(customer_id=[1, 1], event_timestamp=[sec(10.5), sec(31)])
    late = {"s": None, "hi": None}  # at 31s the window (26s, 31s] is empty
    check(warehouse, view, UNKNOWN_TILES, entities, rule,
          [{"s": expected, "hi": 8.0 if rule == "known" else 8.0}, late])


def test_duplicate_and_unsorted_entity_rows_each_get_their_row(warehouse):
    view = view_of(Aggregation("n", "count", "amount", "1h"), Aggregation("avg", "avg", "amount", "1h"))
    entities = frame(customer_id=[2, 1, 1, 2, None], event_timestamp=[sec(60), sec(60), sec(6), sec(60), sec(60)])
    expected = [{"n": 1, "avg": 16.0}, {"n": 4, "avg": 15 / 4}, {"n": 2, "avg": 3.0}, {"n": 1, "avg": 16.0},
                {"n": 0, "avg": None}]
    check(warehouse, view, EDGES, entities, "known", expected)


STORES = frame(
    customer_id=[1, 1, 1, 2, 1],
    store=["north", "south", "north", "north", "north"],
    event_ts=[sec(1), sec(2), sec(3), sec(4), sec(5)],
    amount=[1.0, 2.0, 4.0, 8.0, 16.0],
    qty=[1, 1, 2, None, 2],
)


def test_composite_and_string_keys(warehouse):
    store = Entity("store", ["store"])
    view = view_of(Aggregation("s", "sum", "amount", "1m"), Aggregation("kinds", "count_distinct", "qty", "1m"),
                   Aggregation("top", "max", "qty", "1m"), created=False, entities=(CUSTOMER, store))
    entities = frame(customer_id=[1, 1, 2, 2], store=["north", "south", "north", "south"],
                     event_timestamp=[sec(4), sec(9), sec(9), sec(9)])
    expected = [{"s": 5.0, "kinds": 2, "top": 2}, {"s": 2.0, "kinds": 1, "top": 1},
                {"s": 8.0, "kinds": 0, "top": None}, {"s": None, "kinds": 0, "top": None}]
    check(warehouse, view, STORES, entities, "known", expected)


def test_filters_select_rows_per_aggregation(warehouse):
    view = view_of(Aggregation("north", "sum", "amount", "1m", filter="store = 'north' AND qty >= 2"),
                   Aggregation("south", "count", "amount", "1m", filter="store <> 'north'"),
                   Aggregation("last_north", "last", "qty", "1m", filter="store = 'north'"),
                   Aggregation("all", "sum", "amount", "1m"), created=False)
    entities = frame(customer_id=[1, 1], event_timestamp=[sec(9), sec(2)])
    expected = [{"north": 20.0, "south": 1, "last_north": 2, "all": 23.0},
                {"north": None, "south": 1, "last_north": 1, "all": 3.0}]
    check(warehouse, view, STORES, entities, "known", expected)


def test_naive_timestamp_columns_are_utc(warehouse):
    view = view_of(Aggregation("n", "count", "amount", "10s"), Aggregation("s", "sum", "amount", "10s"))
    entities = frame(customer_id=[1], event_timestamp=[sec(10)])
    check(warehouse, view, EDGES, entities, "known", [{"n": 2, "s": 5.0}], naive=True)


# Days of history, so the default policy tiles by day: 7d and 30d windows read whole days as
# tiles, a row landing ten days late makes its tile unknown until then.
HISTORY = frame(
    customer_id=[1, 1, 1, 1, 1, 1, 2],
    event_ts=[day(0.5), day(3), day(6) - US, day(10 + 1 / 3), day(20.5), day(29), day(1)],
    created_ts=[day(0.5), day(3), day(6), day(20), day(20.5), day(29), day(1)],
    amount=[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0],
)
LONG = (Aggregation("n_7d", "count", "amount", "7d"), Aggregation("s_7d", "sum", "amount", "7d"),
        Aggregation("s_30d", "sum", "amount", "30d"), Aggregation("hi_30d", "max", "amount", "30d"),
        Aggregation("avg_30d", "avg", "amount", "30d"))


@pytest.mark.parametrize(("rule", "expected"), [
    ("known", [
        {"n_7d": 1, "s_7d": 32.0, "s_30d": 63.0, "hi_30d": 32.0, "avg_30d": 10.5},
        {"n_7d": 0, "s_7d": None, "s_30d": 7.0, "hi_30d": 4.0, "avg_30d": 7 / 3},   # day 10 not landed
        {"n_7d": 1, "s_7d": 32.0, "s_30d": 60.0, "hi_30d": 32.0, "avg_30d": 15.0},  # day 3 just left
        {"n_7d": 1, "s_7d": 64.0, "s_30d": 64.0, "hi_30d": 64.0, "avg_30d": 64.0},
    ]),
    ("event", [
        {"n_7d": 1, "s_7d": 32.0, "s_30d": 63.0, "hi_30d": 32.0, "avg_30d": 10.5},
        {"n_7d": 1, "s_7d": 8.0, "s_30d": 15.0, "hi_30d": 8.0, "avg_30d": 3.75},
        {"n_7d": 1, "s_7d": 32.0, "s_30d": 60.0, "hi_30d": 32.0, "avg_30d": 15.0},
        {"n_7d": 1, "s_7d": 64.0, "s_30d": 64.0, "hi_30d": 64.0, "avg_30d": 64.0},
    ]),
])
def test_long_windows_with_day_tiles(warehouse, rule, expected):
    entities = frame(customer_id=[1, 1, 1, 2], event_timestamp=[day(30), day(15), day(33.5), day(2)])
    check(warehouse, view_of(*LONG), HISTORY, entities, rule, expected)
    source = ReferenceSource(HISTORY, ("customer_id",), "event_ts", "created_ts")
    wanted = reference_aggregates(entities, source, [
        ReferenceAggregation(a.name, a.function, a.column, a.window) for a in LONG], rule)
    assert_rows_match(expected, wanted, "hand-worked values against the reference")


def test_stddev_of_large_close_values_is_exact(warehouse):
    values = [1e9 + 0.25, 1e9 + 0.5, 1e9 + 0.75, 1e9 + 1.5]
    rows = frame(customer_id=[1, 1, 1, 1], event_ts=[day(1), day(2), day(9), day(12)],
                 created_ts=[day(1), day(2), day(9), day(12)], amount=values)
    view = view_of(Aggregation("sd", "stddev", "amount", "30d"), Aggregation("sd_1", "stddev", "amount", "1d"))
    entities = frame(customer_id=[1, 1], event_timestamp=[day(13), day(2)])
    mean = sum(values) / 4 - 1e9
    spread = math.sqrt(sum((v - 1e9 - mean) ** 2 for v in values) / 3)
    check(warehouse, view, rows, entities, "known", [{"sd": spread, "sd_1": None}, {"sd": 0.1767766952966369,
                                                                                      "sd_1": None}])
