"""Compiler units as tables of (input, dialect, expected SQL)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
import sqlglot
from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from tests.compile.helpers import context, orders_view, request
from virtualfs.compile import names
from virtualfs.compile.entities import build_numbered_entities
from virtualfs.compile.pit import AsofJoin, MatchCondition
from virtualfs.compile.pit.base import candidate_condition, newest_first
from virtualfs.compile.scan import build_scan, build_source_relation, known_time, landed_by, minus
from virtualfs.dialects import naive_timestamp
from virtualfs.dialects.render import to_sql

T = names.column("t")


@pytest.mark.parametrize(("delta", "dialect", "expected"), [
    (timedelta(days=30), "duckdb", "\"t\" - INTERVAL '2592000' SECOND"),
    (timedelta(days=30), "snowflake", "\"t\" - INTERVAL '2592000 SECOND'"),
    (timedelta(hours=1), "postgres", "\"t\" - INTERVAL '3600 SECOND'"),
    (timedelta(hours=1), "bigquery", "`t` - INTERVAL '3600' SECOND"),
    (timedelta(hours=1), "trino", "\"t\" - INTERVAL '3600' SECOND"),
    (timedelta(seconds=1, microseconds=5), "duckdb", "\"t\" - INTERVAL '1000005' MICROSECOND"),
])
def test_minus_interval(delta, dialect, expected) -> None:
    assert to_sql(minus(T, delta), dialect) == expected


@pytest.mark.parametrize(("dialect", "expected"), [
    ("duckdb", 'CASE WHEN "c" > "e" THEN "c" ELSE "e" END'),
    ("snowflake", 'CASE WHEN "c" > "e" THEN "c" ELSE "e" END'),
])
def test_known_time_is_null_safe_greatest(dialect, expected) -> None:
    assert to_sql(known_time(names.column("e"), names.column("c")), dialect) == expected


def test_landed_by_counts_null_created_as_landed_at_its_event() -> None:
    landed = landed_by(names.column("c"), names.column("e"), T)
    assert to_sql(landed, "postgres") == 'COALESCE("c", "e") <= "t"'


@pytest.mark.parametrize(("source", "dialect", "expected"), [
    (None, "duckdb", '"sales"."orders" AS "_vfs_source"'),
    (None, "snowflake", '"SALES"."ORDERS" AS "_vfs_source"'),
    (None, "postgres", '"sales"."orders" AS "_vfs_source"'),
    ("SELECT customer_id, Ordered_At, loaded_at, total FROM orders", "snowflake",
     '(SELECT "CUSTOMER_ID", "ORDERED_AT", "LOADED_AT", "TOTAL" FROM "ORDERS") AS "_vfs_source"'),
    ('SELECT "Id" AS customer_id, ordered_at, loaded_at, total FROM orders', "postgres",
     '(SELECT "Id" AS "customer_id", "ordered_at", "loaded_at", "total" FROM "orders") AS "_vfs_source"'),
])
def test_source_names_fold_like_the_warehouse(source, dialect, expected) -> None:
    view = orders_view(query=source)
    assert to_sql(build_source_relation(view.source, dialect), dialect) == expected


@pytest.mark.parametrize(("dialect", "expected"), [
    ("duckdb", '"s"."_vfs_event" DESC, "s"."_vfs_created" DESC'),
    # candidates never have a null event time: it is ordered plainly, so an index can serve it
    ("postgres", '"s"."_vfs_event" DESC, "s"."_vfs_created" DESC NULLS LAST'),
    ("snowflake", '"s"."_vfs_event" DESC, "s"."_vfs_created" DESC NULLS LAST'),
    ("bigquery", '`s`.`_vfs_event` DESC, `s`.`_vfs_created` DESC'),
])
def test_newest_first_says_where_nulls_go(dialect, expected) -> None:
    order = exp.Order(expressions=newest_first(context(orders_view(), dialect), "s"))
    assert to_sql(order, dialect) == f"ORDER BY {expected}"


@pytest.mark.parametrize(("rule", "ttl", "expected"), [
    ("known", None, '"_vfs_entity"."customer_id" = "s"."CUSTOMER_ID" AND "s"."_vfs_event" <= '
     '"_vfs_entity"."event_timestamp" AND COALESCE("s"."_vfs_created", "s"."_vfs_event") <= '
     '"_vfs_entity"."event_timestamp"'),
    ("event", "1h", '"_vfs_entity"."customer_id" = "s"."CUSTOMER_ID" AND "s"."_vfs_event" <= '
     '"_vfs_entity"."event_timestamp" AND "s"."_vfs_event" >= "_vfs_entity"."event_timestamp" '
     "- INTERVAL '3600 SECOND'"),
])
def test_candidate_condition_per_rule(rule, ttl, expected) -> None:
    view = context(orders_view(ttl=ttl), "snowflake", rule)
    assert to_sql(candidate_condition(view, "s"), "snowflake") == expected


def test_match_condition_keeps_entity_time_on_the_left() -> None:
    # a past sqlglot release swapped MATCH_CONDITION operands: pin the text
    join = MatchCondition().build_view(context(orders_view(), "snowflake")).join
    assert to_sql(join, "snowflake") == (
        'ASOF JOIN "_vfs_best_0" AS "_vfs_v0" MATCH_CONDITION ("_vfs_entity"."event_timestamp" >= '
        '"_vfs_v0"."_vfs_known") ON "_vfs_entity"."customer_id" = "_vfs_v0"."CUSTOMER_ID"'
    )


@pytest.mark.parametrize(("rule", "created", "ordering"), [
    ("known", "loaded_at", '"_vfs_entity"."event_timestamp" >= "_vfs_v0"."_vfs_known"'),
    ("event", None, '"_vfs_entity"."event_timestamp" >= "_vfs_v0"."_vfs_event"'),
    ("known", None, '"_vfs_entity"."event_timestamp" >= "_vfs_v0"."_vfs_event"'),
    ("event", "loaded_at", 'CAST(EPOCH_US("_vfs_entity"."event_timestamp") AS INT128) * 18446744073709551616 '
     '+ 9223372036854775807 >= "_vfs_v0"."_vfs_order"'),
])
def test_asof_join_orders_by_rule(rule, created, ordering) -> None:
    join = AsofJoin().build_view(context(orders_view(created=created), "duckdb", rule)).join
    assert to_sql(join, "duckdb").endswith(f'"_vfs_entity"."customer_id" = "_vfs_v0"."customer_id" AND {ordering}')


@pytest.mark.parametrize(("query", "dialect", "expected"), [
    ("SELECT id, t FROM x ORDER BY t DESC", "snowflake",
     'SELECT "ID", "T", ROW_NUMBER() OVER (ORDER BY "T" DESC) AS "_vfs_row" FROM "X" ORDER BY "T" DESC'),
    ("SELECT id, t AS at FROM x ORDER BY 2, at", "postgres",
     'SELECT "id", "t" AS "at", ROW_NUMBER() OVER (ORDER BY "t", "t") AS "_vfs_row" FROM "x" ORDER BY 2, "at"'),
    ("SELECT id, t FROM x", "snowflake",
     'SELECT "_vfs_query".*, ROW_NUMBER() OVER (ORDER BY NULL) AS "_vfs_row" FROM (SELECT "ID", "T" FROM "X") '
     'AS "_vfs_query"'),
    ("SELECT DISTINCT id, t FROM x ORDER BY t", "duckdb",
     'SELECT "_vfs_query".*, ROW_NUMBER() OVER (ORDER BY NULL) AS "_vfs_row" FROM (SELECT DISTINCT "id", "t" '
     'FROM "x" ORDER BY "t") AS "_vfs_query"'),
])
def test_entity_query_rows_are_numbered_in_its_order(query, dialect, expected) -> None:
    parsed = normalize_identifiers(sqlglot.parse_one(query, read=dialect), dialect=dialect)
    assert to_sql(build_numbered_entities(parsed), dialect) == expected


@pytest.mark.parametrize(("rule", "ttl", "where"), [
    ("known", "1h", '"_vfs_source"."ORDERED_AT" <= "_vfs_bounds"."_vfs_high" AND "_vfs_source"."ORDERED_AT" >= '
     '"_vfs_bounds"."_vfs_low" - INTERVAL \'3600 SECOND\' AND COALESCE("_vfs_source"."LOADED_AT", '
     '"_vfs_source"."ORDERED_AT") <= "_vfs_bounds"."_vfs_high"'),
    ("event", None, '"_vfs_source"."ORDERED_AT" <= "_vfs_bounds"."_vfs_high"'),
])
def test_scan_is_pruned_to_entity_times(rule, ttl, where) -> None:
    scan = build_scan(context(orders_view(ttl=ttl), "snowflake", rule))
    assert to_sql(scan.args["where"], "snowflake") == f"WHERE {where}"
    assert to_sql(scan.args["joins"][0], "snowflake") == 'CROSS JOIN "_vfs_bounds"'


@pytest.mark.parametrize(("dialect", "expected"), [
    ("duckdb", 'CAST("t" AS TIMESTAMP)'), ("postgres", 'CAST("t" AS TIMESTAMP)'),
    ("snowflake", 'CAST("t" AS TIMESTAMPNTZ)'), ("trino", 'CAST("t" AS TIMESTAMP(6))'),
    ("bigquery", None), ("databricks", None),
])
def test_uploaded_times_compare_as_the_dialects_naive_timestamp(dialect, expected) -> None:
    entities = request(orders_view()).entities
    typed = dataclasses.replace(entities, timestamp="t", time_type=naive_timestamp(dialect))
    if expected is None:
        assert typed.relation() == entities.table and typed.time().name == "t"
    else:
        assert to_sql(typed.build_rows().expressions[1].this, dialect) == expected
        assert typed.time().name == "_vfs_time"


def test_what_a_dialect_cannot_say_is_refused_not_dropped() -> None:
    from sqlglot import parse_one

    from virtualfs.errors import UnsupportedError

    last = parse_one("SELECT LAST_VALUE(x IGNORE NULLS) OVER (ORDER BY y) FROM t", read="duckdb")
    assert "IGNORE NULLS" in to_sql(last, "duckdb")
    with pytest.raises(UnsupportedError, match="postgres: PostgreSQL does not support IGNORE NULLS"):
        to_sql(last, "postgres")
