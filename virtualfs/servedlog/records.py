"""What one served request leaves in the log, and the log's columns.

A request is kept as the objects the read already made (the response, its plan); turning it into
rows — one per entity row and feature, as plain Python columns — happens on the logger's thread,
never on the request path.
Values, entity keys and request fields are JSON text, so one table holds every feature's type.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import pyarrow as pa

    from virtualfs.serving.request_plan import RequestPlan

# The log's columns, in order (``log_schema`` gives their Arrow types).
COLUMNS = ("request_id", "entity_row", "requested_at", "service", "entity", "request_data", "feature",
           "value", "status", "event_time")


class ServedRequest(NamedTuple):
    """One sampled online request: when it was answered, what it asked (``plan``), what it got
    (``served``: an ``OnlineResponse`` or the server's ``Vectors``), the feature service it named,
    and the fields that came with it (``request_data``, for request-time features). A named
    tuple: immutable, and made on the request path in a fraction of a frozen dataclass's time."""

    number: int  # the request's number in this logger: its id is the logger's prefix and this
    at_us: int
    plan: RequestPlan | Callable[[], RequestPlan]  # a callable: resolved on the logger's thread
    served: Any
    service: str | None = None
    request_data: Mapping[str, Any] | None = None


def log_schema() -> pa.Schema:
    """The Arrow schema of the log."""
    import pyarrow as pa

    stamp = pa.timestamp("us", tz="UTC")
    types = (pa.string(), pa.int32(), stamp, pa.string(), pa.string(), pa.string(), pa.string(),
             pa.string(), pa.string(), stamp)
    return pa.schema([pa.field(name, kind) for name, kind in zip(COLUMNS, types, strict=True)])


def to_columns(requests: list[ServedRequest], prefix: str = "") -> dict[str, list]:
    """The log rows of ``requests`` as columns: one row per entity row and feature; request ids
    are ``prefix`` and the request's number."""
    columns: dict[str, list] = {name: [] for name in COLUMNS}
    for request in requests:
        _append(columns, request, prefix + str(request.number))
    return columns


def to_table(columns: dict[str, list]) -> pa.Table:
    """Columns of :func:`to_columns` as an Arrow table of :func:`log_schema` (pyarrow loads
    pandas when it builds arrays: the sinks that need Arrow call this on the logger's thread)."""
    import pyarrow as pa

    schema = log_schema()
    return pa.table({name: pa.array(columns[name], schema.field(name).type) for name in COLUMNS},
                    schema=schema)


def _append(columns: dict[str, list], request: ServedRequest, request_id: str) -> None:
    served, plan = request.served, request.plan
    if callable(plan):
        plan = plan()
    values = served.to_dict() if hasattr(served, "to_dict") else served.columns
    statuses, events = served.statuses, served.event_times
    rows = len(values[plan.join_keys[0]]) if plan.join_keys else 0
    entities = [json.dumps({key: values[key][row] for key in plan.join_keys}, default=_json_default)
                for row in range(rows)]
    fields = _row_fields(request.request_data, rows)
    at = datetime.fromtimestamp(request.at_us / 1_000_000, timezone.utc)
    for ref, column in served_columns(plan):
        served_values, served_statuses = values[column], statuses[column]
        served_events = events[column]
        for row in range(rows):
            status = served_statuses[row]
            columns["request_id"].append(request_id)
            columns["entity_row"].append(row)
            columns["requested_at"].append(at)
            columns["service"].append(request.service)
            columns["entity"].append(entities[row])
            columns["request_data"].append(fields[row])
            columns["feature"].append(ref)
            columns["value"].append(json.dumps(served_values[row], default=_json_default))
            columns["status"].append(getattr(status, "value", str(status)))
            columns["event_time"].append(served_events[row])


def served_columns(plan: RequestPlan) -> list[tuple[str, str]]:
    """(``view:feature``, response column) of every column the request was answered with: the
    views' features (not the inputs read only for on-demand features), then on-demand outputs."""
    served = []
    for column in plan.columns:
        if column.name not in plan.hidden:
            view = plan.views[column.view].view
            served.append((f"{view.name}:{view.feature_names[column.index]}", column.name))
    for transform in plan.transforms:
        served += [(f"{transform.view.name}:{name}", output) for name, output in transform.outputs]
    return served


def _row_fields(request_data: Mapping[str, Any] | None, rows: int) -> list[str | None]:
    """Each entity row's request fields as JSON: a column of one value per row gives the row its
    value (as an on-demand feature reads it), anything else is logged whole with every row."""
    if request_data is None:
        return [None] * rows

    def value(field: Any, row: int) -> Any:
        return field[row] if isinstance(field, (list, tuple)) and len(field) == rows else field

    return [json.dumps({name: value(field, row) for name, field in request_data.items()},
                       default=_json_default) for row in range(rows)]


def _json_default(value: Any) -> Any:
    """Timestamps and dates as ISO text; anything else JSON cannot say, as its text."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def decode_value(text: str | None) -> Any:
    """A logged value back as Python (timestamps stay ISO text).

    >>> decode_value("1.5"), decode_value("null"), decode_value(None)
    (1.5, None, None)
    """
    return None if text is None else json.loads(text)
