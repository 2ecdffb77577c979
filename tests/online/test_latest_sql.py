"""build_latest_query: small tables of (view, window, dialect) -> SQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlglot
from sqlglot import exp

from tests.online.helpers import orders_view
from virtualfs import Feature, FeatureView, Source
from virtualfs.compile.latest import build_latest_query
from virtualfs.dialects.identifiers import temp_table
from virtualfs.dialects.render import to_sql

JAN1 = datetime(2026, 1, 1, tzinfo=timezone.utc)
JAN2 = datetime(2026, 1, 2, 1, tzinfo=timezone(timedelta(hours=1)))  # midnight UTC
KNOWN = ('CASE WHEN "_vfs_source"."loaded_at" > "_vfs_source"."ordered_at" THEN "_vfs_source"."loaded_at" '
         'ELSE "_vfs_source"."ordered_at" END')


def inner(view, start, end, dialect, keys=None) -> exp.Select:
    return build_latest_query(view, start, end, dialect, keys=keys).find(exp.Subquery).this


@pytest.mark.parametrize(("view", "start", "end", "dialect", "where"), [
    (orders_view(), JAN1, JAN2, "duckdb",
     'NOT "_vfs_source"."ordered_at" IS NULL AND NOT "_vfs_source"."customer_id" IS NULL AND '
     f"{KNOWN} >= CAST('2026-01-01 00:00:00' AS TIMESTAMP) AND {KNOWN} < CAST('2026-01-02 00:00:00' AS TIMESTAMP)"),
    (orders_view(created=False), None, JAN2, "snowflake",
     'NOT "_vfs_source"."ORDERED_AT" IS NULL AND NOT "_vfs_source"."CUSTOMER_ID" IS NULL AND '
     "\"_vfs_source\".\"ORDERED_AT\" < CAST('2026-01-02 00:00:00' AS TIMESTAMP)"),
    (orders_view(created=False), None, None, "postgres",
     'NOT "_vfs_source"."ordered_at" IS NULL AND NOT "_vfs_source"."customer_id" IS NULL'),
])
def test_window_selects_rows_by_known_time(view, start, end, dialect, where):
    assert to_sql(inner(view, start, end, dialect).args["where"].this, dialect) == where


@pytest.mark.parametrize(("dialect", "order"), [
    ("duckdb", 'ORDER BY "_vfs_source"."ordered_at" DESC, "_vfs_source"."loaded_at" DESC'),
    ("postgres", 'ORDER BY "_vfs_source"."ordered_at" DESC NULLS LAST, "_vfs_source"."loaded_at" DESC NULLS LAST'),
    ("snowflake", 'ORDER BY "_vfs_source"."ORDERED_AT" DESC NULLS LAST, "_vfs_source"."LOADED_AT" DESC NULLS LAST'),
])
def test_latest_is_greatest_event_then_created_with_nulls_last(dialect, order):
    assert order in to_sql(build_latest_query(orders_view(), None, None, dialect), dialect)


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "snowflake", "bigquery", "trino"])
def test_query_parses_in_its_dialect_and_is_deterministic(dialect):
    view = FeatureView("v", orders_view().entities,
                       Source("s", query="SELECT customer_id, ts, total FROM raw.orders", timestamp="ts"),
                       [Feature("total", "float64")])
    tree = build_latest_query(view, JAN1, JAN2, dialect, keys=temp_table("_vfs_online_keys"))
    sql = to_sql(tree, dialect)
    assert sqlglot.parse_one(sql, read=dialect) is not None
    assert sql == to_sql(build_latest_query(view, JAN1, JAN2, dialect, keys=temp_table("_vfs_online_keys")),
                         dialect)
    join = tree.find(exp.Join)
    assert join.this.name == "_vfs_online_keys" and join.find(exp.Cast).to.is_type("text")


def test_output_columns_are_keys_times_then_features():
    tree = build_latest_query(orders_view(), None, None, "snowflake")
    names = [column.name for column in tree.expressions]
    assert names == ["CUSTOMER_ID", "_vfs_event", "_vfs_created", "AMOUNT", "ITEMS", "NOTE"]
