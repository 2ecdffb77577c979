"""Sources written as ibis table expressions (``Source(name, expr=...)``), over tables that name
warehouse tables without a connection (:func:`table`). ibis is an optional extra: it is imported
only here, and only when such a source is defined.

The expression is kept as given; the compiler turns it into SQL for the warehouse's dialect
(``compile.expressions``), and the catalog stores that SQL, as if it had been ``query=``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from virtualfs.errors import DefinitionError, UnsupportedError


def table(name: str, schema: Mapping[str, str]) -> Any:
    """An unbound ibis table: warehouse table ``name`` (``[db.][schema.]table``, folded like a
    hand-written name) with the columns and ibis types of ``schema``, to build a source on.

    Example::

        orders = virtualfs.table("sales.orders", {"customer_id": "int64", "amount": "float64",
                                                  "ordered_at": "timestamp"})
        Source("paid_orders", expr=orders.filter(orders.amount > 0), timestamp="ordered_at")
    """
    ibis = _ibis()
    *namespace, table_name = name.split(".")
    if not 1 <= len(namespace) + 1 <= 3 or not all(namespace + [table_name]):
        raise DefinitionError("table", name, "expected a [db.][schema.]table name")
    catalog, database = ([None, None] + namespace)[-2:]
    try:
        return ibis.table(dict(schema), name=table_name, database=database, catalog=catalog)
    except Exception as error:  # ibis says which type it did not understand
        raise DefinitionError("table", name, f"schema: {_first_line(error)}") from None


def check_expression(source: str, expr: object) -> None:
    """``expr`` is an ibis table expression over unbound tables only: a table of a connection
    (``con.table``) or in memory (``ibis.memtable``) would tie the definition to one session."""
    ibis = _ibis() if type(expr).__module__.startswith("ibis.") else None
    if ibis is None or not isinstance(expr, ibis.expr.types.Table):
        raise DefinitionError("source", source, f"expr must be an ibis table expression built on "
                                                f"virtualfs.table(...), got {type(expr).__name__}")
    ops = ibis.expr.operations
    bound = [t for t in expr.op().find((ops.PhysicalTable, ops.SQLQueryResult))
             if not isinstance(t, ops.UnboundTable)]
    if bound:
        raise DefinitionError("source", source, f"expr reads {type(bound[0]).__name__} "
                                                f"{getattr(bound[0], 'name', '')!r}: build it on "
                                                f"virtualfs.table(...), which names a warehouse table")


def expression_sql(source: str, expr: Any, dialect: str) -> str:
    """``expr`` compiled by ibis into SQL text for ``dialect`` (sqlglot's name for it)."""
    ibis = _ibis()
    name = _IBIS_NAMES.get(dialect, dialect)
    try:
        if name in _COMPILER_NEEDS_BACKEND:
            getattr(ibis, name)  # loads the backend: its compiler reads the options the backend registers
        return ibis.to_sql(expr, dialect=name)
    except Exception as error:  # ibis's reasons are many (an operation the dialect lacks, ...)
        raise DefinitionError("source", source, f"expr cannot be compiled for {dialect}: "
                                                f"{type(error).__name__}: {_first_line(error)}") from None


# sqlglot's dialect name -> ibis's, where they differ
_IBIS_NAMES = {"spark": "pyspark", "tsql": "mssql"}
# ibis dialects whose compiler reads settings their backend registers when it is loaded
_COMPILER_NEEDS_BACKEND = {"pyspark"}


def _ibis() -> Any:
    try:
        import ibis
    except ImportError:
        raise UnsupportedError("sources written as ibis expressions need the ibis extra: "
                               "pip install 'virtualfs[ibis]'") from None
    return ibis


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
