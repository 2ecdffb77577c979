"""Column lineage of features: up to the warehouse columns each is computed from, down to what
carries it (feature services, the online store, saved datasets).

A plain feature reads one output column of its view's source; an aggregation reads its column
and the columns of its filter. Each of those is traced through the source (``columns.origins``).
Downstream, a feature is carried by every service that names it (``view:feature`` or
``view:*``), by the online store once its view is materialized there in its current definition,
and by the saved datasets ``Carriers.datasets`` names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from virtualfs.definitions import Aggregation, Feature, FeatureView
from virtualfs.errors import NotFoundError, RequestError
from virtualfs.governance.columns import Origins, WarehouseColumn, origins, output_name, parse_column
from virtualfs.registry import Registry, suggest

DIRECTIONS = ("up", "down", "both")
Member = Feature | Aggregation


@dataclass(frozen=True)
class FeatureTrace:
    """One feature (``ref``, ``"view:feature"``): the output columns of its ``source`` it reads
    (``inputs``, folded as the warehouse folds them) and what those are computed from."""

    ref: str
    view: FeatureView = field(repr=False)
    member: Feature | Aggregation = field(repr=False)
    source: str
    inputs: tuple[str, ...]
    origins: Origins


@dataclass(frozen=True)
class Carriers:
    """What carries features beyond their view besides services: the views materialized in the
    online store (named ``online_store``), and saved datasets by name -> the references they hold
    (``"view:feature"`` or ``"view:*"``)."""

    online: frozenset[str] = frozenset()
    online_store: str = "online"
    datasets: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))


def trace_feature(view: FeatureView, member: Feature | Aggregation, dialect: str) -> FeatureTrace:
    """The lineage of one feature or aggregation of ``view``."""
    names = [member.name] if isinstance(member, Feature) else \
        [member.column, *sorted(member.filter_columns())]
    inputs = tuple(dict.fromkeys(output_name(name, dialect) for name in names))
    found = Origins()
    for name in names:
        found = found | origins(view.source, name, dialect)
    return FeatureTrace(f"{view.name}:{member.name}", view, member, view.source.name, inputs, found)


# The traces of the last registry traced: tracing parses every source's SQL (about a second at
# 500 views), and classification, search, describe and a column's lineage ask the same applied
# registry object again and again, so it is done once per registry.
_traced: list[tuple[Registry, str, Mapping[str, FeatureTrace]]] = []


def trace_registry(registry: Registry, dialect: str) -> Mapping[str, FeatureTrace]:
    """Every feature of every view, by reference (read-only; kept for the last registry asked)."""
    kept = _traced[0] if _traced else None
    if kept is None or kept[0] is not registry or kept[1] != dialect:
        traces = {trace.ref: trace for view in registry.views.values()
                  for trace in (trace_feature(view, member, dialect) for member in _members(view))}
        kept = (registry, dialect, MappingProxyType(traces))
        _traced[:] = [kept]
    return kept[2]


def carriers_of(ref: str, registry: Registry, carriers: Carriers) -> frozenset[str]:
    """What carries feature ``ref``: ``service/<name>``, ``online/<store>``, ``dataset/<name>``."""
    view = ref.split(":", 1)[0]
    held = {f"service/{s.name}" for s in registry.services.values() if _holds(s.features, ref)}
    held |= {f"dataset/{name}" for name, refs in carriers.datasets.items() if _holds(refs, ref)}
    if view in carriers.online:
        held.add(f"online/{carriers.online_store}")
    return frozenset(held)


def computed_from(column: WarehouseColumn, traces: Iterable[FeatureTrace]) -> list[FeatureTrace]:
    """The features computed from warehouse column ``column`` (or possibly so: a name their
    query reads without a table, in a query that reads ``column``'s table)."""
    return [trace for trace in traces
            if any(column.matches(found) for found in trace.origins.columns | trace.origins.possible())]


def named_features(registry: Registry, ref: str) -> list[tuple[FeatureView, Member]]:
    """The features ``ref`` names: ``view:feature``, ``view:*``, a view or a service. An on-demand
    feature (or view) names the features it is computed from."""
    on_demand = registry.on_demand.get(ref.split(":", 1)[0])
    if on_demand is not None:
        inputs = [pair for each in on_demand.feature_inputs for pair in named_features(registry, str(each))]
        return list({(view.name, member.name): (view, member) for view, member in inputs}.values())
    if ":" in ref:
        view_name, feature = ref.split(":", 1)
        view = registry.view(view_name)
        if feature == "*":
            return [(view, member) for member in _members(view)]
        for member in _members(view):
            if member.name == feature:
                return [(view, member)]
        raise NotFoundError(f"feature view {view.name!r} has no feature {feature!r}"
                            f"{suggest(feature, view.feature_names)}")
    if ref in registry.services:
        return [pair for each in registry.services[ref].features
                for pair in named_features(registry, each)]
    return [(registry.view(ref), member) for member in _members(registry.view(ref))]


def warehouse_column_ref(ref: str, dialect: str) -> WarehouseColumn | None:
    """``ref`` as a warehouse column when it is one (``table.column``, ``schema.table.column``)."""
    if ":" in ref or "." not in ref:
        return None
    parsed = parse_column(ref, dialect)
    if not isinstance(parsed, WarehouseColumn):
        raise RequestError(f"{ref!r} is neither 'view:feature' nor '[schema.]table.column'")
    return parsed


def _holds(refs: Iterable[str], ref: str) -> bool:
    view = ref.split(":", 1)[0]
    return any(each == ref or each == f"{view}:*" for each in refs)


def _members(view: FeatureView) -> tuple[Feature | Aggregation, ...]:
    return (*view.features, *view.aggregations)
