"""Rows a caller pushes -> one typed Arrow table, or a RequestError naming the view and column.

A push takes a pandas DataFrame, a pyarrow Table (or record batch), a list of dicts, or a dict of
columns (what the server receives). Its columns are exactly the view's ``pushed_columns``: join
keys, the event-time column named as in the source, features, and the columns aggregations
read. Values are converted to the columns' dtypes only where nothing is lost (integers to
floats, any time zone to UTC, ISO-8601 text to timestamps); a naive timestamp is taken as UTC,
as everywhere in virtualfs. Join keys and event times may not be null.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from virtualfs.definitions import DType, FeatureView
from virtualfs.errors import RequestError

if TYPE_CHECKING:
    import pyarrow as pa


def pushed_frame(view: FeatureView, rows: Any, types: Mapping[str, DType]) -> pa.Table:
    """``rows`` as a table of ``view``'s pushed columns, each of its dtype's Arrow type.

    >>> from virtualfs.definitions import Entity, Feature, Source
    >>> source = Source("tx", timestamp="at", created="pushed_at", dtypes={"card": "string"})
    >>> view = FeatureView("tx", [Entity("card", ["card"])], source, [Feature("amount", "float64")],
    ...                    push=True)
    >>> types = {"card": DType.STRING, "at": DType.TIMESTAMP, "amount": DType.FLOAT64}
    >>> row = {"card": "c1", "at": "2026-01-01T10:00:00+01:00", "amount": 5}
    >>> found = pushed_frame(view, [row], types).to_pylist()[0]
    >>> found["at"].isoformat(), found["amount"]
    ('2026-01-01T09:00:00+00:00', 5.0)
    """
    import pyarrow as pa

    table = _as_arrow(view, rows)
    if table.num_rows == 0:
        raise error(view, "rows", "is empty; push at least one row")
    wanted = list(view.pushed_columns)
    check_names(view, table.column_names, wanted)
    columns = [_typed(view, name, table.column(name), types[name]) for name in wanted]
    required = [*view.join_keys, view.source.timestamp]
    for name, column in zip(wanted, columns, strict=True):
        if name in required and column.null_count:
            row = column.is_null().index(True).as_py()
            role = "event-time column" if name == view.source.timestamp else "join key"
            raise error(view, name, f"{role} is null in row {row}; every pushed row needs one")
    return pa.table(columns, names=wanted)


def _as_arrow(view: FeatureView, rows: Any) -> pa.Table:
    import pyarrow as pa

    if isinstance(rows, pa.Table):
        return rows
    if isinstance(rows, pa.RecordBatch):
        return pa.Table.from_batches([rows])
    if type(rows).__name__ == "DataFrame" and hasattr(rows, "to_dict"):
        try:
            return pa.Table.from_pandas(rows, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):  # say which column
            return _from_columns(view, {str(name): rows[name].tolist() for name in rows.columns}, len(rows))
    if isinstance(rows, Mapping):
        lengths = {len(values) for values in rows.values() if isinstance(values, Sequence)}
        return _from_columns(view, dict(rows), lengths.pop() if len(lengths) == 1 else -1)
    if isinstance(rows, Sequence) and not isinstance(rows, (str, bytes)):
        return _from_dicts(view, rows)
    raise error(view, "rows", f"must be a pandas DataFrame, a pyarrow Table, a list of dicts or a dict of "
                               f"columns, got {type(rows).__name__}")


def _from_dicts(view: FeatureView, rows: Sequence) -> pa.Table:
    names: dict[str, None] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise error(view, f"rows[{index}]", f"must be a dict of column values, got {type(row).__name__}")
        names.update(dict.fromkeys(row))
    columns = {name: [row.get(name) for row in rows] for name in names}
    for index, row in enumerate(rows):
        missing = [name for name in view.pushed_columns if name not in row]
        if missing:
            raise error(view, missing[0], f"is missing from rows[{index}]")
    return _from_columns(view, columns, len(rows))


def _from_columns(view: FeatureView, columns: dict[str, Any], rows: int) -> pa.Table:
    import pyarrow as pa

    arrays = {}
    for name, values in columns.items():
        if not isinstance(name, str):
            raise error(view, str(name), "column names must be text")
        if not isinstance(values, Sequence) or isinstance(values, (str, bytes)) or len(values) != rows:
            raise error(view, name, f"must be a list of {rows} values, one per row (all columns the same "
                                     "length)")
        try:
            arrays[name] = pa.array(values, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as problem:
            raise error(view, name, f"holds values of mixed or unknown types: {problem}") from None
    return pa.table(arrays)


def check_names(view: FeatureView, given: list[str], wanted: list[str]) -> None:
    """Every column a pushed row carries is there, and nothing else."""
    expected = ", ".join(wanted)
    for name in wanted:
        if name not in given:
            raise error(view, name, f"is missing; a pushed row carries {expected}")
    for name in given:
        if name not in wanted:
            created = " (the push time is added as the created column)" if name == view.source.created else ""
            raise error(view, name, f"is not a column a pushed row carries{created}; expected {expected}")


def _typed(view: FeatureView, name: str, column: pa.ChunkedArray, dtype: DType) -> pa.ChunkedArray:
    import pyarrow as pa

    kind = column.type
    if pa.types.is_null(kind):
        return pa.chunked_array([pa.nulls(len(column), dtype.to_arrow())])
    if dtype is DType.TIMESTAMP:
        return _timestamps(view, name, column)
    fits = {
        DType.INT64: pa.types.is_integer(kind),
        DType.FLOAT64: pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind),
        DType.STRING: pa.types.is_string(kind) or pa.types.is_large_string(kind),
        DType.BOOL: pa.types.is_boolean(kind),
    }[dtype]
    if not fits:
        raise error(view, name, f"is declared {dtype} but the pushed values are {kind}")
    try:
        return column.cast(dtype.to_arrow())
    except (pa.ArrowInvalid, OverflowError) as problem:
        raise error(view, name, f"does not fit {dtype}: {problem}") from None


def _timestamps(view: FeatureView, name: str, column: pa.ChunkedArray) -> pa.ChunkedArray:
    import pyarrow as pa

    utc = pa.timestamp("us", tz="UTC")
    if pa.types.is_timestamp(column.type):
        if column.type.tz is None:  # naive: taken as UTC
            return column.cast(pa.timestamp("us")).cast(utc)
        return column.cast(utc)
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        raise error(view, name, f"must hold timestamps (or ISO-8601 text), got {column.type}")
    parsed = []
    for text in column.to_pylist():
        try:
            value = None if text is None else datetime.fromisoformat(text)
        except ValueError as problem:
            raise error(view, name, f"holds text that is not an ISO-8601 time: {problem}") from None
        naive = value is not None and value.tzinfo is None
        parsed.append(value.replace(tzinfo=timezone.utc) if naive else value)  # type: ignore[union-attr]
    return pa.chunked_array([pa.array(parsed, type=utc)])


def error(view: FeatureView, column: str, problem: str) -> RequestError:
    """A RequestError naming the view and the column (``field``: what the server's 400 names)."""
    refused = RequestError(f"push to feature view {view.name!r}: column {column!r} {problem}")
    refused.field = column  # type: ignore[attr-defined]  # the server's 400 names it
    return refused
