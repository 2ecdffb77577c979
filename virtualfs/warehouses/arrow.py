"""Arrow tables in and out of warehouses: one canonical type per dtype on every backend."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from virtualfs.definitions.dtypes import dtype_of_arrow
from virtualfs.dialects.identifiers import frame_column
from virtualfs.dialects.types import canonical, date_sql_type, sql_type
from virtualfs.errors import RequestError, WarehouseError


def conform(table: pa.Table, schema: pa.Schema | None = None) -> pa.Table:
    """``table`` cast to ``schema`` (default: each column's canonical type, see ``types``).

    Naive timestamps are taken as UTC; timestamps are truncated to microseconds.
    """
    schema = schema or pa.schema([(f.name, canonical(f.type)) for f in table.schema])
    if table.schema.equals(schema):
        return table
    columns = [_cast(table.column(i), field) for i, field in enumerate(schema)]
    return pa.Table.from_arrays(columns, schema=schema)


def conform_batch(batch: pa.RecordBatch, schema: pa.Schema | None = None) -> pa.RecordBatch:
    """:func:`conform` for one record batch."""
    table = conform(pa.Table.from_batches([batch]), schema)
    return table.combine_chunks().to_batches()[0] if table.num_rows else _empty_batch(table.schema)


def rows_to_table(rows: Sequence[tuple], schema: pa.Schema) -> pa.Table:
    """Python rows from a DB-API cursor as a table of ``schema`` (types from the result)."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    arrays = [_array(values, field) for values, field in zip(columns, schema, strict=True)]
    return pa.Table.from_arrays(arrays, schema=schema)


def prepare_upload(table: pa.Table, dialect: str) -> tuple[pa.Table, list[exp.ColumnDef]]:
    """An entity frame in canonical types, and its column definitions (exact case) in ``dialect``."""
    definitions = []
    for field in table.schema:
        if pa.types.is_date(field.type):
            column_type = date_sql_type()
        elif (dtype := dtype_of_arrow(field.type)) is not None:
            column_type = sql_type(dtype, dialect)
        else:
            raise RequestError(
                f"entity frame column {field.name!r}: type {field.type} cannot be uploaded; "
                "expected integer, float, string, bool, timestamp or date"
            )
        definitions.append(exp.ColumnDef(this=frame_column(field.name), kind=column_type))
    return conform(table), definitions


def result_schema(names: Sequence[str], types: Sequence[pa.DataType | None]) -> pa.Schema:
    """A result schema; a column whose type has no dtype (``None``) comes back as text."""
    pairs = zip(names, types, strict=True)
    return pa.schema([(name, t if t is not None else pa.string()) for name, t in pairs])


def _cast(column: pa.ChunkedArray, field: pa.Field) -> pa.ChunkedArray:
    try:
        if pa.types.is_timestamp(field.type) and pa.types.is_timestamp(column.type):
            # a naive value is UTC wall time, so attaching UTC is a pure relabel
            return pc.cast(column, field.type, safe=False)
        return pc.cast(column, field.type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise WarehouseError(
            f"column {field.name!r}: cannot read {column.type} as {field.type}: {error}"
        ) from None


def _array(values: Sequence[object], field: pa.Field) -> pa.Array:
    if pa.types.is_string(field.type):
        values = [v if v is None or isinstance(v, str) else str(v) for v in values]
    elif pa.types.is_floating(field.type) and any(isinstance(v, Decimal) for v in values):
        # fractional NUMBER/numeric columns come back as Decimal; Arrow will not narrow them itself
        values = [float(v) if isinstance(v, Decimal) else v for v in values]
    try:
        return pa.array(values, type=field.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as error:
        raise WarehouseError(
            f"result column {field.name!r}: cannot read values as {field.type}: {error}"
        ) from None


def _empty_batch(schema: pa.Schema) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.array([], f.type) for f in schema], schema=schema)
