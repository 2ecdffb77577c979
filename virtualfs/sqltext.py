"""SQL text a user wrote (a source's table or query, a filter, an entity query, a table name),
parsed by sqlglot. However sqlglot refuses the text (a ParseError, or a TokenError from an
unterminated quote), the caller's own error comes out, naming the definition or request and the
field; a sqlglot error never escapes.

sqlglot is imported inside the functions so that ``import virtualfs`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from virtualfs.errors import DefinitionError, RequestError

if TYPE_CHECKING:
    from sqlglot import exp

# Builds the caller's error from a problem such as "does not parse: ...".
Fault = Callable[[str], Exception]

TABLE_NAME = "a [db.][schema.]table name"


def definition_fault(kind: str, name: str, field: str) -> Fault:
    """``DefinitionError`` naming definition ``name`` and its ``field``.

    >>> definition_fault("source", "orders", "query")("does not parse")
    DefinitionError("source 'orders': query does not parse")
    """
    return lambda problem: DefinitionError(kind, name, f"{field} {problem}")


def request_fault(what: str) -> Fault:
    """``RequestError`` naming ``what`` of a request, e.g. ``"entity query"``."""
    return lambda problem: RequestError(f"{what} {problem}")


def parse_statements(text: str, dialect: str | None, fault: Fault) -> list[exp.Expression]:
    """Every statement of ``text``."""
    import sqlglot

    try:
        return [s for s in sqlglot.parse(text, read=dialect) if s is not None]
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError) as error:
        raise fault(f"does not parse: {_first_line(error)}") from None


def parse_expression(text: str, dialect: str | None, fault: Fault) -> exp.Expression:
    """One SQL expression, e.g. a filter condition."""
    import sqlglot

    try:
        return sqlglot.parse_one(text, read=dialect)
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError) as error:
        raise fault(f"does not parse: {_first_line(error)}") from None


def parse_table_name(text: str, dialect: str | None, fault: Fault) -> exp.Table:
    """``[db.][schema.]table`` as written (not folded), e.g. ``sales.orders``."""
    import sqlglot
    from sqlglot import exp

    try:
        table = sqlglot.parse_one(text, into=exp.Table, read=dialect)
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError):
        table = None  # sqlglot's own words ("Failed to parse ... into <class ...>") help nobody
    if not isinstance(table, exp.Table) or not table.name:
        raise fault(f"{text!r} is not {TABLE_NAME}")
    return table


def parse_read_only_query(text: str, dialect: str | None, fault: Fault) -> exp.Query:
    """Exactly one SELECT that only reads: no DML or DDL anywhere in its tree, CTEs included.

    >>> parse_read_only_query("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", None,
    ...                       request_fault("query"))
    Traceback (most recent call last):
    virtualfs.errors.RequestError: query must only read, but contains DELETE
    """
    from sqlglot import exp

    statements = parse_statements(text, dialect, fault)
    if len(statements) != 1:
        raise fault(f"must be one SELECT statement, found {len(statements)}")
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        raise fault(f"must be a SELECT, found {tree.key.upper()} (DDL and DML are not allowed)")
    writer = tree.find(*_writes())
    if writer is not None:
        raise fault(f"must only read, but contains {_describe(writer)}")
    return tree


def _writes() -> tuple[type[exp.Expression], ...]:
    """Nodes that change data, schema, session or locks, or that sqlglot could not parse
    (Command), wherever they sit: a CTE may DELETE ... RETURNING and still be read by a SELECT."""
    from sqlglot import exp

    return (exp.DML, exp.DDL, exp.Drop, exp.Alter, exp.TruncateTable, exp.Into, exp.LoadData,
            exp.Command, exp.Grant, exp.Revoke, exp.Transaction, exp.Commit, exp.Rollback,
            exp.Pragma, exp.Set, exp.Use, exp.Lock, exp.LockingStatement, exp.Analyze, exp.Cache,
            exp.Attach, exp.Detach, exp.Export, exp.Install, exp.Kill, exp.Refresh, exp.Comment,
            exp.Execute, exp.MultitableInserts)


def _describe(node: exp.Expression) -> str:
    from sqlglot import exp

    if isinstance(node, exp.Into):
        return "SELECT ... INTO"
    if isinstance(node, exp.Lock):
        return "a row lock (FOR UPDATE/SHARE)"
    return node.key.upper()


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__
