"""Online responses -> bytes: columnar JSON (orjson), or an Arrow IPC stream when asked for.

JSON::

    {"entities": {"customer_id": [1, 2]},
     "features": ["amount", "items"],
     "values": {"amount": [9.5, null], "items": [2, null]},
     "statuses": {"amount": ["PRESENT", "NOT_FOUND"], "items": ["PRESENT", "NOT_FOUND"]},
     "event_times": {"amount": ["2026-01-01T00:00:00Z", null], "items": [...]}}

Arrow: one record batch with the join key columns, the feature columns (typed by their dtype),
then ``<feature>.status`` (string) and ``<feature>.event_time`` (timestamp[us, UTC]) per feature;
a dot never appears in a feature name, so these never collide.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

import orjson

from virtualfs.access.masking import HASH
from virtualfs.definitions import FeatureService, FeatureView
from virtualfs.server.batch import Vectors
from virtualfs.serving.request_plan import RequestPlan

if TYPE_CHECKING:
    import pyarrow as pa

JSON = "application/json"
ARROW_STREAM = "application/vnd.apache.arrow.stream"
_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


def wants_arrow(accept: str | None) -> bool:
    """Whether an ``Accept`` header asks for an Arrow IPC stream."""
    return accept is not None and ARROW_STREAM in accept


def to_json(vectors: Vectors, plan: RequestPlan) -> bytes:
    """The columnar JSON body of a read."""
    columns = vectors.columns
    names = vectors.feature_names
    return orjson.dumps({
        "entities": {key: columns[key] for key in plan.join_keys},
        "features": names,
        "values": {name: columns[name] for name in names},
        "statuses": vectors.statuses,
        "event_times": vectors.event_times,
    }, option=_OPTIONS)


def to_arrow(vectors: Vectors, plan: RequestPlan, masks: Mapping[str, str] | None = None) -> bytes:
    """A read as an Arrow IPC stream of one record batch; ``masks``: how masked columns were
    masked (a hashed column is a string, a nulled one keeps its type)."""
    import pyarrow as pa

    columns = vectors.columns
    names, arrays = [], []
    for key in plan.join_keys:
        names.append(key)
        arrays.append(_key_array(columns[key]))
    types = _feature_types(plan)
    types.update({name: pa.string() for name, method in (masks or {}).items() if method == HASH})
    for name in vectors.feature_names:
        names.append(name)
        arrays.append(pa.array(columns[name], type=types.get(name)))
    statuses, times = vectors.statuses, vectors.event_times
    timestamp = pa.timestamp("us", tz="UTC")
    for name in vectors.feature_names:
        names += [f"{name}.status", f"{name}.event_time"]
        arrays += [pa.array([s.value for s in statuses[name]], pa.string()),
                   pa.array(times[name], timestamp)]
    table = pa.Table.from_arrays(arrays, names)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _key_array(values: list) -> pa.Array:
    import pyarrow as pa

    if all(type(value) is int for value in values):
        try:
            return pa.array(values, pa.int64())
        except (OverflowError, pa.ArrowInvalid):
            pass  # an id beyond int64 (JSON allows it) travels as text, like mixed columns
    return pa.array([str(value) for value in values], pa.string())


def _feature_types(plan: RequestPlan) -> dict[str, pa.DataType]:
    """Arrow types of the plain features; aggregations are left to inference."""
    types = {}
    for column in plan.columns:
        features = plan.views[column.view].view.features
        if column.index < len(features):
            types[column.name] = features[column.index].dtype.to_arrow()
    for transform in plan.transforms:
        view = transform.view
        types.update({output: view.feature(name).dtype.to_arrow() for name, output in transform.outputs})
    return types


def view_json(view: FeatureView, pii: Collection[str] = ()) -> dict:
    """A feature view as ``GET /v1/feature-views`` lists it; ``pii``: its features (``view:feature``)
    that hold personal data (``governance.classify``)."""
    marked = {ref.partition(":")[2] for ref in pii}
    return {
        "name": view.name,
        "entities": [entity.name for entity in view.entities],
        "join_keys": list(view.join_keys),
        "features": [{"name": f.name, "dtype": f.dtype.value, "pii": f.name in marked}
                     for f in view.features],
        "aggregations": [
            {"name": a.name, "function": a.function, "column": a.column,
             "window_seconds": a.window.total_seconds(), "pii": a.name in marked}
            for a in view.aggregations
        ],
        "ttl_seconds": view.ttl.total_seconds() if view.ttl is not None else None,
        "description": view.description,
        "owner": view.owner,
        "tags": dict(view.tags),
        "pii": bool(marked),
    }


def service_json(service: FeatureService, pii: Collection[str] = ()) -> dict:
    """A feature service as ``GET /v1/feature-services`` lists it; ``pii``: the features it holds
    that hold personal data."""
    return {"name": service.name, "features": list(service.features), "description": service.description,
            "owner": service.owner, "tags": dict(service.tags), "pii": bool(pii), "pii_features": list(pii)}
