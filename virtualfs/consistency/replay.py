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
from virtualfs.definitions import DType, FeatureView
from virtualfs.online.keys import stored_parts
from virtualfs.registry import Registry
from virtualfs.retrieval.entities import read_entities
from virtualfs.retrieval.job import RetrievalJob
from virtualfs.retrieval.source_types import typed_lookups
from virtualfs.retrieval.strategy import pick_strategy
from virtualfs.warehouses.base import Warehouse

TIME = "event_timestamp"
LOGGED = "logged_entity"  # the logged entity JSON, carried beside the keys (never uploaded)
EVENT = "_vfs_event_time"  # the event time of the row the known-time rule picked


@dataclass(frozen=True)
class Replayed:
    """Offline answers for one stored part: per (entity JSON, request time) and feature, the value,
    and the picked row's event time (None for aggregations, which pick no single row)."""

    values: dict[tuple[str, datetime], dict[str, object]]
    events: dict[tuple[str, datetime], datetime | None]
    dtypes: dict[str, DType | None]
    aggregate: bool = False  # a part of aggregations: served values are snapshots, not rows


def replay(warehouse: Warehouse, registry: Registry, logged: pa.Table) -> dict[str, Replayed]:
    """Offline answers for every logged feature of a view still defined, by ``view:feature``."""
    wanted = _wanted(registry, logged)
    answers: dict[str, Replayed] = {}
    for part, features in wanted:
        rows = _entity_rows(logged, part, features)
        replayed = _replay_part(warehouse, part, features, rows)
        answers.update({f"{part.name}:{name}": replayed for name in features})
    return answers


def defined_features(registry: Registry, refs: list[str]) -> list[str]:
    """The distinct ``view:feature`` of ``refs`` that ``registry`` still defines, sorted: what a
    report compares (and shows the values of).

    Example::

        defined_features(registry, ["orders:total", "orders:total", "gone:x"])   # -> ['orders:total']
    """
    found = []
    for ref in sorted(set(refs)):
        view, _, name = ref.partition(":")
        if view in registry.views and name in registry.views[view].feature_names:
            found.append(ref)
    return found


def _wanted(registry: Registry, logged: pa.Table) -> list[tuple[FeatureView, list[str]]]:
    """Each stored part with the logged features it holds (views no longer defined are left out)."""
    by_view: dict[str, set[str]] = {}
    for ref in defined_features(registry, logged.column("feature").to_pylist()):
        view, _, name = ref.partition(":")
        by_view.setdefault(view, set()).add(name)
    wanted = []
    for view, names in by_view.items():
        for part in stored_parts(registry.views[view]):
            mine = [name for name in part.feature_names if name in names]
            if mine:
                wanted.append((part, mine))
    return wanted


def _entity_rows(logged: pa.Table, part: FeatureView, features: Sequence[str]) -> pa.Table:
    """The distinct (keys, request time) pairs that asked for ``features`` of ``part``."""
    refs = {f"{part.name}:{name}" for name in features}
    seen: dict[tuple[str, datetime], None] = {}
    for ref, entity, at in zip(logged.column("feature").to_pylist(), logged.column("entity").to_pylist(),
                               logged.column("requested_at").to_pylist(), strict=True):
        if ref in refs:
            seen.setdefault((entity, at), None)
    pairs = list(seen)
    decoded = [json.loads(entity) for entity, _ in pairs]
    columns = {key: pa.array([keys.get(key) for keys in decoded]) for key in part.join_keys}
    columns[TIME] = pa.array([at for _, at in pairs], pa.timestamp("us", tz="UTC"))
    columns[LOGGED] = pa.array([entity for entity, _ in pairs], pa.string())
    return pa.table(columns)


def _replay_part(warehouse: Warehouse, part: FeatureView, features: Sequence[str],
                 rows: pa.Table) -> Replayed:
    columns = [FeatureColumn(name, f"_vfs_f{i}", feature_dtype(part, name))
               for i, name in enumerate(features)]
    plain = not part.aggregations
    if plain:  # the source's own timestamp column, read like a feature: the picked row's event time
        columns.append(FeatureColumn(part.source.timestamp, EVENT, DType.TIMESTAMP))
    lookups = typed_lookups(warehouse, (ViewLookup(part, tuple(columns)),))
    entities = read_entities(rows, warehouse, TIME, lookups)
    result = RetrievalJob(warehouse, lookups, entities, "known", pick_strategy(warehouse, lookups)).to_arrow()
    pairs = list(zip(rows.column(LOGGED).to_pylist(), rows.column(TIME).to_pylist(), strict=True))
    outputs = {name: result.column(f"_vfs_f{i}").to_pylist() for i, name in enumerate(features)}
    events = result.column(EVENT).to_pylist() if plain else [None] * len(pairs)
    values = {pair: {name: outputs[name][row] for name in features} for row, pair in enumerate(pairs)}
    dtypes = {column.name: column.dtype for column in lookups[0].features if column.output != EVENT}
    return Replayed(values, dict(zip(pairs, events, strict=True)), dtypes, aggregate=not plain)
