"""Source: where a view's rows live in the warehouse — a table, or one SELECT."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, ClassVar

from virtualfs.definitions.base import (
    FrozenDict,
    check_identifier,
    check_metadata,
    check_name,
    classification_field,
    data_field,
    deployment_field,
    input_field,
    later_field,
    metadata_field,
    parses_sql,
    set_frozen,
)
from virtualfs.definitions.dtypes import DType
from virtualfs.errors import DefinitionError
from virtualfs.sqltext import definition_fault, parse_read_only_query, parse_table_name

if TYPE_CHECKING:
    from sqlglot import exp

# A ``columns=`` key: ``[db.][schema.]table.column`` or a bare ``column``; each part a plain
# name (folded like the warehouse folds it) or a double-quoted one (kept as written).
_PART = r'(?:(?!__)[A-Za-z_][A-Za-z0-9_$]*|"[^"]+")'
COLUMN_KEY = re.compile(rf"{_PART}(?:\.{_PART}){{0,3}}")


@dataclass(frozen=True)
class SourceColumn:
    """What a source's ``columns=`` says of one column: whether it holds personal data (``pii``),
    and what it is. ``Source(columns={"customers.email": {"pii": True}})`` builds one."""

    kind: ClassVar[str] = "column"

    pii: bool = classification_field(default=False)
    description: str = metadata_field(default="")

    def __post_init__(self) -> None:
        if not isinstance(self.pii, bool):
            raise ValueError(f"pii must be True or False, got {self.pii!r}")
        if not isinstance(self.description, str):
            raise ValueError(f"description must be text, got {self.description!r}")


@dataclass(frozen=True)
class PushedRows:
    """Where a pushed view's rows are kept in this deployment (``virtualfs.push``): ``table``,
    its name rendered for the warehouse's dialect, and its ``columns`` in order, which the source
    is read with when the two are read together."""

    table: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    """Rows with an event time and, optionally, the time each row landed (``created``): a
    ``table``, one SELECT (``query``), or an ibis table expression (``expr``) built on
    ``virtualfs.table(...)``, which the catalog stores as its SQL for the warehouse's dialect.

    With none of the three, the source holds only the rows pushed to its view
    (``FeatureView(push=True)``, ``FeatureStore.push``): it names the push time's column
    (``created``) and gives ``dtypes`` of the columns that are not features (join keys).

    >>> Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
    ... # doctest: +ELLIPSIS
    Source(name='orders', ...)
    >>> Source("card_tx", timestamp="tx_at", created="pushed_at", dtypes={"card_id": "string"}).push_only
    True
    """

    kind: ClassVar[str] = "source"

    name: str = data_field()
    table: str | None = data_field(default=None)
    query: str | None = data_field(default=None)
    timestamp: str = data_field(default="")
    created: str | None = data_field(default=None)
    description: str = metadata_field(default="")
    owner: str = metadata_field(default="")
    tags: FrozenDict = metadata_field(default_factory=FrozenDict)
    # The warehouse columns it reads, classified: "table.column" (a bare name: an output column)
    # -> SourceColumn (or a dict of its fields: {"pii": True, "description": "..."}).
    columns: FrozenDict = classification_field(default_factory=FrozenDict)
    # An ibis table expression, compiled into ``query`` for the warehouse's dialect when applied
    # (``compile.expressions``); last, so that the fields before it keep their positions.
    expr: Any = input_field(default=None, repr=False)
    # A push-only source's column types (join keys, aggregated columns): column -> dtype.
    dtypes: FrozenDict = later_field(default_factory=FrozenDict)
    # Set when definitions are opened for use, never stored: the pushed rows read with the source.
    pushed: PushedRows | None = deployment_field(default=None, repr=False)

    def __post_init__(self) -> None:
        check_name(self.kind, self.name)
        check_metadata(self)
        set_frozen(self, "columns", _freeze_columns(self.name, self.columns))
        if [self.table, self.query, self.expr].count(None) < 2:
            raise DefinitionError(self.kind, self.name, "give at most one of table=, query= or expr= "
                                                        "(none: a source of pushed rows only)")
        set_frozen(self, "dtypes", self._frozen_dtypes())
        if self.dtypes and not self.push_only:
            raise DefinitionError(self.kind, self.name, "dtypes= is for a source of pushed rows only; a "
                                                        "table's or query's types come from the warehouse")
        if self.push_only:
            self._check_push_only()
        elif self.expr is not None:
            from virtualfs.definitions.expression import check_expression

            check_expression(self.name, self.expr)
        elif self.table is not None:
            self._check_table()
        elif not isinstance(self.query, str):
            raise DefinitionError(self.kind, self.name, "query must be a SQL string")
        elif parses_sql():
            parse_source_query(self.name, self.query, dialect=None)
        if not self.timestamp:
            raise DefinitionError(self.kind, self.name, "timestamp= must name the event-time column")
        check_identifier(self.kind, self.name, self.timestamp, "timestamp column")
        if self.created is not None:
            check_identifier(self.kind, self.name, self.created, "created column")
            if self.created == self.timestamp:
                raise DefinitionError(
                    self.kind, self.name, "created column must differ from the timestamp column"
                )

    @property
    def push_only(self) -> bool:
        """Whether the source holds only pushed rows (no table, query or expression)."""
        return self.table is None and self.query is None and self.expr is None

    def _frozen_dtypes(self) -> FrozenDict:
        if not isinstance(self.dtypes, Mapping):
            raise DefinitionError(self.kind, self.name, f"dtypes must map column names to dtypes, "
                                                        f"got {self.dtypes!r}")
        frozen = {}
        for column, dtype in self.dtypes.items():
            check_identifier(self.kind, self.name, column, "dtypes column")
            try:
                frozen[column] = DType.parse(dtype, f"dtypes[{column!r}]").value
            except ValueError as error:
                raise DefinitionError(self.kind, self.name, str(error)) from None
        return FrozenDict(frozen)

    def _check_push_only(self) -> None:
        # pushed rows are told apart from each other, and made visible, by their push time
        if self.created is None:
            raise DefinitionError(self.kind, self.name, "a source of pushed rows only (no table=, query= or "
                                                        "expr=) needs created= naming its push-time column")

    def _check_table(self) -> None:
        if not isinstance(self.table, str) or not self.table.strip():
            raise DefinitionError(self.kind, self.name, f"table must be a name, got {self.table!r}")
        if parses_sql():
            parse_table_name(self.table, None, definition_fault(self.kind, self.name, "table"))

    def output_columns(self) -> tuple[str, ...] | None:
        """The query's output column names when they can be read off it (no ``*``)."""
        from sqlglot import exp

        if self.expr is not None:
            return tuple(self.expr.columns)
        if self.push_only and self.pushed is not None:
            return (*self.pushed.columns, self.created or "")
        if self.query is None:
            return None
        select = parse_source_query(self.name, self.query, dialect=None)
        if not isinstance(select, exp.Select):
            return None
        names = []
        for projection in select.expressions:
            if isinstance(projection, exp.Star) or projection.is_star or not projection.alias_or_name:
                return None
            names.append(projection.alias_or_name)
        return tuple(names)


def _freeze_columns(name: str, columns: object) -> FrozenDict:
    if not isinstance(columns, Mapping):
        raise DefinitionError("source", name, f"columns must be a mapping of 'table.column' to "
                                              f"{{'pii': ..., 'description': ...}}, got {columns!r}")
    frozen = {}
    for key, value in columns.items():
        if not isinstance(key, str) or not COLUMN_KEY.fullmatch(key):
            raise DefinitionError("source", name, f"columns: {key!r} is not 'table.column' or a column name")
        frozen[key] = _column(name, key, value)
    return FrozenDict(frozen)


def _column(name: str, key: str, value: object) -> SourceColumn:
    if isinstance(value, SourceColumn):
        return value
    known = [field.name for field in fields(SourceColumn)]
    if not isinstance(value, Mapping) or set(value) - set(known):
        problem = f"columns[{key!r}] must be a mapping with keys {', '.join(known)}, got {value!r}"
        raise DefinitionError("source", name, problem)
    try:
        return SourceColumn(**value)
    except ValueError as error:
        raise DefinitionError("source", name, f"columns[{key!r}]: {error}") from None


def parse_source_query(source_name: str, query: str, dialect: str | None) -> exp.Query:
    """Parse a source's query: exactly one SELECT that only reads (no DML or DDL, CTEs included)."""
    return parse_read_only_query(query, dialect, definition_fault("source", source_name, "query"))
