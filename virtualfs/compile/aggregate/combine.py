"""From pieces to one value per entity row and aggregation.

A formulation reduces the source rows an entity row can see to *pieces*, one relation with a
``_vfs_row`` column: raw rows (one source row each, the measure columns as they are) or, for
tiles, per-tile summaries (``_vfs_n`` count, ``_vfs_s`` exact sum and ``_vfs_r`` the sum of
values out of its range (``dialects.sums``: sums and averages come out the same bits whatever
order the warehouse adds in), ``_vfs_lo``/``_vfs_hi`` min/max, ``_vfs_q`` sum of squared
deviations from the tile's mean). Each window has a flag column
saying which pieces fall in it, or none when every piece does. This module turns pieces into
``_vfs_row`` plus one ``_vfs_o<i>`` per aggregation, in conditional aggregates (several windows
of one column share one pass), and assembles the per-row result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.aggregate.spec import (
    AggregateColumn,
    AggregateContext,
    measure_name,
    output_name,
    passes_name,
)
from virtualfs.compile.aggregate.sums import group_sum, piece_total, row_value
from virtualfs.definitions.aggregation import FUNCTIONS
from virtualfs.dialects.sums import sum_exact
from virtualfs.dialects.types import sql_type

# Which summaries each function reads from tiles.
NEEDS: Mapping[str, tuple[str, ...]] = {
    "count": ("n",), "sum": ("s", "r"), "avg": ("n", "s", "r"), "stddev": ("n", "s", "r", "q"),
    "min": ("lo",), "max": ("hi",),
}
COUNTS = frozenset({"count", "count_distinct"})


def stat_name(stat: str, measure: int) -> str:
    """The column of summary ``stat`` of measure ``measure`` in tile pieces."""
    return f"_vfs_{stat}{measure}"


def flag_name(window: timedelta) -> str:
    """The column saying whether a piece lies in ``window``."""
    return f"_vfs_in_{window // timedelta(microseconds=1)}"


@dataclass(frozen=True)
class Pieces:
    """A CTE of pieces: its name, which windows need their flag column, how rows sort newest
    first, and whether raw rows carry their measures' exact parts and rests (``sums``)."""

    table: str
    flagged: frozenset[timedelta]
    order: tuple[str, ...] = ()
    split: bool = False


@dataclass(frozen=True)
class Part:
    """A CTE and the outputs (``_vfs_o<i>``) it holds per ``_vfs_row``; none for helper CTEs."""

    name: str
    query: exp.Query
    outputs: tuple[int, ...] = ()


def build_raw_aggregates(context: AggregateContext, pieces: Pieces,
                         outputs: Sequence[int], name: str) -> list[Part]:
    """``GROUP BY _vfs_row`` over raw pieces (and one ranking per ``last``)."""
    grouped = tuple(i for i in outputs if context.columns[i].aggregation.function != "last")
    parts: list[Part] = []
    if grouped:
        projections = [_as(_raw_aggregate(context, pieces, i), output_name(i)) for i in grouped]
        parts.append(Part(name, _grouped(pieces.table, projections), grouped))
    for i in outputs:
        if context.columns[i].aggregation.function == "last":
            parts.append(Part(f"{name}_last{i}", _newest(context, pieces, i), (i,)))
    return parts


def build_stats_aggregates(context: AggregateContext, pieces: Pieces,
                           outputs: Sequence[int], name: str) -> list[Part]:
    """``GROUP BY _vfs_row`` over tile pieces; stddev first adds each row's mean (a window)."""
    parts: list[Part] = []
    table = pieces.table
    deviations = [i for i in outputs if context.columns[i].aggregation.function == "stddev"]
    if deviations:
        table = f"{name}_means"
        parts.append(Part(table, _with_means(context, pieces, deviations)))
    projections = [_as(_stats_aggregate(context, pieces, i), output_name(i)) for i in outputs]
    parts.append(Part(name, _grouped(table, projections), tuple(outputs)))
    return parts


def build_result(context: AggregateContext, parts: Sequence[Part]) -> exp.Select:
    """One row per entity row: ``_vfs_row`` and every ``_vfs_o<i>``, typed, counts 0 when empty."""
    entity = names.ENTITY
    select = exp.select(names.column(names.ROW, entity), copy=False).from_(_entities(context), copy=False)
    holder: dict[int, str] = {}
    holding = [part for part in parts if part.outputs]
    for position, part in enumerate(holding):
        table, outputs, alias = part.name, part.outputs, f"_vfs_p{position}"
        on = names.column(names.ROW, alias).eq(names.column(names.ROW, entity))
        joined = exp.Table(this=names.identifier(table), alias=exp.TableAlias(this=names.identifier(alias)))
        select.join(joined, on=on, join_type="LEFT", copy=False)
        holder.update(dict.fromkeys(outputs, alias))
    for index, column in enumerate(context.columns):
        value = _typed(column, names.column(output_name(index), holder[index]), context.dialect)
        select.select(_as(value, output_name(index)), copy=False)
    return select


def _raw_aggregate(context: AggregateContext, pieces: Pieces, index: int) -> exp.Expression:
    column = context.columns[index]
    value = _in_window(pieces, column, names.column(measure_name(context.measure_index(column))))
    function = column.aggregation.function
    if function == "count_distinct":
        return exp.Count(this=exp.Distinct(expressions=[value]))
    measure = context.measure_index(column)
    if function == "avg" and measure not in context.split_measures:
        return exp.Avg(this=value)  # of integers: exact, as integer sums are
    if function in ("sum", "avg"):
        added = [_in_window(pieces, column, row_value(context, stat, measure, None, pieces.split))
                 for stat in ("s", "r")]
        total = group_sum(context, column, *added)
        return total if function == "sum" else _ratio(total, exp.Count(this=value.copy()))
    return _RAW[function](value)


_RAW: Mapping[str, Callable[[exp.Expression], exp.Expression]] = {
    "count": lambda v: exp.Count(this=v),
    "stddev": lambda v: exp.StddevSamp(this=v),
    "min": lambda v: exp.Min(this=v),
    "max": lambda v: exp.Max(this=v),
}


def _stats_aggregate(context: AggregateContext, pieces: Pieces, index: int) -> exp.Expression:
    column = context.columns[index]
    measure = context.measure_index(column)

    def total(stat: str) -> exp.Expression:
        return _in_window(pieces, column, names.column(stat_name(stat, measure)))

    function = column.aggregation.function
    if function == "count":
        return exp.Sum(this=total("n"))
    if function in ("sum", "avg"):
        summed = group_sum(context, column, total("s"), total("r"))
        return summed if function == "sum" else _ratio(summed, exp.Sum(this=total("n")))
    if function == "min":
        return exp.Min(this=total("lo"))
    if function == "max":
        return exp.Max(this=total("hi"))
    return _stddev(context, pieces, index, measure)


def _stddev(context: AggregateContext, pieces: Pieces, index: int, measure: int) -> exp.Expression:
    """Sample standard deviation from tile summaries: ``sqrt(M2 / (n - 1))`` where
    ``M2 = sum(q_j + n_j * (mean_j - mean)^2)``, the parallel form, free of the cancellation of
    ``sum(x^2) - sum(x)^2 / n``."""
    column = context.columns[index]
    n, s, r, q = (names.column(stat_name(stat, measure)) for stat in ("n", "s", "r", "q"))
    mean = _ratio(names.column(f"_vfs_ms{index}"), names.column(f"_vfs_mn{index}"))
    deviation = exp.Sub(this=_ratio(piece_total(context, measure, s, r), n.copy()), expression=mean)
    squared = exp.Pow(this=deviation, expression=exp.Literal.number(2))
    term = exp.Add(this=q, expression=exp.Mul(this=n.copy(), expression=squared))
    present = n.copy() > exp.Literal.number(0)
    flag = _flag(pieces, column)
    condition = present if flag is None else exp.and_(flag, present, copy=False)
    m2 = exp.Sum(this=exp.Case(ifs=[exp.If(this=condition, true=term)]))
    count = exp.Sum(this=_in_window(pieces, column, n.copy()))
    spread = exp.Div(this=m2, expression=exp.paren(exp.Sub(this=count, expression=exp.Literal.number(1))))
    return exp.Case(ifs=[exp.If(this=count.copy() > exp.Literal.number(1), true=exp.Sqrt(this=spread))])


def _with_means(context: AggregateContext, pieces: Pieces, outputs: Sequence[int]) -> exp.Select:
    """The pieces, plus for each stddev its row's sum and count in its window."""
    by_row = exp.Window(partition_by=[names.column(names.ROW)])
    columns: list[exp.Expression] = [exp.Star()]
    for index in outputs:
        column = context.columns[index]
        measure = context.measure_index(column)
        def summed(stat: str, column: AggregateColumn = column, measure: int = measure) -> exp.Window:
            value = _in_window(pieces, column, names.column(stat_name(stat, measure)))
            exact = stat == "s" and measure in context.split_measures
            window = by_row.copy()
            window.set("this", sum_exact(value, context.dialect) if exact else exp.Sum(this=value))
            return window

        total = piece_total(context, measure, summed("s"), summed("r"))
        columns += [_as(total, f"_vfs_ms{index}"), _as(summed("n"), f"_vfs_mn{index}")]
    return exp.select(*columns, copy=False).from_(names.table(pieces.table), copy=False)


def _newest(context: AggregateContext, pieces: Pieces, index: int) -> exp.Select:
    """The measure's value on the newest qualifying row per entity row: ``last``."""
    column = context.columns[index]
    measure = context.measure_index(column)
    conditions = [flag for flag in (_flag(pieces, column),) if flag is not None]
    if column.aggregation.filter is not None:
        conditions.append(names.column(passes_name(measure)).eq(exp.Literal.number(1)))
    order = [exp.Ordered(this=names.column(c), desc=True, nulls_first=False) for c in pieces.order]
    rank = exp.Window(this=exp.RowNumber(), partition_by=[names.column(names.ROW)],
                      order=exp.Order(expressions=order))
    select = exp.select(names.column(names.ROW), _as(names.column(measure_name(measure)), output_name(index)),
                        copy=False).from_(names.table(pieces.table), copy=False)
    if conditions:
        select = select.where(exp.and_(*conditions, copy=False), copy=False)
    return select.qualify(rank.eq(1), copy=False)


def _flag(pieces: Pieces, column: AggregateColumn) -> exp.Expression | None:
    window = column.aggregation.window
    if window not in pieces.flagged:
        return None
    return names.column(flag_name(window))


def _in_window(pieces: Pieces, column: AggregateColumn, value: exp.Expression) -> exp.Expression:
    flag = _flag(pieces, column)
    return value if flag is None else exp.Case(ifs=[exp.If(this=flag, true=value)])


def _ratio(numerator: exp.Expression, denominator: exp.Expression) -> exp.Expression:
    """``numerator / denominator`` in floating point, null when the denominator is 0."""
    nonzero = exp.Nullif(this=denominator, expression=exp.Literal.number(0))
    return exp.Div(this=exp.cast(numerator, "DOUBLE"), expression=nonzero, typed=True)


def _typed(column: AggregateColumn, value: exp.Expression, dialect: str) -> exp.Expression:
    if column.aggregation.function in COUNTS:
        value = exp.Coalesce(this=value, expressions=[exp.Literal.number(0)])
    dtype = column.dtype or FUNCTIONS[column.aggregation.function][1]
    if dtype is None:  # an input-typed function whose input type was not given
        return value
    return exp.Cast(this=value, to=sql_type(dtype, dialect))


def _grouped(table: str, projections: list[exp.Expression]) -> exp.Select:
    row = names.column(names.ROW)
    return (
        exp.select(row, *projections, copy=False)
        .from_(names.table(table), copy=False)
        .group_by(row.copy(), copy=False)
    )


def _entities(context: AggregateContext) -> exp.Table:
    table = context.entities.table.copy()
    table.set("alias", exp.TableAlias(this=names.identifier(names.ENTITY)))
    return table


def _as(value: exp.Expression, name: str) -> exp.Alias:
    return exp.alias_(value, names.identifier(name), copy=False)
