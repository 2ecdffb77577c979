"""Which warehouse columns a source's output column is computed from, read off its SQL.

A ``table=`` source passes its columns through. A ``query=`` source is parsed in the warehouse's
dialect, its names folded as the warehouse folds them (``compile.scan.source_relation``), and
traced by ``sqlglot.lineage`` through CTEs, sub-queries, joins, unions, expressions, ``CASE``,
aggregate and window functions, down to the base tables' columns. Only what makes a value counts:
a ``WHERE``, ``JOIN ... ON`` or ``GROUP BY`` chooses rows for every column alike and is not part
of any one column's lineage. A column the query reads without saying from which of several
tables (``SELECT email FROM a JOIN b ...``) cannot be placed: it is kept as *unresolved*, with
the tables it may come from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.lineage import Node, lineage
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from virtualfs.compile.scan import source_relation
from virtualfs.definitions import Source
from virtualfs.dialects.identifiers import warehouse_column
from virtualfs.errors import DefinitionError


@dataclass(frozen=True, order=True)
class WarehouseColumn:
    """A column of a warehouse table, named as the warehouse resolves it: ``("SALES", "ORDERS")``
    and ``"AMOUNT"`` on Snowflake for ``sales.orders.amount`` written unquoted.

    >>> str(WarehouseColumn(("sales", "orders"), "amount"))
    'sales.orders.amount'
    """

    table: tuple[str, ...]
    column: str

    def __str__(self) -> str:
        return ".".join((*self.table, self.column))

    def matches(self, other: WarehouseColumn) -> bool:
        """The same column, one table name perhaps less qualified (``orders`` is
        ``sales.orders`` when the warehouse's search path finds it there).

        >>> WarehouseColumn(("orders",), "a").matches(WarehouseColumn(("sales", "orders"), "a"))
        True
        """
        if self.column != other.column:
            return False
        short, long = sorted((self.table, other.table), key=len)
        return long[len(long) - len(short):] == short


@dataclass(frozen=True)
class Origins:
    """What one output column of a source is computed from: ``columns``, and ``unresolved``
    column names the query does not tie to a table (they may come from any of ``tables``)."""

    columns: frozenset[WarehouseColumn] = frozenset()
    unresolved: frozenset[str] = frozenset()
    tables: frozenset[tuple[str, ...]] = field(default=frozenset(), compare=False)

    def __or__(self, other: Origins) -> Origins:
        return Origins(self.columns | other.columns, self.unresolved | other.unresolved,
                       self.tables | other.tables)

    def possible(self) -> frozenset[WarehouseColumn]:
        """The columns an unresolved name may be: that name in each table the query reads."""
        return frozenset(WarehouseColumn(table, name) for name in self.unresolved for table in self.tables)


def origins(source: Source, column: str, dialect: str) -> Origins:
    """The warehouse columns output column ``column`` (as a definition names it) of ``source``
    is computed from.

    >>> orders = Source("o", query="SELECT id, ts, amount * (1 - discount) AS net FROM orders",
    ...                 timestamp="ts")
    >>> sorted(str(c) for c in origins(orders, "net", "snowflake").columns)
    ['ORDERS.AMOUNT', 'ORDERS.DISCOUNT']
    """
    name = output_name(column, dialect)
    if source.table is not None:
        table = source_relation(source, dialect)
        return Origins(frozenset({WarehouseColumn(table_parts(table), name)}))
    traced = _traced(source, dialect)
    if traced.failed:
        return Origins(unresolved=frozenset({name}), tables=traced.tables)
    node = traced.outputs.get(name, traced.outputs.get("*"))
    if node is None:
        return Origins(unresolved=frozenset({name}), tables=traced.tables)
    return _leaves(node, name, traced.tables, dialect)


def output_name(column: str, dialect: str) -> str:
    """A column named in a definition, as the warehouse resolves it."""
    return warehouse_column(column, dialect).this


def key_column(source: Source, key: str, dialect: str) -> WarehouseColumn | str:
    """A ``columns=`` key of ``source``: a warehouse column (``"customers.email"``), or, for a bare
    name, the source's own output column (its folded name).

    >>> key_column(Source("s", table="t", timestamp="ts"), "crm.customers.email", "snowflake")
    WarehouseColumn(table=('CRM', 'CUSTOMERS'), column='EMAIL')
    """
    parsed = parse_column(key, dialect)
    if parsed is None:
        raise DefinitionError("source", source.name, f"columns: {key!r} is not 'table.column'")
    return parsed


def parse_column(text: str, dialect: str) -> WarehouseColumn | str | None:
    """``[schema.]table.column`` as the warehouse resolves it, a bare column name (folded), or
    None when ``text`` is neither."""
    try:
        parsed = sqlglot.parse_one(text, into=exp.Column, read=dialect)
    except SqlglotError:
        return None
    parts = [part.name for part in normalize_identifiers(parsed, dialect=dialect).parts]
    return parts[0] if len(parts) == 1 else WarehouseColumn(tuple(parts[:-1]), parts[-1])


def table_parts(table: exp.Table) -> tuple[str, ...]:
    return tuple(part.name for part in table.parts)


@dataclass(frozen=True)
class _Traced:
    outputs: dict[str, Node]
    tables: frozenset[tuple[str, ...]]
    failed: bool = False


@lru_cache(maxsize=512)
def _traced(source: Source, dialect: str) -> _Traced:
    """Every output column of a query source, traced once (sources are frozen, so hashable)."""
    query = source_relation(source, dialect)
    tables = _base_tables(query)
    try:
        outputs = lineage(None, query, dialect=dialect)
    except SqlglotError:  # a query sqlglot cannot trace: every column unresolved, none lost
        return _Traced({}, tables, failed=True)
    return _Traced(dict(outputs), tables)  # type: ignore[arg-type]


def _leaves(node: Node, name: str, tables: frozenset[tuple[str, ...]], dialect: str) -> Origins:
    columns, unresolved = set(), set()
    for leaf, column in _walk(node, name, dialect):
        if isinstance(leaf.source, exp.Table):
            columns.add(WarehouseColumn(table_parts(leaf.source), column))
        elif isinstance(leaf.source, exp.Placeholder):
            unresolved.add(column)
        # else: a constant (``1 AS one``, ``COUNT(*)``): computed from no column
    return Origins(frozenset(columns), frozenset(unresolved), tables)


def _walk(node: Node, name: str, dialect: str) -> Iterator[tuple[Node, str]]:
    """Each leaf under ``node`` with the column it stands for: a star (``SELECT *``) passes on
    the name asked for one level up."""
    here = name if node.name.endswith("*") else _column_name(node.name, dialect)
    if not node.downstream:
        yield node, here
    for child in node.downstream:
        yield from _walk(child, here, dialect)


def _column_name(text: str, dialect: str) -> str:
    """The column of a lineage node's name (``t."Mixed"`` -> ``Mixed``)."""
    try:
        return sqlglot.parse_one(text, into=exp.Column, read=dialect).name
    except SqlglotError:
        return text.rsplit(".", 1)[-1]


def _base_tables(query: exp.Expression) -> frozenset[tuple[str, ...]]:
    """The warehouse tables a query reads (CTE names are not tables)."""
    ctes = {cte.alias_or_name for cte in query.find_all(exp.CTE)}
    return frozenset(table_parts(table) for table in query.find_all(exp.Table)
                     if table.name and not (len(table.parts) == 1 and table.name in ctes))
