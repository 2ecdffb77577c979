"""SQL trees for checks: what every check of a view observes over a relation, in one query.

Each scope a view's checks use (``window``: the staged rows; ``table``: the table as it would be
after the swap) gets one aggregate over its relation — the row count, then each check's parts
(a count of nulls, of values out of bounds, a mean, ...) — and each ``unique_per_time`` check one
count of distinct (column, event time) pairs. The pieces, one row each, are cross joined into a
single query whose columns :class:`CheckQuery` lists in order: the warehouse does the counting,
Python only compares the few numbers that come back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlglot import exp

from virtualfs.compile.refresh import ViewTables
from virtualfs.definitions import Check, FeatureView
from virtualfs.dialects.identifiers import warehouse_column

ROWS = "rows"  # the part every scope has: how many rows it holds


@dataclass(frozen=True)
class CheckPart:
    """One column of a check query: ``part`` of check ``index`` (of ``view.checks``; -1 for the
    row count of ``scope``)."""

    index: int
    scope: str
    part: str


@dataclass(frozen=True)
class CheckQuery:
    """The query, and what each of its columns holds, in order."""

    select: exp.Select
    parts: tuple[CheckPart, ...]


def build_check_query(view: FeatureView, relations: Mapping[str, exp.Expression], dialect: str) -> CheckQuery:
    """Every check of ``view`` over ``relations[check.scope]`` (a table or a query), in one query;
    scopes given the same relation share its scan. A view without checks has nothing to compile.
    """
    pieces: list[_Piece] = []
    scopes_of: dict[exp.Expression, list[str]] = {}  # one scan of a relation, whatever its scopes
    for scope, relation in relations.items():
        if any(c.scope == scope for c in view.checks):
            scopes_of.setdefault(relation, []).append(scope)
    for relation, scopes in scopes_of.items():
        indexed = [(i, c) for i, c in enumerate(view.checks) if c.scope in scopes]
        pieces.append(_scope_piece(scopes, indexed, _aliased(relation), dialect))
        pieces += [_groups_piece(c.scope, i, _unique_columns(view, c), _aliased(relation), dialect)
                   for i, c in indexed if c.condition == "unique_per_time"]
    if not pieces:
        raise ValueError(f"feature view {view.name!r} has no checks over {', '.join(relations)}")
    columns, parts, joined = [], [], None
    for number, piece in enumerate(pieces):
        alias = f"_vfs_check_{number}"
        names = [f"_vfs_p{len(parts) + n}" for n in range(len(piece.parts))]
        select = exp.select(*(exp.alias_(e, name) for e, name in zip(piece.expressions, names, strict=True)))
        relation = select.from_(piece.relation).subquery(alias)
        joined = exp.select().from_(relation) if joined is None else joined.join(relation, join_type="CROSS")
        columns += [exp.column(name, table=alias) for name in names]
        parts += piece.parts
    return CheckQuery(joined.select(*columns), tuple(parts))


def build_table_after_swap(tables: ViewTables, window_condition: exp.Expression) -> exp.Select:
    """The target's rows outside the window, then the staged ones: the table a swap would leave."""
    kept = exp.Not(this=exp.Coalesce(this=window_condition, expressions=[exp.false()]))
    outside = exp.select(exp.Star()).from_(tables.target.copy()).where(kept)
    return exp.union(outside, exp.select(exp.Star()).from_(tables.staging.copy()), distinct=False)


@dataclass(frozen=True)
class _Piece:
    """Aggregates over one relation (one row), and what each observes."""

    expressions: tuple[exp.Expression, ...]
    relation: exp.Expression
    parts: tuple[CheckPart, ...]


def _scope_piece(scopes: list[str], indexed: list[tuple[int, Check]], relation: exp.Expression,
                 dialect: str) -> _Piece:
    expressions: list[exp.Expression] = [exp.Count(this=exp.Star()) for _ in scopes]
    parts = [CheckPart(-1, scope, ROWS) for scope in scopes]
    for index, check in indexed:
        for part, expression in _observations(check, dialect):
            expressions.append(expression)
            parts.append(CheckPart(index, check.scope, part))
    return _Piece(tuple(expressions), relation, tuple(parts))


def _groups_piece(scope: str, index: int, columns: list[str], relation: exp.Expression,
                  dialect: str) -> _Piece:
    """How many distinct (column, event time) pairs: fewer than rows means a pair repeats."""
    grouped = exp.select(exp.alias_(exp.Literal.number(1), "_vfs_one")).from_(relation).group_by(
        *(_column(c, dialect) for c in columns))
    return _Piece((exp.Count(this=exp.Star()),), grouped.subquery("_vfs_groups"),
                  (CheckPart(index, scope, "groups"),))


def _observations(check: Check, dialect: str) -> list[tuple[str, exp.Expression]]:
    """The aggregates a check is judged by, each with the name of what it observes."""
    condition = check.condition
    if condition == "rows_at_least" or condition == "unique_per_time":
        return []  # the scope's row count; distinct pairs come from their own piece
    column = _column(check.column or "", dialect)
    if condition == "not_null":
        return [("present", exp.Count(this=column))]
    if condition == "mean_between":
        return [("mean", exp.Avg(this=exp.cast(column, exp.DataType.build("DOUBLE"))))]
    if condition == "between":
        low, high = check.between or (None, None)
        bad = [exp.LT(this=column.copy(), expression=literal(low)) if low is not None else None,
               exp.GT(this=column.copy(), expression=literal(high)) if high is not None else None]
        outside = exp.or_(*(b for b in bad if b is not None))
        return [("outside", _count_where(outside)), ("min", exp.Min(this=column.copy())),
                ("max", exp.Max(this=column.copy()))]
    allowed = exp.In(this=column.copy(), expressions=[literal(v) for v in check.values or ()])
    outside = exp.Not(this=allowed)
    example = exp.Case(ifs=[exp.If(this=outside.copy(), true=column.copy())])
    text = exp.Min(this=exp.cast(example, exp.DataType.build("VARCHAR")))
    return [("outside", _count_where(outside)), ("example", text)]


def _count_where(condition: exp.Expression) -> exp.Expression:
    # a null value makes the condition null: it is not counted (nulls are not_null's business)
    return exp.Count(this=exp.Case(ifs=[exp.If(this=condition, true=exp.Literal.number(1))]))


def literal(value: object) -> exp.Expression:
    """A Python number, bool or string as a SQL literal."""
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(repr(value))
    return exp.Literal.string(str(value))


def _unique_columns(view: FeatureView, check: Check) -> list[str]:
    keys = [check.column] if check.column else list(view.join_keys)
    return [*keys, view.source.timestamp]


def _column(name: str, dialect: str) -> exp.Column:
    return exp.column(warehouse_column(name, dialect))


def _aliased(relation: exp.Expression) -> exp.Expression:
    if isinstance(relation, exp.Query):
        return relation.subquery("_vfs_rows")
    return relation.copy()

