"""Entity rows given as a warehouse query: numbered in the query's own order, for ``_vfs_row``.

``ROW_NUMBER()`` over a sub-query's output keeps no order on most warehouses (and Snowflake
refuses it without ``ORDER BY``), so the query's ``ORDER BY`` is lifted into the window of the
query itself: its positions and select-list aliases are replaced by the expressions they name.
A query without ``ORDER BY`` has no order to keep; its rows are numbered as they come.
"""

from __future__ import annotations

from sqlglot import exp

from virtualfs.compile import names


def build_numbered_entities(query: exp.Query) -> exp.Query:
    """``query`` with a ``_vfs_row`` column numbering its rows in its ``ORDER BY`` order.

    >>> from virtualfs.dialects.render import to_sql
    >>> import sqlglot
    >>> query = sqlglot.parse_one("SELECT id, t AS at FROM x ORDER BY at", read="duckdb")
    >>> to_sql(build_numbered_entities(query), "duckdb")
    'SELECT "id", "t" AS "at", ROW_NUMBER() OVER (ORDER BY "t") AS "_vfs_row" FROM "x" ORDER BY "at"'
    """
    order = query.args.get("order")
    if isinstance(query, exp.Select) and order is not None and not query.args.get("distinct"):
        numbered = query.copy()
        keys = [_in_window(ordered, numbered) for ordered in order.expressions]
        numbered.append("expressions", _row_number(keys))
        return numbered
    inner = exp.Subquery(this=query.copy(), alias=exp.TableAlias(this=names.identifier(names.QUERY)))
    # no order to keep: ORDER BY NULL, since some warehouses want an ORDER BY in the window
    any_order = [exp.Ordered(this=exp.Null(), nulls_first=False)]
    star = exp.Column(this=exp.Star(), table=names.identifier(names.QUERY))
    return exp.Select(expressions=[star, _row_number(any_order)], from_=exp.From(this=inner))


def _row_number(keys: list[exp.Ordered]) -> exp.Alias:
    window = exp.Window(this=exp.RowNumber(), order=exp.Order(expressions=keys))
    return names.alias(window, names.ROW)


def _in_window(ordered: exp.Ordered, select: exp.Select) -> exp.Ordered:
    """``ordered`` with a position (``ORDER BY 2``) or an alias replaced by what it names."""
    key, projections = ordered.this, select.expressions
    named = None
    if isinstance(key, exp.Literal) and key.is_int and 1 <= int(key.this) <= len(projections):
        named = projections[int(key.this) - 1]
    elif isinstance(key, exp.Column) and not key.table:
        named = next((p for p in projections if isinstance(p, exp.Alias) and p.alias == key.name), None)
    if named is None:
        return ordered.copy()
    resolved = ordered.copy()
    resolved.set("this", named.unalias().copy())
    return resolved
