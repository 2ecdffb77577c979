"""The dtype <-> SQL type <-> Arrow tables, and the compatibility rule apply-validation uses."""

from __future__ import annotations

import pyarrow as pa
import pytest

from virtualfs.definitions.dtypes import DType
from virtualfs.dialects import dialect
from virtualfs.dialects.types import arrow_type_of, canonical, compatible, sql_type
from virtualfs.warehouses.arrow import conform

UTC_US = pa.timestamp("us", "UTC")


@pytest.mark.parametrize(("dtype", "dialect", "sql"), [
    ("int64", "duckdb", "BIGINT"),
    ("int64", "postgres", "BIGINT"),
    ("int64", "snowflake", "DECIMAL(38, 0)"),
    ("float64", "duckdb", "DOUBLE"),
    ("float64", "postgres", "DOUBLE PRECISION"),
    ("float64", "snowflake", "DOUBLE"),  # Snowflake's FLOAT is a double
    ("string", "duckdb", "TEXT"),
    ("string", "postgres", "TEXT"),
    ("string", "snowflake", "VARCHAR"),
    ("bool", "snowflake", "BOOLEAN"),
    ("timestamp", "duckdb", "TIMESTAMPTZ"),
    ("timestamp", "postgres", "TIMESTAMPTZ"),
    ("timestamp", "snowflake", "TIMESTAMPTZ"),
])
def test_sql_type_of_each_dtype(dtype, dialect, sql):
    assert sql_type(dtype, dialect).sql(dialect) == sql


def test_every_dialect_maps_every_dtype():
    assert all(set(dialect(name).sql_types) == set(DType) for name in ("duckdb", "postgres", "snowflake"))


@pytest.mark.parametrize(("name", "dialect", "scale", "arrow"), [
    ("int2", "postgres", None, pa.int64()),
    ("int8", "postgres", None, pa.int64()),
    ("numeric", "postgres", None, pa.float64()),
    ("varchar", "postgres", None, pa.string()),
    ("timestamp", "postgres", None, UTC_US),
    ("timestamptz", "postgres", None, UTC_US),
    ("date", "postgres", None, pa.date32()),
    ("jsonb", "postgres", None, None),
    ("FIXED", "snowflake", 0, pa.int64()),
    ("FIXED", "snowflake", 2, pa.float64()),
    ("REAL", "snowflake", None, pa.float64()),
    ("TIMESTAMP_NTZ", "snowflake", 9, UTC_US),
    ("TIMESTAMP_LTZ", "snowflake", 9, UTC_US),
    ("BOOLEAN", "snowflake", None, pa.bool_()),
    ("VARIANT", "snowflake", None, None),
])
def test_arrow_type_of_warehouse_type(name, dialect, scale, arrow):
    assert arrow_type_of(name, dialect, scale) == arrow


@pytest.mark.parametrize(("dtype", "arrow", "expected"), [
    ("int64", pa.int8(), True),
    ("int64", pa.uint32(), True),
    ("int64", pa.float64(), False),
    ("int64", pa.decimal128(38, 0), False),
    ("float64", pa.float32(), True),
    ("float64", pa.decimal128(10, 2), True),
    ("float64", pa.int64(), True),
    ("float64", pa.string(), False),
    ("string", pa.large_string(), True),
    ("string", pa.int64(), False),
    ("bool", pa.bool_(), True),
    ("bool", pa.int8(), False),
    ("timestamp", pa.timestamp("ns"), True),
    ("timestamp", pa.timestamp("us", "Europe/Paris"), True),
    ("timestamp", pa.date32(), True),
    ("timestamp", pa.string(), False),
])
def test_compatible(dtype, arrow, expected):
    assert compatible(dtype, arrow) is expected


@pytest.mark.parametrize(("arrow", "expected"), [
    (pa.int16(), pa.int64()),
    (pa.decimal128(38, 0), pa.int64()),
    (pa.decimal128(10, 2), pa.float64()),
    (pa.float32(), pa.float64()),
    (pa.large_string(), pa.string()),
    (pa.timestamp("ns"), UTC_US),
    (pa.timestamp("us", "Etc/UTC"), UTC_US),
    (pa.date64(), pa.date32()),
    (pa.list_(pa.int64()), pa.list_(pa.int64())),
])
def test_canonical_result_type(arrow, expected):
    assert canonical(arrow) == expected


def test_conform_relabels_naive_timestamps_as_utc_and_widens_integers():
    table = pa.table({"ts": pa.array([0, None], pa.timestamp("ns")), "n": pa.array([1, None], pa.int8())})

    result = conform(table)

    assert result.schema == pa.schema([("ts", UTC_US), ("n", pa.int64())])
    assert result.column("ts").cast(pa.int64()).to_pylist() == [0, None]
