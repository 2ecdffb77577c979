"""The served log replayed offline: each logged request's keys as an entity row at the request's
time, through the point-in-time compiler under the known-time rule.

Each stored part of a view (``online.keys.stored_parts``: its plain features; its aggregations)
is one retrieval over the distinct (keys, request time) pairs that asked for it — the same
entities, strategy and ``RetrievalJob`` that ``get_historical_features`` runs, reading the
view's source (the truth, whatever was refreshed). A plain part also brings back the event time
of the row it picked, as a feature column reading the source's timestamp: what staleness is
measured against.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa

from virtualfs.compile.aggregate.lookup import feature_dtype
from virtualfs.compile.request import FeatureColumn, ViewLookup
from virtualfs.definitions import DType, FeatureView, OnDemandView, RequestField
from virtualfs.online.keys import stored_parts
from virtualfs.registry import Registry
from virtualfs.retrieval import RetrievalRequest, retrieve
from virtualfs.retrieval.entities import read_entities
from virtualfs.retrieval.job import RetrievalJob
from virtualfs.retrieval.source_types import typed_lookups
from virtualfs.retrieval.strategy import pick_strategy
from virtualfs.warehouses.base import Warehouse

TIME = "event_timestamp"
Asked = tuple[str, datetime, "str | None"]  # a logged row's entity JSON, request time, request fields JSON
EVENT = "_vfs_event_time"  # the event time of the row the known-time rule picked


@dataclass(frozen=True)
class Replayed:
    """Offline answers for one stored part: per (entity JSON, request time) and feature, the value,
    and the picked row's event time (None for aggregations, which pick no single row)."""

    values: dict[Asked, dict[str, object]]
    events: dict[Asked, datetime | None]
    dtypes: dict[str, DType | None]
    aggregate: bool = False  # a part of aggregations: served values are snapshots, not rows
    by_request: bool = False  # answers differ by request fields (an on-demand view's)


def replay(warehouse: Warehouse, registry: Registry, logged: pa.Table) -> dict[str, Replayed]:
    """Offline answers for every logged feature of a view still defined, by ``view:feature``."""
    answers: dict[str, Replayed] = {}
    logged_by_view = _logged_by_view(registry, logged)
    for part, features in _wanted(registry, logged_by_view):
        rows, asked = _entity_rows(logged, part.name, features, part.join_keys)
        replayed = _replay_part(warehouse, part, features, rows, asked)
        answers.update({f"{part.name}:{name}": replayed for name in features})
    for view, features in _wanted_on_demand(registry, logged_by_view):
        keys = _input_keys(registry, view)
        rows, asked = _entity_rows(logged, view.name, features, keys, view.request_fields)
        replayed = _replay_on_demand(warehouse, registry, view, features, rows, asked)
        answers.update({f"{view.name}:{name}": replayed for name in features})
    return answers


def defined_features(registry: Registry, refs: list[str]) -> list[str]:
    """The distinct ``view:feature`` of ``refs`` that ``registry`` still defines (feature views
    and on-demand views), sorted: what a report compares (and shows the values of).

    Example::

        defined_features(registry, ["orders:total", "orders:total", "gone:x"])   # -> ['orders:total']
    """
    found = []
    for ref in sorted(set(refs)):
        view, _, name = ref.partition(":")
        defined = registry.views.get(view) or registry.on_demand.get(view)
        if defined is not None and name in defined.feature_names:
            found.append(ref)
    return found


def _logged_by_view(registry: Registry, logged: pa.Table) -> dict[str, list[str]]:
    """The logged features still defined, by view (feature view or on-demand view)."""
    by_view: dict[str, list[str]] = {}
    for ref in defined_features(registry, logged.column("feature").to_pylist()):
        view, _, name = ref.partition(":")
        by_view.setdefault(view, []).append(name)
    return by_view


def _wanted(registry: Registry, by_view: dict[str, list[str]]) -> list[tuple[FeatureView, list[str]]]:
    """Each stored part with the logged features it holds."""
    wanted = []
    for view, names in by_view.items():
        if view not in registry.views:
            continue
        for part in stored_parts(registry.views[view]):
            mine = [name for name in part.feature_names if name in names]
            if mine:
                wanted.append((part, mine))
    return wanted


def _wanted_on_demand(registry: Registry,
                      by_view: dict[str, list[str]]) -> list[tuple[OnDemandView, list[str]]]:
    """Each on-demand view with its logged features."""
    return [(registry.on_demand[view], names) for view, names in by_view.items()
            if view in registry.on_demand]


def _input_keys(registry: Registry, view: OnDemandView) -> tuple[str, ...]:
    """The join keys of the feature views an on-demand view reads."""
    views = [registry.view(ref.view) for ref in view.feature_inputs]
    return tuple(dict.fromkeys(key for read in views for key in read.join_keys))


def _entity_rows(logged: pa.Table, view: str, features: Sequence[str], join_keys: Sequence[str],
                 fields: Sequence[RequestField] = ()) -> tuple[pa.Table, list[Asked]]:
    """The distinct (keys, request time, request fields) that asked for ``features`` of ``view``:
    as entity rows (the keys, the time, each request field of ``fields`` as a column), and as logged."""
    refs = {f"{view}:{name}" for name in features}
    seen: dict[Asked, None] = {}
    for ref, entity, at, sent in zip(*(logged.column(c).to_pylist() for c in ("feature", "entity",
                                                                            "requested_at", "request_data")),
                                     strict=True):
        if ref in refs:
            seen.setdefault((entity, at, sent if fields else None), None)
    asked = list(seen)
    keys = [json.loads(entity) for entity, _, _ in asked]
    sent = [json.loads(fields_json) if fields_json else {} for _, _, fields_json in asked]
    columns = {key: pa.array([row.get(key) for row in keys]) for key in join_keys}
    columns[TIME] = pa.array([at for _, at, _ in asked], pa.timestamp("us", tz="UTC"))
    for field in fields:
        columns[field.name] = pa.array([row.get(field.name) for row in sent], field.dtype.to_arrow())
    return pa.table(columns), asked


def _replay_part(warehouse: Warehouse, part: FeatureView, features: Sequence[str],
                 rows: pa.Table, asked: list[Asked]) -> Replayed:
    columns = [FeatureColumn(name, f"_vfs_f{i}", feature_dtype(part, name))
               for i, name in enumerate(features)]
    plain = not part.aggregations
    if plain:  # the source's own timestamp column, read like a feature: the picked row's event time
        columns.append(FeatureColumn(part.source.timestamp, EVENT, DType.TIMESTAMP))
    lookups = typed_lookups(warehouse, (ViewLookup(part, tuple(columns)),))
    entities = read_entities(rows, warehouse, TIME, lookups)
    result = RetrievalJob(warehouse, lookups, entities, "known", pick_strategy(warehouse, lookups)).to_arrow()
    pairs = asked
    outputs = {name: result.column(f"_vfs_f{i}").to_pylist() for i, name in enumerate(features)}
    events = result.column(EVENT).to_pylist() if plain else [None] * len(pairs)
    values = {pair: {name: outputs[name][row] for name in features} for row, pair in enumerate(pairs)}
    dtypes = {column.name: column.dtype for column in lookups[0].features if column.output != EVENT}
    return Replayed(values, dict(zip(pairs, events, strict=True)), dtypes, aggregate=not plain)


def _replay_on_demand(warehouse: Warehouse, registry: Registry, view: OnDemandView, features: Sequence[str],
                      rows: pa.Table, asked: list[Asked]) -> Replayed:
    """An on-demand view's outputs as a training frame computes them (in the warehouse for an
    expression, on the Arrow result for a Python body), request fields from the logged ones."""
    request = RetrievalRequest([f"{view.name}:{name}" for name in features], full_feature_names=True)
    result = retrieve(None, warehouse, registry, rows, request).to_arrow()
    outputs = {name: result.column(f"{view.name}__{name}").to_pylist() for name in features}
    values = {key: {name: outputs[name][row] for name in features} for row, key in enumerate(asked)}
    dtypes = {name: view.feature(name).dtype for name in features}
    return Replayed(values, dict.fromkeys(asked), dtypes, by_request=bool(view.request_fields))

