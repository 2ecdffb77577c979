"""Plan nodes of a point-in-time retrieval: what to look up, for which entity rows, by which rule.

A :class:`PitRequest` is pure data (frozen, hashable); strategies turn each of its views into
sqlglot trees through a :class:`ViewContext`, which knows the view's position in the request
(for deterministic names) and how its columns are spelled in the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Literal

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.definitions import DType, FeatureView
from virtualfs.dialects.identifiers import warehouse_column

if TYPE_CHECKING:
    import pyarrow as pa

    from virtualfs.compile.aggregate.kept_tiles import KeptTiles
    from virtualfs.compile.on_demand import DerivedColumn

Rule = Literal["known", "event"]
RULES: tuple[Rule, ...] = ("known", "event")
MaskMethod = Literal["hash", "null"]


@dataclass(frozen=True)
class FeatureColumn:
    """One feature of a view: its defined name (the source column), output name and type.

    ``dtype`` is ``None`` for an aggregation whose type follows its source column until the
    warehouse is asked (``virtualfs.compile.aggregate.lookup.typed_lookups``).
    """

    name: str
    output: str
    dtype: DType | None


@dataclass(frozen=True)
class ColumnMask:
    """An output feature column whose values never leave the warehouse in the clear: ``hash``
    gives the SHA-256 of the value's text as hex (``Dialect.sha256_hex``), ``null`` a null of
    ``dtype``. Which columns, and how, is the access policy's to say (``virtualfs.access``)."""

    output: str
    method: MaskMethod
    dtype: DType | None = None


@dataclass(frozen=True)
class ViewLookup:
    """The features asked of one view."""

    view: FeatureView
    features: tuple[FeatureColumn, ...]


@dataclass(frozen=True)
class EntityRelation:
    """The entity rows in the warehouse: a table with a ``_vfs_row`` column.

    ``keys`` maps each join key to the relation's column holding it (exact case), ``carry``
    lists the columns passed through to the output, in order. ``time_type``: for times uploaded
    as UTC instants, the naive type to compare them as (``dialects.naive_timestamp``). ``rows``:
    the same rows in memory, when they were uploaded from there; the SQL never depends on their
    values, only the choice of steps may (``aggregate.density``).
    """

    table: exp.Table
    timestamp: str
    keys: tuple[tuple[str, str], ...]
    carry: tuple[str, ...]
    time_type: exp.DataType | None = None
    rows: pa.Table | None = field(default=None, compare=False, repr=False)

    def key_column(self, key: str) -> str:
        """The column holding join key ``key``."""
        return dict(self.keys)[key]

    def time(self, table: str | None = None) -> exp.Column:
        """The entity time ``t`` of the rows of :meth:`relation` (aliased ``table``)."""
        return names.column(self.timestamp if self.time_type is None else names.TIME, table)

    def relation(self) -> exp.Table:
        """What queries read the entity rows from: ``table``, or for uploaded rows the CTE
        ``_vfs_entity_rows`` of :meth:`build_rows`."""
        return self.table.copy() if self.time_type is None else names.table(names.ENTITY_ROWS)

    def build_rows(self) -> exp.Select:
        """``SELECT *, CAST(t AS <time_type>) AS _vfs_time FROM table``: uploaded times as naive UTC
        (sessions run in UTC), the type source tables mostly use, converted once here rather than
        every source row in each comparison (DuckDB compares zoned with naive 40% slower)."""
        time = exp.Cast(this=names.column(self.timestamp), to=self.time_type.copy())
        return exp.Select(expressions=[exp.Star(), names.alias(time, names.TIME)],
                          from_=exp.From(this=self.table.copy()))


@dataclass(frozen=True)
class PitRequest:
    """Every view to look up for the entity rows, under one rule."""

    lookups: tuple[ViewLookup, ...]
    entities: EntityRelation
    rule: Rule = "known"
    # tiles refreshes keep, built past every entity row's time (``aggregate.kept``)
    kept_tiles: tuple[KeptTiles, ...] = ()
    # read only the source rows that had landed by then (``scan.build_landed_rows``): a rebuild
    # of a frame saved at that time
    known_by: datetime | None = None
    masks: tuple[ColumnMask, ...] = ()
    # on-demand features computed in the last SELECT, and the input columns it then drops
    derived: tuple[DerivedColumn, ...] = ()
    hidden: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ViewContext:
    """View ``index`` of a request, compiled for ``dialect``: its names and column references."""

    index: int
    lookup: ViewLookup
    entities: EntityRelation
    rule: Rule
    dialect: str
    # whether the source scan is pruned to the entity times (``Capabilities.prunes_by_entity_bounds``)
    prune: bool = True
    kept_tiles: tuple[KeptTiles, ...] = ()
    known_by: datetime | None = None

    @property
    def view(self) -> FeatureView:
        return self.lookup.view

    @cached_property
    def join_keys(self) -> tuple[str, ...]:
        return self.view.join_keys

    @property
    def alias(self) -> str:
        return names.view_alias(self.index)

    @property
    def scan(self) -> str:
        return names.scan_name(self.index)

    @property
    def best(self) -> str:
        return names.best_name(self.index)

    @property
    def has_created(self) -> bool:
        return self.view.source.created is not None

    @property
    def uses_known_time(self) -> bool:
        """Whether candidates are limited by when they landed (known rule, created declared)."""
        return self.rule == "known" and self.has_created

    @property
    def ttl(self) -> timedelta | None:
        return self.view.ttl

    def source_column(self, name: str) -> exp.Identifier:
        """A column of the view's source, folded the way the warehouse folds unquoted names."""
        return names.identifier(_folded(name, self.dialect))

    def keys(self, table: str) -> list[exp.Column]:
        """The join key columns of the view's rows in ``table`` (a scan or a CTE over one)."""
        return [names.column(_folded(k, self.dialect), table) for k in self.join_keys]

    def entity_keys(self) -> list[exp.Column]:
        """The entity rows' columns holding the view's join keys."""
        return [names.column(self.entities.key_column(k), names.ENTITY) for k in self.join_keys]

    def entity_time(self) -> exp.Expression:
        """The entity rows' time, ``t``."""
        return self.entities.time(names.ENTITY)

    def keys_match(self, table: str) -> list[exp.Expression]:
        """Entity keys equal the keys of ``table``'s rows, one condition per key."""
        pairs = zip(self.entity_keys(), self.keys(table), strict=True)
        return [exp.EQ(this=entity, expression=row) for entity, row in pairs]

    def feature(self, feature: FeatureColumn, table: str) -> exp.Column:
        """Feature ``feature`` of the view's rows in ``table``."""
        return names.column(_folded(feature.name, self.dialect), table)


@lru_cache(maxsize=4096)
def _folded(name: str, dialect: str) -> str:
    return warehouse_column(name, dialect).this
