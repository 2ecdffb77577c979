"""Aggregation: a windowed aggregate of a source column, e.g. orders in the last 7 days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

from virtualfs.definitions.base import (
    FrozenDict,
    check_identifier,
    check_metadata,
    check_pii,
    classification_field,
    data_field,
    metadata_field,
    parses_sql,
    set_frozen,
)
from virtualfs.definitions.dtypes import DType
from virtualfs.definitions.durations import parse_duration
from virtualfs.errors import DefinitionError
from virtualfs.sqltext import definition_fault, parse_expression

# function -> (accepted input dtypes (None: any), output dtype (None: same as input))
FUNCTIONS: dict[str, tuple[frozenset[DType] | None, DType | None]] = {
    "count": (None, DType.INT64),
    "count_distinct": (None, DType.INT64),
    "sum": (frozenset({DType.INT64, DType.FLOAT64}), None),
    "avg": (frozenset({DType.INT64, DType.FLOAT64}), DType.FLOAT64),
    "stddev": (frozenset({DType.INT64, DType.FLOAT64}), DType.FLOAT64),
    "min": (frozenset({DType.INT64, DType.FLOAT64, DType.TIMESTAMP, DType.STRING}), None),
    "max": (frozenset({DType.INT64, DType.FLOAT64, DType.TIMESTAMP, DType.STRING}), None),
    "last": (None, None),
}
# What a function gives over an empty window (every other function gives null).
EMPTY_WINDOW = {"count": 0, "count_distinct": 0}


@dataclass(frozen=True)
class Aggregation:
    """``Aggregation("orders_7d", "count", "order_id", "7d")``; ``filter`` is a SQL condition.

    ``pii`` is a feature's (see ``Feature``): inferred from ``column`` and the filter's columns
    unless given.
    """

    kind: ClassVar[str] = "aggregation"

    name: str = data_field()
    function: str = data_field()
    column: str = data_field()
    window: timedelta = data_field()
    filter: str | None = data_field(default=None)
    description: str = metadata_field(default="")
    owner: str = metadata_field(default="")
    tags: FrozenDict = metadata_field(default_factory=FrozenDict)
    pii: bool | None = classification_field(default=None)

    def __post_init__(self) -> None:
        check_identifier(self.kind, str(self.name), self.name, "name")
        check_metadata(self)
        check_pii(self.kind, self.name, self.pii)
        if self.function not in FUNCTIONS:
            raise DefinitionError(
                self.kind, self.name,
                f"unknown function {self.function!r}; expected one of {', '.join(FUNCTIONS)}",
            )
        check_identifier(self.kind, self.name, self.column, "column")
        try:
            set_frozen(self, "window", parse_duration(self.window, "window"))
        except ValueError as error:
            raise DefinitionError(self.kind, self.name, str(error)) from None
        if self.filter is not None and not isinstance(self.filter, str):
            raise DefinitionError(self.kind, self.name, f"filter must be SQL text, got {self.filter!r}")
        if self.filter is not None and parses_sql():
            parse_filter(self.name, self.filter)

    def output_dtype(self, input_dtype: DType) -> DType:
        """The dtype of the aggregate given the column's dtype; refuses types it cannot take."""
        accepted, output = FUNCTIONS[self.function]
        if accepted is not None and input_dtype not in accepted:
            problem = f"{self.function} cannot take column {self.column!r} of type {input_dtype}"
            raise DefinitionError(self.kind, self.name, problem)
        return output or input_dtype

    def filter_columns(self) -> set[str]:
        if self.filter is None:
            return set()
        from sqlglot import exp

        return {c.name for c in parse_filter(self.name, self.filter).find_all(exp.Column)}


def parse_filter(name: str, text: str):
    """Parse a filter as a boolean SQL expression over source columns (no subqueries)."""
    from sqlglot import exp

    tree = parse_expression(text, None, definition_fault("aggregation", name, "filter"))
    boolean = (exp.Predicate, exp.Connector, exp.Not, exp.Boolean, exp.Is, exp.In, exp.Between)
    if not isinstance(tree, boolean) and not isinstance(tree, exp.Paren):
        raise DefinitionError("aggregation", name, f"filter {text!r} is not a boolean expression")
    if tree.find(exp.Query) is not None:
        raise DefinitionError("aggregation", name, "filter may not contain a subquery")
    # a filter is evaluated row by row, before any aggregation
    if tree.find(exp.AggFunc, exp.Window) is not None:
        problem = f"filter {text!r} may not use aggregate or window functions"
        raise DefinitionError("aggregation", name, problem)
    for column in tree.find_all(exp.Column):
        if column.table or isinstance(column.this, exp.Star):
            problem = f"filter column {column.sql()!r} must be a plain column name of the source"
            raise DefinitionError("aggregation", name, problem)
        check_identifier("aggregation", name, column.name, "filter column")
    return tree
