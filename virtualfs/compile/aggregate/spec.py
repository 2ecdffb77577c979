"""What an aggregate lookup asks for, as pure data: aggregations, entity rows, rule.

An :class:`AggregateRequest` names the aggregations of one view wanted for the entity rows of
an :class:`~virtualfs.compile.request.EntityRelation`. :class:`AggregateContext` derives from it
everything the formulations share: internal names, measures (one per distinct column and
filter), windows, and how source columns are spelled in the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.request import EntityRelation, Rule
from virtualfs.definitions import Aggregation, DType, FeatureView
from virtualfs.definitions.aggregation import parse_filter
from virtualfs.dialects.identifiers import warehouse_column
from virtualfs.errors import RequestError

if TYPE_CHECKING:
    from virtualfs.compile.aggregate.kept_tiles import KeptTiles

# Functions that need the window's rows themselves, not per-tile summaries.
RAW_ONLY = frozenset({"count_distinct", "last"})
# Functions that add their column up (``compile.aggregate.sums``), and those typed as their column.
SUMMED = frozenset({"sum", "avg", "stddev"})
_TYPED_AS_COLUMN = frozenset({"sum", "min", "max", "last"})


@dataclass(frozen=True)
class AggregateColumn:
    """One aggregation asked of a view: its definition, output column and output dtype.

    ``dtype`` is the aggregation's ``output_dtype`` for the source column's type; the result is
    cast to it. ``None`` leaves the value as the warehouse computes it (for SQL meant to be read).
    """

    aggregation: Aggregation
    output: str
    dtype: DType | None = None


@dataclass(frozen=True)
class AggregateRequest:
    """Aggregations of ``view`` for each row of ``entities``, under ``rule``.

    ``index`` is the view's position in a larger request; it keeps internal names apart.
    ``as_of``, when every entity row has that one time (a snapshot for the online store), lets
    the source scan skip rows outside the longest window before ``as_of``. ``kept``: tiles a
    refresh keeps for the view, built past every entity row's time (see ``kept.py``).
    ``known_by``: read only the source rows landed by then (``scan.build_landed_rows``).
    """

    view: FeatureView
    columns: tuple[AggregateColumn, ...]
    entities: EntityRelation
    rule: Rule = "known"
    index: int = 0
    as_of: datetime | None = None
    kept: tuple[KeptTiles, ...] = ()
    known_by: datetime | None = None

    def __post_init__(self) -> None:
        if not self.columns:
            raise RequestError(f"feature view {self.view.name!r}: no aggregations requested")
        known = {a.name: a for a in self.view.aggregations}
        for column in self.columns:
            if known.get(column.aggregation.name) != column.aggregation:
                raise RequestError(
                    f"feature view {self.view.name!r} has no aggregation {column.aggregation.name!r}"
                )


@dataclass(frozen=True)
class Measure:
    """A source column under an optional filter: ``CASE WHEN filter THEN column END``."""

    column: str
    filter: str | None


@dataclass(frozen=True)
class AggregateContext:
    """``request`` compiled for ``dialect``: names, measures, windows, column spellings."""

    request: AggregateRequest
    dialect: str

    @property
    def view(self) -> FeatureView:
        return self.request.view

    @property
    def entities(self) -> EntityRelation:
        return self.request.entities

    @property
    def columns(self) -> tuple[AggregateColumn, ...]:
        return self.request.columns

    @property
    def has_created(self) -> bool:
        return self.view.source.created is not None

    @property
    def uses_known_time(self) -> bool:
        """Whether a row counts only once it landed (known-time rule, created time declared)."""
        return self.request.rule == "known" and self.has_created

    @cached_property
    def kept(self) -> tuple[KeptTiles, ...]:
        """The kept tiles this request may read: any under the known-time rule; under the
        event-time rule those whose watermark is known (rows landing after it are read raw)."""
        if not self.has_created:
            return ()
        return tuple(k for k in self.request.kept if self.uses_known_time or k.known_by is not None)

    def name(self, part: str) -> str:
        """A deterministic internal name for this view: ``_vfs_a<index>_<part>``."""
        return f"_vfs_a{self.request.index}_{part}"

    @cached_property
    def measures(self) -> tuple[Measure, ...]:
        found = (Measure(c.aggregation.column, c.aggregation.filter) for c in self.columns)
        return tuple(dict.fromkeys(found))

    def measure_index(self, column: AggregateColumn) -> int:
        return self.measures.index(Measure(column.aggregation.column, column.aggregation.filter))

    @cached_property
    def integer_measures(self) -> frozenset[int]:
        """Measures known to hold integers (a ``sum``, ``min``, ``max`` or ``last`` typed int64
        reads them): added up as they are, which is exact."""
        return frozenset(self.measure_index(c) for c in self.columns
                         if c.aggregation.function in _TYPED_AS_COLUMN and c.dtype is DType.INT64)

    @cached_property
    def split_measures(self) -> frozenset[int]:
        """Measures added up that may hold floats: added in two parts (``compile.aggregate.sums``)."""
        summed = {self.measure_index(c) for c in self.columns if c.aggregation.function in SUMMED}
        return frozenset(summed - self.integer_measures)

    @cached_property
    def windows(self) -> tuple[timedelta, ...]:
        """The distinct windows, shortest first."""
        return tuple(sorted({c.aggregation.window for c in self.columns}))

    def source_column(self, name: str, table: str | None = None) -> exp.Column:
        """A source column folded the way the warehouse folds unquoted names."""
        return exp.column(warehouse_column(name, self.dialect),
                          table=names.identifier(table) if table else None)

    def filter_condition(self, measure: Measure, table: str) -> exp.Expression | None:
        """The measure's filter over ``table``'s columns, identifiers folded for the dialect."""
        if measure.filter is None:
            return None
        return bind_filter(measure.column, measure.filter, self.dialect, table)

    def entity_time(self) -> exp.Column:
        return names.column(self.entities.timestamp, names.ENTITY)

    def entity_keys(self) -> list[exp.Column]:
        return [names.column(self.entities.key_column(k), names.ENTITY) for k in self.view.join_keys]


def bind_filter(owner: str, text: str, dialect: str, table: str | None = None) -> exp.Expression:
    r"""A filter, parsed by sqlglot, with each column bound to ``table`` and spelled the way
    ``dialect`` folds unquoted names; rendered per dialect, never spliced as text.

    >>> from virtualfs.dialects.render import to_sql
    >>> to_sql(bind_filter("n", "status = 'paid'", "snowflake", "s"), "snowflake")
    '"s"."STATUS" = \'paid\''
    """
    def bind(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column):
            qualifier = names.identifier(table) if table else None
            return exp.column(warehouse_column(node.name, dialect), table=qualifier)
        return node

    return parse_filter(owner, text).transform(bind)


def measure_name(index: int) -> str:
    """The column holding measure ``index`` (null where the filter fails)."""
    return f"_vfs_m{index}"


def passes_name(index: int) -> str:
    """The column saying whether a row passes measure ``index``'s filter (for ``last``)."""
    return f"_vfs_p{index}"


def output_name(index: int) -> str:
    """The internal column holding requested aggregation ``index``."""
    return f"_vfs_o{index}"


def key_name(index: int) -> str:
    """The internal column holding join key ``index`` inside aggregate CTEs."""
    return f"_vfs_k{index}"
