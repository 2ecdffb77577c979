"""One query computing every statistic of a profile request, in the warehouse.

Per relation ``r``::

    _vfs_rows_r  AS (SELECT value AS _vfs_c{i}, ... FROM relation WHERE start <= time < end)
    _vfs_stats_r AS (SELECT COUNT(*), COUNT(c), distinct, MIN, MAX, AVG, STDDEV_SAMP, quantiles,
                            histogram width and bins ... FROM _vfs_rows_r)          -- one row

then::

    SELECT <every statistic of every relation>, NULL ... FROM _vfs_stats_0 CROSS JOIN ...   -- one row
    UNION ALL
    SELECT NULL ..., distribution rows FROM (
        histogram of a number:  GROUP BY its bin (the rows joined to their stats row)
        UNION ALL top values:   GROUP BY the value ORDER BY count DESC, value LIMIT 10
        UNION ALL days:         GROUP BY CAST(time AS DATE))

Distribution rows are ``(_vfs_feature, _vfs_slot, _vfs_n, _vfs_text, _vfs_flag, _vfs_day)``:
feature ``i``'s bin number, string value, boolean value or day, and how many rows hold it.
Histograms: numbers in ``BINS`` bins of equal width from the minimum, the last bin closed at the
maximum; integers in at most ``BINS`` bins of a whole width. Nulls are counted in ``count``
only, never in a distribution.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.profile.request import (
    BINS,
    NUMBERS,
    QUANTILES,
    TOP_VALUES,
    ProfileColumn,
    ProfileRelation,
    ProfileRequest,
    stat_column,
)
from virtualfs.definitions import DType
from virtualfs.dialects import dialect as dialect_of
from virtualfs.dialects.statistics import Statistics
from virtualfs.dialects.times import timestamp_literal
from virtualfs.errors import UnsupportedError

FEATURE, SLOT, COUNT, TEXT, FLAG, DAY = ("_vfs_feature", "_vfs_slot", "_vfs_n", "_vfs_text", "_vfs_flag",
                                         "_vfs_day")
DISTRIBUTION = (FEATURE, SLOT, COUNT, TEXT, FLAG, DAY)
_LOW, _HIGH = "low", "high"  # a number's minimum and maximum as DOUBLE, for its bins


def build_profile_query(request: ProfileRequest, dialect: str) -> exp.Query:
    """Every statistic of ``request`` in one query for ``dialect`` (see the module's docstring).

    Example::

        build_profile_query(ProfileRequest((relation,), start, end), "duckdb")
    """
    types = _Types(dialect)
    statistics = dialect_of(dialect).statistics
    if statistics is None:
        raise UnsupportedError(f"{dialect}: profiles need the dialect's quantile and distinct functions, "
                               "which it does not declare")
    ctes: list[exp.CTE] = []
    parts: list[exp.Select] = []
    for index, relation in enumerate(request.relations):
        rows = _cte(_rows(index), _build_rows(relation, request))
        # the rows of a window are kept once rather than filtered again for every part
        keep = relation.time is not None and (request.start or request.end) is not None
        if keep and dialect_of(dialect).capabilities.supports_materialized_cte:
            rows.set("materialized", True)
        ctes += [*relation.ctes, rows,
                 _cte(_stats(index), _build_stats(index, relation, statistics, types))]
        parts += [part for column in relation.columns for part in _distribution(index, column, types)]
    select = _union(_summary(request, types), _distributions(request, parts, types))
    select.set("with_", exp.With(expressions=ctes))
    return select


def _build_rows(relation: ProfileRelation, request: ProfileRequest) -> exp.Select:
    projections = [names.alias(c.value.copy(), _value(c.index)) for c in relation.columns]
    select = exp.select(*projections, copy=False).from_(relation.relation.copy(), copy=False)
    if relation.time is None:
        return select
    window = []
    if request.start is not None:
        window.append(exp.GTE(this=relation.time.copy(), expression=timestamp_literal(request.start)))
    if request.end is not None:
        window.append(exp.LT(this=relation.time.copy(), expression=timestamp_literal(request.end)))
    return select.where(*window, copy=False) if window else select


def _build_stats(index: int, relation: ProfileRelation, statistics: Statistics, types: _Types) -> exp.Select:
    projections: list[exp.Expression] = []
    for column in relation.columns:
        values = _statistics(column, statistics, types)
        projections += [names.alias(values[s], stat_column(column.index, s)) for s in column.statistics()]
        if column.dtype in NUMBERS and column.bins is None:
            number = types.double(names.column(_value(column.index)))
            projections += [names.alias(exp.Min(this=number), _bound(column.index, _LOW)),
                            names.alias(exp.Max(this=number.copy()), _bound(column.index, _HIGH))]
    return exp.select(*projections, copy=False).from_(names.table(_rows(index)), copy=False)


def _statistics(column: ProfileColumn, statistics: Statistics, types: _Types) -> dict[str, exp.Expression]:
    value = names.column(_value(column.index))
    found = {"rows": types.integer(exp.Count(this=exp.Star())), "count": types.integer(exp.Count(this=value)),
             "distinct": types.integer(statistics.distinct(value.copy()))}
    if column.dtype in (DType.STRING, DType.TIMESTAMP, *NUMBERS):
        found["min"] = types.cast(exp.Min(this=value.copy()), column.dtype)
        found["max"] = types.cast(exp.Max(this=value.copy()), column.dtype)
    if column.dtype == DType.BOOL:
        one, zero = (types.double(exp.Literal.number(n)) for n in (1, 0))
        share = exp.Case(ifs=[exp.If(this=value.copy(), true=one),
                              exp.If(this=exp.Not(this=value.copy()), true=zero)])
        found["mean"] = exp.Avg(this=share)
    if column.dtype in NUMBERS:
        number = types.double(value.copy())
        found["mean"] = exp.Avg(this=number)
        found["stddev"] = exp.StddevSamp(this=number.copy())
        picks = statistics.quantiles(number.copy(), [f for _, f in QUANTILES])
        found.update({name: types.double(pick) for (name, _), pick in zip(QUANTILES, picks, strict=True)})
        width, count = _own_bins(number, column.dtype)
        found["width"], found["bins"] = types.double(width), types.integer(count)
    return found


def _own_bins(number: exp.Expression, dtype: DType) -> tuple[exp.Expression, exp.Expression]:
    """The width and number of a column's own bins, from its minimum and maximum: ``BINS`` equal
    bins (one, of width 1, when every value is the same); integers ``ceil(span / BINS)`` wide
    (at least 1) over ``span = max - min + 1``, so no bin splits a whole number."""
    low, high = exp.Min(this=number.copy()), exp.Max(this=number.copy())
    if dtype == DType.FLOAT64:
        spread = exp.GT(this=high.copy(), expression=low.copy())
        spread_by = exp.paren(exp.Sub(this=high, expression=low))
        width = exp.Div(this=spread_by, expression=exp.Literal.number(BINS))
        one = exp.Literal.number(1)
        return (exp.Case(ifs=[exp.If(this=spread, true=width)], default=one),
                exp.Case(ifs=[exp.If(this=spread.copy(), true=exp.Literal.number(BINS))], default=one.copy()))
    span = exp.paren(exp.Add(this=exp.Sub(this=high, expression=low), expression=exp.Literal.number(1)))
    width = exp.Ceil(this=exp.Div(this=span, expression=exp.Literal.number(BINS)))
    return width, exp.Ceil(this=exp.Div(this=span.copy(), expression=exp.paren(width.copy())))


def _distribution(relation: int, column: ProfileColumn, types: _Types) -> list[exp.Select]:
    """The distribution part of ``column``: histogram, top values or days (none for others)."""
    value = names.column(_value(column.index))
    rows = names.table(_rows(relation))
    present = exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null()))
    if column.dtype in NUMBERS:
        joined = exp.select(copy=False).from_(rows, copy=False).join(
            names.table(_stats(relation)), join_type="CROSS", copy=False)
        slot = _bin(column, types)
        grouped = joined.select(names.alias(slot, SLOT), _counted(), copy=False).where(present, copy=False)
        return [_shaped(column.index, grouped.group_by(names.column(SLOT), copy=False), SLOT, types)]
    if column.dtype in (DType.STRING, DType.BOOL):
        return [_shaped(column.index, _top(column, value, rows, present), _top_slot(column), types)]
    if column.dtype == DType.TIMESTAMP:
        day = exp.cast(value, "DATE")
        grouped = exp.select(names.alias(day, DAY), _counted(), copy=False).from_(rows, copy=False)
        grouped = grouped.where(present, copy=False).group_by(day.copy(), copy=False)
        return [_shaped(column.index, grouped, DAY, types)]
    return []


def _bin(column: ProfileColumn, types: _Types) -> exp.Expression:
    """The bin of each value: ``floor((x - low) / width)``, the maximum in the last bin; against
    fixed ``bins``, ``-1`` below them and ``count`` above."""
    number = types.double(names.column(_value(column.index)))
    stats = _stats_of(column)
    if column.bins is None:
        low, width = stats(_LOW), stats("width")
        last = exp.Sub(this=stats("bins"), expression=exp.Literal.number(1))
        return exp.Least(this=_floor(number, low, width, types), expressions=[last])
    bins = column.bins
    low, width = types.double(exp.Literal.number(bins.low)), types.double(exp.Literal.number(bins.width))
    last = exp.Literal.number(bins.count - 1)
    inside = exp.Least(this=_floor(number, low, width, types), expressions=[last])
    return exp.Case(ifs=[
        exp.If(this=exp.LT(this=number.copy(), expression=low.copy()), true=exp.Literal.number(-1)),
        exp.If(this=exp.GT(this=number.copy(), expression=types.double(exp.Literal.number(bins.high))),
               true=exp.Literal.number(bins.count)),
    ], default=inside)


def _floor(number: exp.Expression, low: exp.Expression, width: exp.Expression,
           types: _Types) -> exp.Expression:
    offset = exp.paren(exp.Sub(this=number.copy(), expression=low))
    return types.integer(exp.Floor(this=exp.Div(this=offset, expression=width)))


def _top(column: ProfileColumn, value: exp.Column, rows: exp.Table, present: exp.Expression) -> exp.Select:
    """The ``TOP_VALUES`` most frequent values (ties: the smaller value first); against fixed
    ``categories``, the count of each of those."""
    select = exp.select(names.alias(value, SLOT), _counted(), copy=False).from_(rows, copy=False)
    if column.categories is not None:
        wanted = [exp.convert(v) for v in column.categories] or [exp.Null()]
        keep = exp.In(this=names.column(_value(column.index)), expressions=wanted)
        return select.where(keep, copy=False).group_by(value.copy(), copy=False)
    select = select.where(present, copy=False).group_by(value.copy(), copy=False)
    order = [exp.Ordered(this=names.column(COUNT), desc=True, nulls_first=False),
             exp.Ordered(this=names.column(SLOT), nulls_first=False)]
    return select.order_by(*order, copy=False).limit(TOP_VALUES, copy=False)


def _top_slot(column: ProfileColumn) -> str:
    return TEXT if column.dtype == DType.STRING else FLAG


def _shaped(feature: int, part: exp.Select, holds: str, types: _Types) -> exp.Select:
    """``part`` (a value named ``_vfs_slot`` or ``_vfs_day``, and ``_vfs_n``) as a distribution row."""
    source = exp.Subquery(this=part, alias=exp.TableAlias(this=names.identifier(f"_vfs_part{feature}")))
    found = SLOT if holds in (SLOT, TEXT, FLAG) else DAY
    row = {name: types.null(name) for name in DISTRIBUTION}
    row[FEATURE] = types.integer(exp.Literal.number(feature))
    row[COUNT] = names.column(COUNT)
    row[holds] = types.typed(names.column(found), holds)
    return exp.select(*(names.alias(row[n], n) for n in DISTRIBUTION), copy=False).from_(source, copy=False)


def _summary(request: ProfileRequest, types: _Types) -> exp.Select:
    """The one row of statistics: every relation's stats row, cross joined."""
    projections = [names.column(stat_column(c.index, s)) for c in request.columns for s in c.statistics()]
    projections += [names.alias(types.null(n), n) for n in DISTRIBUTION]
    select = exp.select(*projections, copy=False).from_(names.table(_stats(0)), copy=False)
    for index in range(1, len(request.relations)):
        select = select.join(names.table(_stats(index)), join_type="CROSS", copy=False)
    return select


def _distributions(request: ProfileRequest, parts: list[exp.Select], types: _Types) -> exp.Select | None:
    if not parts:
        return None
    every = parts[0]
    for part in parts[1:]:
        every = exp.Union(this=every, expression=part, distinct=False)
    nulls = [names.alias(types.null_statistic(c, s), stat_column(c.index, s))
             for c in request.columns for s in c.statistics()]
    source = exp.Subquery(this=every, alias=exp.TableAlias(this=names.identifier("_vfs_distributions")))
    return exp.select(*nulls, *(names.column(n) for n in DISTRIBUTION), copy=False).from_(source, copy=False)


def _union(summary: exp.Select, distributions: exp.Select | None) -> exp.Query:
    return summary if distributions is None else exp.Union(this=summary, expression=distributions,
                                                           distinct=False)


class _Types:
    """Casts to the dialect's types: every output column has one type in every union branch."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect_of(dialect)

    def build(self, dtype: DType | str) -> exp.DataType:
        name = self.dialect.stored_type(dtype) if isinstance(dtype, DType) else dtype
        return exp.DataType.build(name, dialect=self.dialect.name)

    def cast(self, value: exp.Expression, dtype: DType | str) -> exp.Expression:
        return exp.Cast(this=value, to=self.build(dtype))

    def integer(self, value: exp.Expression) -> exp.Expression:
        return self.cast(value, DType.INT64)

    def double(self, value: exp.Expression) -> exp.Expression:
        return self.cast(value, DType.FLOAT64)

    def typed(self, value: exp.Expression, column: str) -> exp.Expression:
        return self.cast(value, _DISTRIBUTION_TYPES[column])

    def null(self, column: str) -> exp.Expression:
        return self.typed(exp.Null(), column)

    def null_statistic(self, column: ProfileColumn, statistic: str) -> exp.Expression:
        kind = column.dtype if statistic in ("min", "max") else _STATISTIC_TYPES[statistic]
        return self.cast(exp.Null(), kind)


_DISTRIBUTION_TYPES: dict[str, DType | str] = {FEATURE: DType.INT64, SLOT: DType.INT64, COUNT: DType.INT64,
                                               TEXT: DType.STRING, FLAG: DType.BOOL, DAY: "DATE"}
_STATISTIC_TYPES: dict[str, DType] = {
    **dict.fromkeys(("rows", "count", "distinct", "bins"), DType.INT64),
    **dict.fromkeys(("mean", "stddev", "width", *(q for q, _ in QUANTILES)), DType.FLOAT64),
}


def _counted() -> exp.Alias:
    return names.alias(exp.Count(this=exp.Star()), COUNT)


def _value(index: int) -> str:
    return f"_vfs_c{index}"


def _bound(index: int, which: str) -> str:
    return f"_vfs_b{index}_{which}"


def _stats_of(column: ProfileColumn) -> Callable[[str], exp.Column]:
    def stat(name: str) -> exp.Column:
        bound = name in (_LOW, _HIGH)
        return names.column(_bound(column.index, name) if bound else stat_column(column.index, name))
    return stat


def _rows(index: int) -> str:
    return f"_vfs_rows_{index}"


def _stats(index: int) -> str:
    return f"_vfs_stats_{index}"


def _cte(name: str, query: exp.Expression) -> exp.CTE:
    return exp.CTE(this=query, alias=exp.TableAlias(this=names.identifier(name)))
