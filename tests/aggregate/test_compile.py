"""Compiling aggregations, without a warehouse: formulation choice, tile sizes, SQL shape."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pyarrow as pa
import pytest
import sqlglot

from tests.aggregate.helpers import CUSTOMER
from virtualfs import Aggregation, FeatureView, Source
from virtualfs.compile.aggregate import (
    AggregateColumn,
    AggregateContext,
    AggregateRequest,
    RangeJoin,
    Tiled,
    TilePolicy,
    build_aggregate_select,
    choose_formulation,
)
from virtualfs.compile.aggregate.tiled import grains
from virtualfs.compile.request import EntityRelation
from virtualfs.definitions import DType
from virtualfs.dialects.identifiers import temp_table
from virtualfs.dialects.render import to_sql
from virtualfs.errors import RequestError, UnsupportedError

DAY, HOUR = timedelta(days=1), timedelta(hours=1)
SOURCE = Source("orders", table="sales.orders", timestamp="ordered_at", created="loaded_at")
AGGREGATIONS = [
    Aggregation("n_1h", "count", "order_id", "1h"),
    Aggregation("spend_7d", "sum", "amount", "7d", filter="Status = 'paid' AND channel IN ('web', 'app')"),
    Aggregation("spend_30d", "sum", "amount", "30d", filter="Status = 'paid' AND channel IN ('web', 'app')"),
    Aggregation("max_30d", "max", "amount", "30d"),
    Aggregation("sd_90d", "stddev", "amount", "90d"),
    Aggregation("channels_30d", "count_distinct", "channel", "30d"),
    Aggregation("last_channel_7d", "last", "channel", "7d", filter="amount > 0"),
]
VIEW = FeatureView("activity", [CUSTOMER], SOURCE, aggregations=AGGREGATIONS)
ENTITIES = EntityRelation(temp_table("_vfs_entities"), "event_timestamp", (("customer_id", "customer_id"),), ())


def request(rule: str = "known") -> AggregateRequest:
    columns = tuple(AggregateColumn(a, a.name) for a in AGGREGATIONS)
    return AggregateRequest(VIEW, columns, ENTITIES, rule)


@pytest.mark.parametrize(
    ("dialect", "formulation"),
    [("duckdb", "tiled"), ("postgres", "tiled"), ("snowflake", "tiled"), ("bigquery", "range_join"),
     ("trino", "range_join"), ("databricks", "range_join")],
)
def test_formulation_is_chosen_by_dialect(dialect, formulation):
    assert choose_formulation(dialect).name == formulation


def test_named_formulations_are_checked():
    assert choose_formulation("duckdb", "range_join").name == "range_join"
    with pytest.raises(UnsupportedError, match="unknown aggregate formulation 'cumulative'"):
        choose_formulation("duckdb", "cumulative")
    with pytest.raises(UnsupportedError, match="'tiled' cannot run on trino"):
        choose_formulation("trino", "tiled")


@pytest.mark.parametrize(
    ("window", "function", "size"),
    [
        (HOUR, "sum", HOUR),            # short: raw rows, tiles as wide as the window
        (6 * DAY, "sum", 6 * DAY),
        (7 * DAY, "sum", DAY),          # spans 7 one-day tiles
        (30 * DAY, "avg", DAY),
        (48 * DAY, "max", DAY),
        (49 * DAY, "min", 7 * DAY),     # spans 7 seven-day tiles
        (195 * DAY, "count", 7 * DAY),
        (365 * DAY, "count", 28 * DAY),
        (100 * 365 * DAY, "count", 100 * 365 * DAY),  # more than 128 tiles: raw rows
        (30 * DAY, "count_distinct", 30 * DAY),  # needs the rows themselves
        (30 * DAY, "last", 30 * DAY),
    ],
)
def test_tile_size_follows_window_and_function(window, function, size):
    assert TilePolicy().tile_size(window, function) == size


def test_grains_group_aggregations_by_tile_size():
    context = AggregateContext(request(), "duckdb")
    found = [(g.size, g.tiled, [AGGREGATIONS[i].name for i in g.outputs]) for g in grains(context, TilePolicy())]
    assert found == [
        (HOUR, False, ["n_1h"]),
        (DAY, True, ["spend_7d", "spend_30d", "max_30d"]),
        (7 * DAY, False, ["last_channel_7d"]),
        (7 * DAY, True, ["sd_90d"]),
        (30 * DAY, False, ["channels_30d"]),
    ]


def _entity_rows(labels_per_key: dict[int, int], span: timedelta) -> pa.Table:
    """``n`` entity rows per key, spread evenly over ``span`` from 2026-01-01."""
    keys, times = [], []
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for key, n in labels_per_key.items():
        keys += [key] * n
        times += [start + span * (i / max(1, n - 1)) for i in range(n)]
    return pa.table({"customer_id": keys, "event_timestamp": pa.array(times, pa.timestamp("us", "UTC"))})


@pytest.mark.parametrize(("labels_per_key", "tiled"), [
    ({1: 100, 2: 100}, True),                   # every key dense for 90 days of labels
    ({1: 100, 2: 2, 3: 2, 4: 2}, True),         # the dense key holds most rows
    ({k: 2 for k in range(100)} | {999: 100}, False),  # dense rows a third of the total: below 0.5
    ({k: 2 for k in range(100)}, False),        # none dense
])
def test_known_entity_rows_leave_tiles_out_when_few_rows_would_use_them(labels_per_key, tiled):
    rows = _entity_rows(labels_per_key, timedelta(days=90))
    entities = dataclasses.replace(ENTITIES, rows=rows)
    aggregation = Aggregation("spend_30d", "sum", "amount", "30d")
    view = FeatureView("activity", [CUSTOMER], SOURCE, aggregations=[aggregation])
    context = AggregateContext(AggregateRequest(view, (AggregateColumn(aggregation, "spend_30d"),), entities),
                               "duckdb")
    policy = replace(TilePolicy(), min_dense_share=0.5)
    expected = [(DAY, True)] if tiled else [(30 * DAY, False)]
    assert [(g.size, g.tiled) for g in grains(context, policy)] == expected
    # without the rows in memory the query routes each key itself: the tile steps stay
    unknown = AggregateContext(AggregateRequest(view, (AggregateColumn(aggregation, "spend_30d"),), ENTITIES),
                               "duckdb")
    assert [(g.size, g.tiled) for g in grains(unknown, policy)] == [(DAY, True)]


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "snowflake", "bigquery", "trino"])
@pytest.mark.parametrize("rule", ["known", "event"])
def test_sql_is_deterministic_and_parses_in_its_dialect(dialect, rule):
    first = to_sql(build_aggregate_select(request(rule), dialect), dialect)
    assert first == to_sql(build_aggregate_select(request(rule), dialect), dialect)
    assert sqlglot.parse_one(first, read=dialect) is not None
    naive = to_sql(build_aggregate_select(request(rule), dialect, RangeJoin()), dialect)
    assert sqlglot.parse_one(naive, read=dialect) is not None


@pytest.mark.parametrize(
    ("dialect", "status", "table"),
    [("snowflake", '"STATUS"', '"SALES"."ORDERS"'), ("postgres", '"status"', '"sales"."orders"'),
     ("duckdb", '"status"', '"sales"."orders"')],
)
def test_filters_and_names_fold_like_the_warehouse(dialect, status, table):
    sql = to_sql(build_aggregate_select(request(), dialect), dialect)
    assert f"{status} = 'paid'" in sql
    assert "IN ('web', 'app')" in sql
    assert f"FROM {table} AS" in sql


def test_several_windows_of_a_column_share_one_scan_in_the_range_join():
    sql = to_sql(build_aggregate_select(request(), "duckdb", RangeJoin()), "duckdb")
    assert sql.count('FROM "sales"."orders"') == 1
    assert sql.count("JOIN") == 3  # the range join, and one join for each part of the result


def test_windows_sharing_a_tile_size_share_one_tile_table():
    sql = to_sql(build_aggregate_select(request(), "duckdb", Tiled()), "duckdb")
    assert sql.count('"_vfs_a0_g1_tiles" AS (') == 1
    # per tiled grain: key routes and tiles; then one GROUP BY _vfs_row per grain but last's ranking
    assert sql.count("GROUP BY") == 8


def test_outputs_are_cast_to_their_dtypes():
    columns = (AggregateColumn(AGGREGATIONS[0], "n"), AggregateColumn(AGGREGATIONS[1], "s", DType.FLOAT64),
               AggregateColumn(AGGREGATIONS[3], "m"))
    sql = to_sql(build_aggregate_select(AggregateRequest(VIEW, columns, ENTITIES), "snowflake"), "snowflake")
    assert re.search(r'CAST\(COALESCE\("_vfs_p\d"."_vfs_o0", 0\) AS DECIMAL\(38, 0\)\) AS "_vfs_o0"', sql)
    assert re.search(r'CAST\("_vfs_p\d"."_vfs_o1" AS DOUBLE\) AS "_vfs_o1"', sql)
    assert re.search(r', "_vfs_p\d"."_vfs_o2" AS "_vfs_o2"', sql)  # max, input type not given: as computed


def test_requests_are_checked():
    with pytest.raises(RequestError, match="no aggregations requested"):
        AggregateRequest(VIEW, (), ENTITIES)
    stranger = Aggregation("n_1h", "count", "order_id", "2h")
    with pytest.raises(RequestError, match="feature view 'activity' has no aggregation 'n_1h'"):
        AggregateRequest(VIEW, (AggregateColumn(stranger, "n"),), ENTITIES)
