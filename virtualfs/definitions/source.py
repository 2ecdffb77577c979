"""Source: where a view's rows live in the warehouse — a table, or one SELECT."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from virtualfs.definitions.base import (
    check_identifier,
    check_name,
    data_field,
    metadata_field,
    parses_sql,
)
from virtualfs.errors import DefinitionError
from virtualfs.sqltext import definition_fault, parse_read_only_query, parse_table_name

if TYPE_CHECKING:
    from sqlglot import exp


@dataclass(frozen=True)
class Source:
    """Rows with an event time and, optionally, the time each row landed (``created``).

    >>> Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
    ... # doctest: +ELLIPSIS
    Source(name='orders', ...)
    """

    kind: ClassVar[str] = "source"

    name: str = data_field()
    table: str | None = data_field(default=None)
    query: str | None = data_field(default=None)
    timestamp: str = data_field(default="")
    created: str | None = data_field(default=None)
    description: str = metadata_field(default="")

    def __post_init__(self) -> None:
        check_name(self.kind, self.name)
        if (self.table is None) == (self.query is None):
            raise DefinitionError(self.kind, self.name, "give exactly one of table= or query=")
        if self.table is not None:
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

    def _check_table(self) -> None:
        if not isinstance(self.table, str) or not self.table.strip():
            raise DefinitionError(self.kind, self.name, f"table must be a name, got {self.table!r}")
        if parses_sql():
            parse_table_name(self.table, None, definition_fault(self.kind, self.name, "table"))

    def output_columns(self) -> tuple[str, ...] | None:
        """The query's output column names when they can be read off it (no ``*``)."""
        from sqlglot import exp

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


def parse_source_query(source_name: str, query: str, dialect: str | None) -> exp.Query:
    """Parse a source's query: exactly one SELECT that only reads (no DML or DDL, CTEs included)."""
    return parse_read_only_query(query, dialect, definition_fault("source", source_name, "query"))
