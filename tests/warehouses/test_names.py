"""Names as users write them, resolved by each warehouse's own rules."""

from __future__ import annotations

import pytest

from virtualfs.dialects.identifiers import (
    frame_column,
    resolve_column,
    temp_table,
    warehouse_column,
    warehouse_table,
)
from virtualfs.dialects.render import to_sql
from virtualfs.errors import RequestError


@pytest.mark.parametrize(("written", "dialect", "sql"), [
    ("orders", "snowflake", '"ORDERS"'),
    ("Orders", "postgres", '"orders"'),
    ("Orders", "duckdb", '"orders"'),
    ("sales.orders", "snowflake", '"SALES"."ORDERS"'),
    ("db.sales.orders", "postgres", '"db"."sales"."orders"'),
    ('"Orders"', "snowflake", '"Orders"'),
    ('sales."Orders"', "postgres", '"sales"."Orders"'),
])
def test_warehouse_table(written, dialect, sql):
    assert to_sql(warehouse_table(written, dialect), dialect) == sql


@pytest.mark.parametrize("written", ["", "select", "a b c d", "1 + 2"])
def test_warehouse_table_rejects_what_is_not_a_table_name(written):
    with pytest.raises(RequestError, match="is not a"):
        warehouse_table(written, "postgres")


@pytest.mark.parametrize(("written", "dialect", "sql"), [
    ("event_ts", "snowflake", '"EVENT_TS"'),
    ("Event_TS", "postgres", '"event_ts"'),
    ("Event_TS", "duckdb", '"event_ts"'),
    ("has space", "snowflake", '"has space"'),
])
def test_warehouse_column(written, dialect, sql):
    assert to_sql(warehouse_column(written, dialect), dialect) == sql


def test_frame_column_keeps_exact_case_in_every_dialect():
    assert {to_sql(frame_column("userId"), d) for d in ("duckdb", "postgres", "snowflake")} == {'"userId"'}


@pytest.mark.parametrize(("name", "available", "dialect", "found"), [
    ("event_ts", ["ID", "EVENT_TS"], "snowflake", "EVENT_TS"),
    ("event_ts", ["event_ts"], "snowflake", "event_ts"),
    ("Amount", ["id", "amount"], "postgres", "amount"),
    ("amount", ["id", "Amount"], "postgres", "Amount"),
    ("amount", ["Amount", "AMOUNT"], "postgres", None),
    ("amount", ["Amount", "AMOUNT"], "snowflake", "AMOUNT"),
    ("missing", ["id"], "duckdb", None),
])
def test_resolve_column(name, available, dialect, found):
    assert resolve_column(name, available, dialect) == found


def test_temp_table_is_exact_case_and_bounded():
    assert to_sql(temp_table("_vfs_Entities", db="pg_temp"), "postgres") == '"pg_temp"."_vfs_Entities"'
    with pytest.raises(RequestError, match="at most 63 bytes"):
        temp_table("x" * 64, max_length=63)
