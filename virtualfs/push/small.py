"""Small pushes (a few rows, as dicts or columns of Python values: what the server receives) are
checked and encoded in plain Python: Arrow and numpy cost tens of microseconds per call, more
than a whole single-row push may take. The rules and errors are those of ``push.rows``; a
large push, a DataFrame or an Arrow table goes through Arrow there.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from virtualfs.definitions import DType, FeatureView
from virtualfs.online.base import WriteBatch
from virtualfs.online.codec import to_micros
from virtualfs.online.keys import entity_key
from virtualfs.push.rows import check_names, error

if TYPE_CHECKING:
    from virtualfs.online.rows import ViewRows

SMALL = 64  # rows; beyond this Arrow's column-wise work is cheaper than a Python loop
_INT64 = (-(1 << 63), 1 << 63)
# how a Python value's type is named in errors: as Arrow names the type it would infer
_KINDS = {bool: "bool", int: "int64", float: "double", str: "string", datetime: "timestamp"}


def small_columns(view: FeatureView, rows: Any, types: Mapping[str, DType]) -> dict[str, list] | None:
    """``rows`` as checked, typed columns of Python values (times aware UTC), or None when they
    are not a small list of dicts or dict of lists (then ``push.rows`` takes them)."""
    columns = _columns(view, rows)
    if columns is None:
        return None
    count = len(next(iter(columns.values()))) if columns else 0
    if count == 0:
        raise error(view, "rows", "is empty; push at least one row")
    wanted = types.keys() - {view.source.created}  # the pushed columns (``pushed_types``)
    if len(columns) != len(wanted) or not wanted <= columns.keys():
        check_names(view, list(columns), list(view.pushed_columns))
    required = (*view.join_keys, view.source.timestamp)
    typed = {}
    for name, dtype in types.items():
        if name == view.source.created:
            continue
        typed[name] = [_value(view, name, value, dtype) for value in columns[name]]
        if name in required and None in typed[name]:
            role = "event-time column" if name == view.source.timestamp else "join key"
            row = typed[name].index(None)
            raise error(view, name, f"{role} is null in row {row}; every pushed row needs one")
    return typed


def _columns(view: FeatureView, rows: Any) -> dict[str, list] | None:
    if isinstance(rows, Mapping):
        count = -1
        for column in rows.values():
            if type(column) is not list or (count >= 0 and len(column) != count):
                return None  # the general path says which column is wrong
            count = len(column)
        return dict(rows) if count <= SMALL else None
    if type(rows) is list and len(rows) <= SMALL and all(type(row) is dict for row in rows):
        names = dict.fromkeys(name for row in rows for name in row)
        for index, row in enumerate(rows):
            for name in view.pushed_columns:
                if name not in row:
                    raise error(view, name, f"is missing from rows[{index}]")
        return {name: [row.get(name) for row in rows] for name in names}
    return None


def _value(view: FeatureView, name: str, value: object, dtype: DType) -> object:
    if value is None:
        return None
    kind = type(value)
    if dtype is DType.TIMESTAMP:
        return _time(view, name, value)
    if dtype is DType.INT64 and kind is int:
        if not _INT64[0] <= value < _INT64[1]:  # type: ignore[operator]
            raise error(view, name, f"does not fit int64: {value}")
        return value
    if dtype is DType.FLOAT64 and kind in (int, float):
        return float(value)  # type: ignore[arg-type]
    if (dtype is DType.STRING and kind is str) or (dtype is DType.BOOL and kind is bool):
        return value
    found = _KINDS.get(kind, kind.__name__)
    raise error(view, name, f"is declared {dtype} but the pushed values are {found}")


def _time(view: FeatureView, name: str, value: object) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as problem:
            raise error(view, name, f"holds text that is not an ISO-8601 time: {problem}") from None
    if not isinstance(value, datetime):
        found = _KINDS.get(type(value), type(value).__name__)
        raise error(view, name, f"must hold timestamps (or ISO-8601 text), got {found}")
    # naive: taken as UTC; any zone: the same instant in UTC
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def small_write(writer: ViewRows, columns: Mapping[str, list], created: datetime) -> WriteBatch:
    """The latest row per key of ``columns`` (ties on event time: the later row), keyed and
    encoded in Python, in key order."""
    view = writer.view
    keys, events = [columns[k] for k in view.join_keys], columns[view.source.timestamp]
    latest: dict[str, int] = {}
    for row in range(len(events)):
        key = entity_key(writer.prefix, [column[row] for column in keys])
        if key not in latest or events[row] >= events[latest[key]]:
            latest[key] = row
    created_us = to_micros(created)
    features = [columns[f] for f in view.feature_names]
    ordered = sorted(latest)
    values = [writer.codec.encode_row(to_micros(events[latest[key]]), created_us,
                                      [feature[latest[key]] for feature in features]) for key in ordered]
    return WriteBatch(ordered, values)
