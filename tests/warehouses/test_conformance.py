"""The Warehouse protocol, run identically on duckdb, postgres and snowflake (fakesnow)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pyarrow as pa
import pytest
import sqlglot
from sqlglot import exp

from tests.backends import create_user_table
from virtualfs.dialects.identifiers import frame_column, resolve_column, warehouse_column, warehouse_table
from virtualfs.errors import RequestError, WarehouseError
from virtualfs.warehouses.base import uploaded

UTC = dt.timezone.utc
FRAME = pa.table({
    "row": pa.array([0, 1, 2, 3, 4], pa.int64()),
    "user_id": pa.array([1, None, -(2**63), 2**63 - 1, 2**53 + 1], pa.int64()),
    "score": pa.array([0.1, None, -1.5e300, 5e-324, 1 / 3], pa.float64()),
    "name": pa.array(["a", None, "", "ünïcode ✓", 'x,"y"\n\\.'], pa.string()),
    "active": pa.array([True, None, False, True, False], pa.bool_()),
    "event_ts": pa.array(
        [dt.datetime(2024, 1, 1, tzinfo=UTC), None, dt.datetime(1970, 1, 1, tzinfo=UTC),
         dt.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=UTC), dt.datetime(1900, 6, 1, tzinfo=UTC)],
        pa.timestamp("us", "UTC"),
    ),
})
ORDERS = pa.table({
    "order_id": pa.array([1, 2, 3], pa.int64()),
    "event_ts": pa.array([dt.datetime(2024, 1, d, tzinfo=UTC) for d in (1, 2, 3)], pa.timestamp("us", "UTC")),
    "amount": pa.array([10.0, 20.5, None], pa.float64()),
})
STORED_NAMES = {"duckdb": "event_ts", "postgres": "event_ts", "snowflake": "EVENT_TS", "spark": "event_ts"}


def select_all(table: exp.Table, order_by: str = "row") -> exp.Select:
    return exp.select("*").from_(table).order_by(exp.column(frame_column(order_by)))


def test_upload_fetch_round_trip_keeps_values_nulls_and_types(warehouse):
    entities = warehouse.upload("_vfs_entities", FRAME)

    result = warehouse.fetch_arrow(select_all(entities))

    assert result.schema == FRAME.schema
    assert result.to_pylist() == FRAME.to_pylist()


def test_upload_of_pandas_nullable_frame_comes_back_nullable_and_utc(warehouse):
    frame = pd.DataFrame({
        "row": [0, 1, 2],
        "user_id": pd.array([7, None, 9], dtype="Int64"),
        "event_ts": pd.to_datetime(["2024-01-01T10:00:00+02:00", None, "2024-01-02T00:00:00Z"],
                                   utc=True, format="ISO8601"),
        "flag": pd.array([True, False, None], dtype="boolean"),
    })
    entities = warehouse.upload("_vfs_entities", pa.Table.from_pandas(frame, preserve_index=False))

    result = warehouse.fetch_arrow(select_all(entities))

    assert result.schema.types == [pa.int64(), pa.int64(), pa.timestamp("us", "UTC"), pa.bool_()]
    assert result.column("user_id").to_pylist() == [7, None, 9]
    assert result.column("flag").to_pylist() == [True, False, None]
    assert result.column("event_ts")[0].as_py() == dt.datetime(2024, 1, 1, 8, tzinfo=UTC)


def test_upload_keeps_column_case(warehouse):
    frame = pa.table({"userId": [1], "EventTs": pa.array([dt.datetime(2024, 1, 1)]), "x": ["a"]})
    entities = warehouse.upload("_vfs_entities", frame)

    assert warehouse.schema_of(entities).names == ["userId", "EventTs", "x"]
    assert warehouse.fetch_arrow(select_all(entities, "userId")).column_names == ["userId", "EventTs", "x"]


def test_upload_takes_naive_timestamps_as_utc(warehouse):
    frame = pa.table({"row": [0], "ts": pa.array([dt.datetime(2024, 3, 1, 12, 30)], pa.timestamp("ns"))})

    result = warehouse.fetch_arrow(select_all(warehouse.upload("_vfs_entities", frame)))

    assert result.column("ts").type == pa.timestamp("us", "UTC")
    assert result.column("ts").to_pylist() == [dt.datetime(2024, 3, 1, 12, 30, tzinfo=UTC)]


def test_upload_narrow_integers_and_floats_come_back_64_bit(warehouse):
    frame = pa.table({"row": pa.array([0, 1], pa.int8()), "f": pa.array([1.5, None], pa.float32())})

    result = warehouse.fetch_arrow(select_all(warehouse.upload("_vfs_entities", frame)))

    assert result.schema == pa.schema([("row", pa.int64()), ("f", pa.float64())])


def test_upload_replaces_a_temporary_table_of_the_same_name(warehouse):
    warehouse.upload("_vfs_entities", FRAME)
    entities = warehouse.upload("_vfs_entities", FRAME.slice(0, 2).select(["row", "name"]))

    assert warehouse.fetch_arrow(select_all(entities)).to_pylist() == [
        {"row": 0, "name": "a"}, {"row": 1, "name": None},
    ]


def test_upload_of_empty_frame_keeps_its_schema(warehouse):
    entities = warehouse.upload("_vfs_entities", FRAME.slice(0, 0))

    result = warehouse.fetch_arrow(select_all(entities))

    assert result.num_rows == 0
    assert result.schema == FRAME.schema


@pytest.mark.notimpl(["snowflake"], raises=AssertionError, reason=(
    "fakesnow loads write_pandas frames through DuckDB's pandas scan, which reads NaN as NULL; "
    "real Snowflake stages Parquet and keeps NaN"))
def test_upload_keeps_nan_apart_from_null(warehouse):
    entities = warehouse.upload("_vfs_entities", pa.table({"row": [0, 1], "f": [float("nan"), None]}))

    values = warehouse.fetch_arrow(select_all(entities)).column("f").to_pylist()

    assert values[0] is not None and math.isnan(values[0]) and values[1] is None


def test_upload_rejects_a_column_type_it_cannot_store(warehouse):
    frame = pa.table({"ids": pa.array([[1, 2]], pa.list_(pa.int64()))})

    with pytest.raises(RequestError, match="entity frame column 'ids'"):
        warehouse.upload("_vfs_entities", frame)


@pytest.mark.parametrize("name", ["a b", "x; DROP TABLE t", "", "1abc"])
def test_upload_rejects_a_table_name_that_is_not_an_identifier(warehouse, name):
    with pytest.raises(RequestError, match="temporary table name"):
        warehouse.upload(name, FRAME)


def test_uploaded_drops_the_table_even_when_the_block_fails(warehouse):
    with pytest.raises(WarehouseError), uploaded(warehouse, "_vfs_entities", FRAME) as entities:
        warehouse.fetch_arrow(exp.select(exp.column("no_such_column")).from_(entities))

    with pytest.raises(WarehouseError):
        warehouse.schema_of(entities)


def test_schema_of_table_reports_names_as_the_warehouse_stores_them(warehouse):
    orders = create_user_table(warehouse, "orders", ORDERS)

    schema = warehouse.schema_of(orders)

    stored = STORED_NAMES[warehouse.dialect]
    assert schema.field(stored).type == pa.timestamp("us", "UTC")
    assert schema.types == [pa.int64(), pa.timestamp("us", "UTC"), pa.float64()]
    assert [resolve_column(n, schema.names, warehouse.dialect) for n in ORDERS.column_names] == schema.names


def test_schema_of_query_types_its_expressions(warehouse):
    orders = create_user_table(warehouse, "orders", ORDERS)
    amount = exp.column(warehouse_column("amount", warehouse.dialect))
    query = exp.select(
        exp.func("count", exp.Star()).as_(frame_column("n")),
        exp.func("max", amount).as_(frame_column("top")),
        exp.cast(exp.func("max", amount), "text").as_(frame_column("label")),
    ).from_(orders)

    schema = warehouse.schema_of(query)

    assert schema == pa.schema([("n", pa.int64()), ("top", pa.float64()), ("label", pa.string())])


def test_fetch_batches_streams_the_result_in_slices(warehouse):
    entities = warehouse.upload("_vfs_entities", pa.table({"row": list(range(10))}))

    batches = list(warehouse.fetch_batches(select_all(entities), batch_rows=4))

    assert all(0 < batch.num_rows <= 4 for batch in batches)
    assert pa.Table.from_batches(batches).column("row").to_pylist() == list(range(10))


def test_fetch_batches_of_typed_frame_matches_fetch_arrow(warehouse):
    entities = warehouse.upload("_vfs_entities", FRAME)

    batches = list(warehouse.fetch_batches(select_all(entities), batch_rows=2))

    assert pa.Table.from_batches(batches).equals(warehouse.fetch_arrow(select_all(entities)))


@pytest.mark.parametrize("written", ["orders", "ORDERS", "Orders"])
def test_unquoted_table_name_resolves_by_the_warehouse_rules(warehouse, written):
    create_user_table(warehouse, "orders", ORDERS)
    query = exp.select(exp.column(warehouse_column("Order_ID", warehouse.dialect))).from_(
        warehouse_table(written, warehouse.dialect)
    )

    assert warehouse.fetch_arrow(query).num_rows == 3


def test_table_created_unquoted_is_stored_folded(warehouse):
    create_user_table(warehouse, "orders", ORDERS)
    stored = {"duckdb": "orders", "postgres": "orders", "snowflake": "ORDERS", "spark": "orders"}[warehouse.dialect]

    schema = warehouse.schema_of(exp.table_(exp.to_identifier(stored, quoted=True)))

    assert STORED_NAMES[warehouse.dialect] in schema.names


def test_quoted_table_name_keeps_its_case(warehouse):
    quoted = exp.table_(exp.to_identifier("MixedCase", quoted=True))
    warehouse.execute(exp.Create(this=quoted, kind="TABLE", expression=exp.select(exp.Literal.number(1).as_("x"))))

    assert warehouse.fetch_arrow(exp.select("*").from_(warehouse_table('"MixedCase"', warehouse.dialect))).num_rows == 1


def test_missing_table_is_a_warehouse_error_naming_warehouse_and_table(warehouse):
    with pytest.raises(WarehouseError) as raised:
        warehouse.schema_of(warehouse_table("no_such_table", warehouse.dialect))

    message = str(raised.value)
    assert message.startswith(warehouse.dialect)
    assert "no_such_table" in message.lower()
    assert "\n" not in message


def test_table_dropped_after_it_was_read_is_a_warehouse_error(warehouse):
    orders = create_user_table(warehouse, "orders", ORDERS)
    warehouse.schema_of(orders)
    warehouse.execute(exp.Drop(this=orders.copy(), kind="TABLE"))

    with pytest.raises(WarehouseError, match="(?i)orders"):
        warehouse.fetch_arrow(exp.select("*").from_(orders))


def test_failed_statement_leaves_the_connection_usable(warehouse):
    with pytest.raises(WarehouseError):
        warehouse.execute(exp.select("*").from_(warehouse_table("no_such_table", warehouse.dialect)))

    assert warehouse.fetch_arrow(exp.select(exp.Literal.number(1).as_(frame_column("x")))).to_pylist() == [{"x": 1}]


def test_execute_atomic_applies_every_statement(warehouse):
    orders = create_user_table(warehouse, "orders", ORDERS)
    copy = exp.Insert(this=orders.copy(), expression=exp.select("*").from_(orders.copy()))

    warehouse.execute_atomic([exp.Delete(this=orders.copy()), copy, copy.copy()])

    assert warehouse.fetch_arrow(exp.select("*").from_(orders)).num_rows == 0


def test_execute_atomic_rolls_back_when_a_statement_fails(warehouse):
    orders = create_user_table(warehouse, "orders", ORDERS)
    missing = warehouse_table("no_such_table", warehouse.dialect)

    with pytest.raises(WarehouseError, match="(?i)no_such_table"):
        warehouse.execute_atomic([
            exp.Delete(this=orders.copy()),
            exp.Insert(this=orders.copy(), expression=exp.select("*").from_(missing)),
        ])

    assert warehouse.fetch_arrow(exp.select("*").from_(orders)).num_rows == 3


def test_capabilities_are_declared(warehouse):
    capabilities = warehouse.capabilities

    assert capabilities.supports_temp_tables
    assert capabilities.supports_asof_join or capabilities.supports_qualify or capabilities.supports_lateral


def test_fractional_decimals_come_back_as_doubles_zero_included(warehouse):
    query = sqlglot.parse_one("SELECT CAST(0 AS DECIMAL(38, 12)) AS z, CAST(1.5 AS DECIMAL(38, 12)) AS h")
    result = warehouse.fetch_arrow(query)
    assert [f.type for f in result.schema] == [pa.float64(), pa.float64()]
    assert [result.column(i).to_pylist() for i in (0, 1)] == [[0.0], [1.5]]
