"""Feature statistics, computed in the warehouse: one query per view, never downloading rows.

The flow, top-down: resolve the target into view lookups (``targets``); per view, the plain
features are profiled over the source rows whose event time is in ``[start, end)`` and the
aggregations over their values at a grid of times (``compile.profile.grid``), both in one
query (``compile.profile.query``); the result is read back (``read``) into a :class:`Profile`
(``model``), which draws itself (``html``, ``png``). ``drift`` compares two profiles.

Example::

    profile = profile_target(warehouse, registry, "customer_orders", start, end)
    profile.to_pandas()
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from virtualfs.compile.aggregate.lookup import aggregation_of
from virtualfs.compile.profile import (
    Bins,
    ProfileColumn,
    ProfileRelation,
    ProfileRequest,
    build_profile_query,
)
from virtualfs.compile.profile.grid import build_grid_relation, grid_times
from virtualfs.compile.request import FeatureColumn, ViewLookup
from virtualfs.compile.scan import build_source_relation
from virtualfs.definitions import DType
from virtualfs.dialects import dialect as dialect_of
from virtualfs.dialects.identifiers import warehouse_column
from virtualfs.errors import RequestError, UnsupportedError
from virtualfs.profiles.drift import DriftReport, FeatureDrift, Thresholds, compare
from virtualfs.profiles.model import FeatureProfile, Histogram, Profile
from virtualfs.profiles.read import Named, read_features
from virtualfs.profiles.targets import display_name, resolve_target
from virtualfs.retrieval.source_types import typed_lookups

if TYPE_CHECKING:
    from virtualfs.registry import Registry
    from virtualfs.warehouses.base import Warehouse

__all__ = ["DriftReport", "FeatureDrift", "FeatureProfile", "Histogram", "Profile", "Thresholds",
           "compare_profiles", "profile_relation", "profile_target"]


@dataclass(frozen=True)
class ProfileCall:
    """How a profile was asked for, to ask again (counting into another profile's bins)."""

    target: Any
    start: datetime | None
    end: datetime | None


def profile_target(warehouse: Warehouse, registry: Registry, target: Any, start: datetime | None = None,
                   end: datetime | None = None, like: Profile | None = None) -> Profile:
    """The profile of ``target`` (a view name, feature references, a feature service or its name)
    over the source rows with ``start <= event time < end``; naive times are UTC.

    ``like``: count into that profile's histogram bins and top values instead of this one's own
    (what :func:`compare_profiles` does to compare bin by bin).
    """
    start, end = _window(start, end)
    resolved = resolve_target(registry, target)
    features: list[FeatureProfile] = []
    for lookup in resolved.lookups:
        features += _profile_view(warehouse, lookup, start, end, like)
    return _profile(warehouse, resolved.description, features, start, end, ProfileCall(target, start, end))


def profile_relation(warehouse: Warehouse, description: str, relation: exp.Expression,
                     columns: Sequence[tuple[str, exp.Expression, DType]], time: exp.Expression | None = None,
                     start: datetime | None = None, end: datetime | None = None,
                     like: Profile | None = None) -> Profile:
    """The profile of any relation of the warehouse (a table, or an aliased sub-query), for
    ``columns`` given as ``(name shown, value over the relation's rows, dtype)``; with ``time``,
    over the rows with ``start <= time < end``. One query.

    Example::

        profile_relation(warehouse, "dataset churn_v1", table,
                         [("amount", exp.column("amount"), DType.FLOAT64)])
    """
    start, end = _window(start, end)
    named = [Named(name, _column(i, value, dtype, name, like))
             for i, (name, value, dtype) in enumerate(columns)]
    relations = (ProfileRelation(relation, tuple(n.column for n in named), time),)
    features = _run(warehouse, ProfileRequest(relations, start, end), named)
    return _profile(warehouse, description, features, start, end, None)


def compare_profiles(warehouse: Warehouse, registry: Registry, baseline: Profile, current: Profile,
                     thresholds: Thresholds | None = None) -> DriftReport:
    """How ``current`` drifted from ``baseline``: per feature the population stability index
    over the baseline's bins (numbers) or top values (strings, booleans), and the change of null
    fraction and mean, flagged above ``thresholds``. ``current`` is counted again in the
    baseline's bins when it can be (it came from ``profile_target``), so the index is exact."""
    call = current.request
    if isinstance(call, ProfileCall):
        again = profile_target(warehouse, registry, call.target, call.start, call.end, like=baseline)
        current = replace(again, request=call)
    return compare(baseline, current, thresholds or Thresholds())


def _profile_view(warehouse: Warehouse, lookup: ViewLookup, start: datetime | None, end: datetime | None,
                  like: Profile | None) -> list[FeatureProfile]:
    """Every feature of one view in one query: plain ones over its source rows, aggregations
    over their values at a grid of times."""
    view, dialect = lookup.view, warehouse.dialect
    plain = [f for f in lookup.features if aggregation_of(view, f.name) is None]
    aggregated = [f for f in lookup.features if aggregation_of(view, f.name) is not None]
    relations, named = [], []
    if plain:
        columns = [Named(display_name(view.name, f), _column(i, exp.column(warehouse_column(f.name, dialect)),
                                                             f.dtype, display_name(view.name, f), like))
                   for i, f in enumerate(plain)]
        time = exp.column(warehouse_column(view.source.timestamp, dialect))
        relations.append(ProfileRelation(build_source_relation(view.source, dialect),
                                         tuple(n.column for n in columns), time))
        named += columns
    if aggregated:
        relation, columns = _grid(warehouse, lookup, aggregated, len(named), start, end, like)
        relations.append(relation)
        named += columns
    return _run(warehouse, ProfileRequest(tuple(relations), start, end), named)


def _grid(warehouse: Warehouse, lookup: ViewLookup, aggregated: list[FeatureColumn], first: int,
          start: datetime | None, end: datetime | None,
          like: Profile | None) -> tuple[ProfileRelation, list[Named]]:
    view = lookup.view
    internal = tuple(FeatureColumn(f.name, f"_vfs_agg{first + i}", f.dtype) for i, f in enumerate(aggregated))
    typed = typed_lookups(warehouse, [ViewLookup(view, internal)])[0]
    low, high = _grid_window(warehouse, view, start, end)
    relation = build_grid_relation(typed, first, grid_times(low, high), low, high, warehouse.dialect,
                                   warehouse.capabilities)
    shown = [display_name(view.name, f) for f in aggregated]
    columns = tuple(_column(c.index, c.value, c.dtype, name, like) for c, name in zip(relation.columns, shown,
                                                                                        strict=True))
    named = [Named(name, column) for name, column in zip(shown, columns, strict=True)]
    return replace(relation, columns=columns), named


def _grid_window(warehouse: Warehouse, view: Any, start: datetime | None,
                 end: datetime | None) -> tuple[datetime, datetime]:
    """``[start, end)``; an open side is closed at the source's first event or just past its last
    (one small query). A source without rows gives a tiny window at the epoch: no key, no row."""
    if start is not None and end is not None:
        return start, end
    event = exp.column(warehouse_column(view.source.timestamp, warehouse.dialect))
    bounds = exp.select(exp.alias_(exp.Min(this=event), "_vfs_first"),
                        exp.alias_(exp.Max(this=event.copy()), "_vfs_last")).from_(
        build_source_relation(view.source, warehouse.dialect))
    first, last = (_as_utc(v) for v in warehouse.fetch_arrow(bounds).to_pylist()[0].values())
    low = start or first or datetime(1970, 1, 1, tzinfo=timezone.utc)
    high = end or (last + timedelta(microseconds=1) if last is not None else low)
    return low, max(high, low + timedelta(microseconds=1))


def _column(index: int, value: exp.Expression, dtype: DType, name: str,
            like: Profile | None) -> ProfileColumn:
    """Feature ``index``; with ``like``, counted into that profile's bins or values for ``name``."""
    reference = next((f for f in like.features if f.feature == name), None) if like is not None else None
    if reference is None or reference.dtype != dtype:
        return ProfileColumn(index, value, dtype)
    if reference.histogram is not None:
        h = reference.histogram
        return ProfileColumn(index, value, dtype, bins=Bins(h.edges[0], h.width, len(h.counts), h.edges[-1]))
    if reference.top_values:
        return ProfileColumn(index, value, dtype, categories=tuple(v for v, _ in reference.top_values))
    return ProfileColumn(index, value, dtype)


def _run(warehouse: Warehouse, request: ProfileRequest, named: list[Named]) -> list[FeatureProfile]:
    table = warehouse.fetch_arrow(build_profile_query(request, warehouse.dialect))
    return read_features(table, named)


def _profile(warehouse: Warehouse, description: str, features: list[FeatureProfile], start: datetime | None,
             end: datetime | None, call: ProfileCall | None) -> Profile:
    statistics = dialect_of(warehouse.dialect).statistics
    if statistics is None:
        raise UnsupportedError(f"{warehouse.dialect}: profiles are not supported")
    return Profile(description, tuple(features), warehouse.dialect, statistics.distinct_method,
                   statistics.quantile_method, start, end, call)


def _window(start: datetime | None, end: datetime | None) -> tuple[datetime | None, datetime | None]:
    start, end = _as_utc(start), _as_utc(end)
    if start is not None and end is not None and start >= end:
        raise RequestError(f"profile window: start ({start.isoformat()}) must be before end "
                           f"({end.isoformat()})")
    return start, end


def _as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise RequestError(f"profile window: expected a datetime, got {value!r}")
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)

