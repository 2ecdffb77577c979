"""Feature dtypes <-> warehouse SQL types <-> Arrow (each dialect's own tables are in its module).

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

from virtualfs.definitions.dtypes import DType, dtype_of_arrow
from virtualfs.dialects import dialect as dialect_of

if TYPE_CHECKING:
    import pyarrow as pa

_DATE_NAMES = {"date", "DATE"}


def type_names(dialect: str) -> frozenset[str]:
    """The warehouse type names that map to a dtype or date; any other type is read as text."""
    return frozenset(dialect_of(dialect).driver_types) | _DATE_NAMES


def sql_type(dtype: DType | str, dialect: str) -> exp.DataType:
    """The SQL type ``dialect`` stores a feature of ``dtype`` as.

    >>> sql_type("int64", "snowflake").sql("snowflake")
    'DECIMAL(38, 0)'
    """
    return exp.DataType.build(dialect_of(dialect).stored_type(DType(dtype)), dialect=dialect)


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
    dtype = dialect_of(dialect).driver_types.get(type_name)
    if dtype is DType.INT64 and scale:
        dtype = DType.FLOAT64
    return dtype.to_arrow() if dtype is not None else None


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
