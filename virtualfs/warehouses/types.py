"""Feature dtypes <-> warehouse SQL types <-> Arrow, as tables.

| dtype     | DuckDB      | PostgreSQL       | Snowflake    | Arrow (results)    | pandas              |
|-----------|-------------|------------------|--------------|--------------------|---------------------|
| int64     | BIGINT      | BIGINT           | NUMBER(38,0) | int64              | Int64 (nullable)    |
| float64   | DOUBLE      | DOUBLE PRECISION | FLOAT/DOUBLE | float64            | float64             |
| string    | VARCHAR     | TEXT             | VARCHAR      | string             | string              |
| bool      | BOOLEAN     | BOOLEAN          | BOOLEAN      | bool               | boolean (nullable)  |
| timestamp | TIMESTAMPTZ | TIMESTAMPTZ      | TIMESTAMP_TZ | timestamp[us, UTC] | datetime64[us, UTC] |

Reading back, every integer width is int64, every float and fractional decimal is float64
(Postgres ``numeric`` included), every timestamp flavour is ``timestamp[us, UTC]`` (a naive
value is taken as UTC) and ``date`` stays ``date32``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from virtualfs.definitions.dtypes import DType

if TYPE_CHECKING:
    import pyarrow as pa

# The SQL type each dialect stores a feature dtype as (parsed in that dialect).
SQL_TYPES: dict[str, dict[DType, str]] = {
    "duckdb": {
        DType.INT64: "BIGINT", DType.FLOAT64: "DOUBLE", DType.STRING: "VARCHAR",
        DType.BOOL: "BOOLEAN", DType.TIMESTAMP: "TIMESTAMPTZ",
    },
    "postgres": {
        DType.INT64: "BIGINT", DType.FLOAT64: "DOUBLE PRECISION", DType.STRING: "TEXT",
        DType.BOOL: "BOOLEAN", DType.TIMESTAMP: "TIMESTAMPTZ",
    },
    "snowflake": {
        DType.INT64: "NUMBER(38, 0)", DType.FLOAT64: "FLOAT", DType.STRING: "VARCHAR",
        DType.BOOL: "BOOLEAN", DType.TIMESTAMP: "TIMESTAMP_TZ",
    },
}

# Warehouse type names (as the driver reports them) -> dtype; "date" is kept apart below.
_WAREHOUSE_TYPES: dict[str, dict[str, DType]] = {
    "postgres": {
        **dict.fromkeys(("int2", "int4", "int8", "oid"), DType.INT64),
        **dict.fromkeys(("float4", "float8", "numeric"), DType.FLOAT64),
        **dict.fromkeys(("text", "varchar", "bpchar", "char", "name"), DType.STRING),
        "bool": DType.BOOL,
        **dict.fromkeys(("timestamp", "timestamptz"), DType.TIMESTAMP),
    },
    "snowflake": {
        "FIXED": DType.INT64,  # with a scale > 0 it is FLOAT64, see arrow_type_of
        "REAL": DType.FLOAT64,
        "TEXT": DType.STRING,
        "BOOLEAN": DType.BOOL,
        **dict.fromkeys(
            ("TIMESTAMP", "TIMESTAMP_LTZ", "TIMESTAMP_NTZ", "TIMESTAMP_TZ"), DType.TIMESTAMP
        ),
    },
}
_DATE_NAMES = {"date", "DATE"}


def type_names(dialect: str) -> frozenset[str]:
    """The warehouse type names that map to a dtype or date; any other type is read as text."""
    return frozenset(_WAREHOUSE_TYPES[dialect]) | _DATE_NAMES


def sql_type(dtype: DType | str, dialect: str) -> exp.DataType:
    """The SQL type ``dialect`` stores a feature of ``dtype`` as.

    >>> sql_type("int64", "snowflake").sql("snowflake")
    'DECIMAL(38, 0)'
    """
    return exp.DataType.build(SQL_TYPES[dialect][DType(dtype)], dialect=dialect)


def date_sql_type() -> exp.DataType:
    """``DATE``, the same in every dialect (entity frames may carry date columns)."""
    return exp.DataType.build("DATE")


def arrow_type_of(type_name: str, dialect: str, scale: int | None = None) -> pa.DataType | None:
    """The Arrow type a result column of warehouse type ``type_name`` is returned as.

    ``None`` for a type with no feature dtype (json, arrays, intervals...).

    >>> arrow_type_of("FIXED", "snowflake", scale=2)
    DataType(double)
    """
    import pyarrow as pa

    if type_name in _DATE_NAMES:
        return pa.date32()
    dtype = _WAREHOUSE_TYPES[dialect].get(type_name)
    if dtype is DType.INT64 and scale:
        dtype = DType.FLOAT64
    return dtype.to_arrow() if dtype is not None else None


def dtype_of_arrow(arrow_type: pa.DataType) -> DType | None:
    """The feature dtype an Arrow column holds, or ``None`` (dates included: no such dtype)."""
    import pyarrow as pa

    checks = (
        (pa.types.is_integer, DType.INT64),
        (lambda t: pa.types.is_floating(t) or pa.types.is_decimal(t), DType.FLOAT64),
        (lambda t: pa.types.is_string(t) or pa.types.is_large_string(t)
         or pa.types.is_string_view(t), DType.STRING),
        (pa.types.is_boolean, DType.BOOL),
        (pa.types.is_timestamp, DType.TIMESTAMP),
    )
    for check, dtype in checks:
        if check(arrow_type):
            return dtype
    return None


def compatible(dtype: DType | str, arrow_type: pa.DataType) -> bool:
    """Whether a warehouse column of ``arrow_type`` can feed a feature declared ``dtype``.

    int64 <- any integer; float64 <- float, decimal or integer; string <- string;
    bool <- bool; timestamp <- timestamp (with or without time zone) or date.

    >>> import pyarrow as pa
    >>> compatible("float64", pa.int32()), compatible("int64", pa.float64())
    (True, False)
    """
    import pyarrow as pa

    dtype = DType(dtype)
    found = dtype_of_arrow(arrow_type)
    if dtype is DType.FLOAT64:
        return found in (DType.FLOAT64, DType.INT64)
    if dtype is DType.TIMESTAMP:
        return found is DType.TIMESTAMP or pa.types.is_date(arrow_type)
    return found is dtype


def canonical(arrow_type: pa.DataType) -> pa.DataType:
    """The Arrow type every warehouse returns for ``arrow_type`` (one per dtype, dates kept).

    A decimal with scale 0 is an integer (Snowflake's NUMBER(38,0), DuckDB's HUGEINT sums);
    types without a dtype pass through unchanged.
    """
    import pyarrow as pa

    if pa.types.is_decimal(arrow_type) and arrow_type.scale == 0:
        return pa.int64()
    if pa.types.is_date(arrow_type):
        return pa.date32()
    dtype = dtype_of_arrow(arrow_type)
    return dtype.to_arrow() if dtype is not None else arrow_type
