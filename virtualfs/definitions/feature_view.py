"""Feature and FeatureView: named, typed values of a source, joined to entities by key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

from virtualfs.definitions.aggregation import Aggregation
from virtualfs.definitions.base import (
    FrozenDict,
    check_field,
    check_identifier,
    check_metadata,
    check_name,
    check_pii,
    check_unique,
    classification_field,
    data_field,
    later_field,
    metadata_field,
    parses_sql,
    set_frozen,
)
from virtualfs.definitions.check import Check
from virtualfs.definitions.dtypes import DType
from virtualfs.definitions.durations import parse_duration
from virtualfs.definitions.entity import Entity
from virtualfs.definitions.schedule import check_schedule
from virtualfs.definitions.source import Source
from virtualfs.errors import DefinitionError

MATERIALIZATIONS = ("view", "table", "incremental")
# How long after its created (else event) time a row may still become visible in the warehouse
# and be picked up: loaders stamp rows before they commit, replicas lag.
DEFAULT_LOOKBACK = timedelta(hours=1)


def check_typed_name(definition: Feature | object) -> None:
    """A named, typed value (a feature, a request field): its name an identifier, its ``dtype``
    parsed into a :class:`DType`."""
    kind, name = definition.kind, definition.name  # type: ignore[attr-defined]
    check_identifier(kind, str(name), name, "name")
    try:
        set_frozen(definition, "dtype", DType.parse(definition.dtype, "dtype"))  # type: ignore[attr-defined]
    except ValueError as error:
        raise DefinitionError(kind, name, str(error)) from None


@dataclass(frozen=True)
class Feature:
    """One column of a source served as a feature: ``Feature("total", "float64")``.

    ``pii`` says whether its values are personal data: ``None`` (the default) infers it from the
    warehouse columns it is computed from (``Source(columns=...)``); ``False`` declassifies it
    whatever its lineage, an exception ``virtualfs plan`` shows for review.
    """

    kind: ClassVar[str] = "feature"

    name: str = data_field()
    dtype: DType = data_field()
    description: str = metadata_field(default="")
    owner: str = metadata_field(default="")
    tags: FrozenDict = metadata_field(default_factory=FrozenDict)
    pii: bool | None = classification_field(default=None)

    def __post_init__(self) -> None:
        check_typed_name(self)
        check_metadata(self)
        check_pii(self.kind, self.name, self.pii)


@dataclass(frozen=True)
class FeatureView:
    """Features of one source, keyed by the join keys of its entities.

    >>> customer = Entity("customer", ["customer_id"])
    >>> orders = Source("orders", table="orders", timestamp="ordered_at")
    >>> FeatureView("customer_orders", [customer], orders, [Feature("total", "float64")], ttl="30d")
    ... # doctest: +ELLIPSIS
    FeatureView(name='customer_orders', ...)
    """

    kind: ClassVar[str] = "feature view"

    name: str = data_field()
    entities: tuple[Entity, ...] = data_field()
    source: Source = data_field()
    features: tuple[Feature, ...] = data_field(default=())
    ttl: timedelta | None = data_field(default=None)
    description: str = metadata_field(default="")
    owner: str = metadata_field(default="")
    tags: FrozenDict = metadata_field(default_factory=FrozenDict)
    aggregations: tuple[Aggregation, ...] = data_field(default=())
    # How a refresh stores the view: "view" (nothing stored), "table" (rebuilt), "incremental".
    materialize: str = data_field(default="view")
    # When refreshes are due; changing it never changes the data, so it is metadata.
    schedule: str | None = metadata_field(default=None)
    lookback: timedelta | None = data_field(default=None)
    # Conditions its rows must meet before a refresh publishes them (``Check``): they change
    # whether rows are published, not what a row is, so they are not in the fingerprint.
    checks: tuple[Check, ...] = check_field(default=())
    # Rows may be pushed to it (``FeatureStore.push``): kept in a table of the feature schema that
    # is read together with its source; applying the view creates that table.
    push: bool = later_field(default=False)

    def __post_init__(self) -> None:
        check_name(self.kind, self.name)
        self._freeze_entities()
        if not isinstance(self.source, Source):
            raise DefinitionError(self.kind, self.name, f"source must be a Source, got {self.source!r}")
        self._freeze_features()
        for duration in ("ttl", "lookback"):
            if getattr(self, duration) is not None:
                try:
                    set_frozen(self, duration, parse_duration(getattr(self, duration), duration))
                except ValueError as error:
                    raise DefinitionError(self.kind, self.name, str(error)) from None
        check_metadata(self)
        self._check_refresh_options()
        self._check_columns_against_query()
        self._freeze_checks()
        self._check_push()

    def _check_push(self) -> None:
        source = self.source.name
        if not isinstance(self.push, bool):
            raise DefinitionError(self.kind, self.name, f"push must be True or False, got {self.push!r}")
        if self.source.push_only and not self.push:
            problem = f"source {source!r} holds only pushed rows (no table=, query= or expr=); " \
                      "declare push=True"
            raise DefinitionError(self.kind, self.name, problem)
        if self.push and self.source.created is None:
            # a pushed row's push time is its created time: the known-time rule shows it from then on
            problem = f"push=True needs source {source!r} to declare created= (pushed rows keep " \
                      "their push time)"
            raise DefinitionError(self.kind, self.name, problem)
        if self.source.push_only:
            typed = {f.name for f in self.features} | {self.source.timestamp} | set(self.source.dtypes)
            for column in self.pushed_columns:
                if column not in typed:
                    problem = f"source {source!r} holds only pushed rows: dtypes= must give the " \
                              f"type of {column!r}"
                    raise DefinitionError(self.kind, self.name, problem)

    @property
    def pushed_columns(self) -> tuple[str, ...]:
        """The columns a pushed row carries, in order: join keys, event time, features, and the
        columns aggregations read (the push time is added as the created column)."""
        columns = [*self.join_keys, self.source.timestamp, *(f.name for f in self.features)]
        for aggregation in self.aggregations:
            columns += [aggregation.column, *sorted(aggregation.filter_columns())]
        return tuple(dict.fromkeys(columns))

    def _check_refresh_options(self) -> None:
        if self.materialize not in MATERIALIZATIONS:
            raise DefinitionError(
                self.kind, self.name,
                f"materialize must be one of {', '.join(MATERIALIZATIONS)}, got {self.materialize!r}",
            )
        if self.schedule is not None:
            try:
                check_schedule(self.schedule)
            except ValueError as error:
                raise DefinitionError(self.kind, self.name, str(error)) from None

    def _freeze_entities(self) -> None:
        entities = self.entities
        if isinstance(entities, Entity):
            entities = (entities,)
        if not isinstance(entities, (list, tuple)) or not entities:
            raise DefinitionError(self.kind, self.name, "entities must be a non-empty list")
        for entity in entities:
            if not isinstance(entity, Entity):
                raise DefinitionError(self.kind, self.name, f"not an Entity: {entity!r}")
        check_unique(self.kind, self.name, "entity", [e.name for e in entities])
        set_frozen(self, "entities", tuple(entities))
        check_unique(self.kind, self.name, "join key", list(self.join_keys))

    def _freeze_features(self) -> None:
        features, aggregations = self.features, self.aggregations
        if not isinstance(features, (list, tuple)) or not isinstance(aggregations, (list, tuple)):
            raise DefinitionError(self.kind, self.name, "features and aggregations must be lists")
        if not features and not aggregations:
            raise DefinitionError(
                self.kind, self.name, "features must be a non-empty list (or give aggregations)"
            )
        for item in features:
            if not isinstance(item, Feature):
                raise DefinitionError(self.kind, self.name, f"not a Feature: {item!r}")
        for item in aggregations:
            if not isinstance(item, Aggregation):
                raise DefinitionError(self.kind, self.name, f"not an Aggregation: {item!r}")
        names = [f.name for f in features] + [a.name for a in aggregations]
        check_unique(self.kind, self.name, "feature name", names)
        reserved = set(self.join_keys) | {self.source.timestamp, self.source.created}
        for name in names:
            if name in reserved:
                raise DefinitionError(
                    self.kind, self.name, f"feature {name!r} collides with a join key or time column"
                )
        set_frozen(self, "features", tuple(features))
        set_frozen(self, "aggregations", tuple(aggregations))

    def _check_columns_against_query(self) -> None:
        if not parses_sql():
            return
        columns = self.source.output_columns()
        if columns is None:
            return
        needed = [*self.join_keys, self.source.timestamp, *(f.name for f in self.features)]
        for aggregation in self.aggregations:
            needed += [aggregation.column, *sorted(aggregation.filter_columns())]
        if self.source.created:
            needed.append(self.source.created)
        available = {c.lower() for c in columns}
        for column in needed:
            if column.lower() not in available:
                raise DefinitionError(
                    self.kind,
                    self.name,
                    f"column {column!r} is not returned by source {self.source.name!r} "
                    f"(it returns {', '.join(columns)})",
                )

    def _freeze_checks(self) -> None:
        checks = self.checks
        if isinstance(checks, Check) or not isinstance(checks, (list, tuple)):
            raise DefinitionError(self.kind, self.name, f"checks must be a list of Check, got {checks!r}")
        for check in checks:
            if not isinstance(check, Check):
                raise DefinitionError(self.kind, self.name, f"not a Check: {check!r}")
        names = [check.name for check in checks]
        if len(set(names)) != len(names):
            twice = next(name for name in names if names.count(name) > 1)
            problem = f"two checks are named {twice!r}; give one of them another name=..."
            raise DefinitionError(self.kind, self.name, problem)
        for check in checks:
            self._check_check_column(check)
        set_frozen(self, "checks", tuple(checks))

    def _check_check_column(self, check: Check) -> None:
        if check.column is None:
            return
        times = [self.source.timestamp, *([self.source.created] if self.source.created else [])]
        features = [f.name for f in self.features]
        read = [*self.join_keys, *times, *features, *(a.column for a in self.aggregations)]
        if check.column not in read and parses_sql():
            read += [c for a in self.aggregations for c in sorted(a.filter_columns())]
        # definitions read back from the catalog were checked when they were applied
        if check.column not in read and parses_sql():
            problem = (f"check {check.name!r}: column {check.column!r} is not a column the view reads "
                       f"(it reads {', '.join(dict.fromkeys(read))})")
            raise DefinitionError(self.kind, self.name, problem)
        features = {f.name: f.dtype for f in self.features}
        misfit = check.misfit(features.get(check.column))
        if misfit is not None:
            raise DefinitionError(self.kind, self.name, f"check {check.name!r}: {misfit}")

    @property
    def join_keys(self) -> tuple[str, ...]:
        return tuple(key for entity in self.entities for key in entity.join_keys)

    @property
    def effective_lookback(self) -> timedelta:
        """``lookback``, or :data:`DEFAULT_LOOKBACK`: how late a row may become visible after
        its created time (event time, without one) and still reach refreshed tables and the
        online store. Incremental runs re-read that much; reads trust tables that much less."""
        return self.lookback if self.lookback is not None else DEFAULT_LOOKBACK

    @property
    def feature_names(self) -> tuple[str, ...]:
        """Plain features, then aggregations: every output column the view serves."""
        return tuple(f.name for f in self.features) + tuple(a.name for a in self.aggregations)

    def feature(self, name: str) -> Feature:
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(name)
