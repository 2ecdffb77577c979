"""Sums of measures that come out the same bits every run (``dialects.sums``).

A measure known to hold integers (``AggregateContext.integer_measures``) is added up as it is:
integer sums are exact in any order. Any other measure that is added up (``split_measures``)
is split into its exact part and its rest, and the two are added up apart: tiles keep them as
the summaries ``s`` (exact) and ``r`` (rest), and a group's total is the exact sum converted to
a double once, plus the rest. Where a row is split costs: the range join's scan splits each
source row once into ``_vfs_x<i>`` and ``_vfs_y<i>`` (it then pairs rows with many labels); the
tiled formulation splits each row as a tile summarises it, and each raw row it pairs with a
label (most source rows are never paired).

Kept tiles are planned without types, so they split every measure they add up; an integer's
rest is always null there (every int64 is in range), so an integer read of them ignores it.
"""

from __future__ import annotations

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.aggregate.spec import AggregateColumn, AggregateContext, measure_name
from virtualfs.dialects.sums import exact_part, float_total, rest_part, sum_exact


def exact_name(index: int) -> str:
    """The scan column holding measure ``index``'s exact part."""
    return f"_vfs_x{index}"


def rest_name(index: int) -> str:
    """The scan column holding measure ``index``'s rest."""
    return f"_vfs_y{index}"


def split_columns(context: AggregateContext, index: int, value: exp.Expression) -> list[exp.Expression]:
    """The scan's exact part and rest of measure ``index`` (``value``), when it is split."""
    if index not in context.split_measures:
        return []
    return [names.alias(exact_part(value, context.dialect), exact_name(index)),
            names.alias(rest_part(value), rest_name(index))]


def row_summary(context: AggregateContext, stat: str, measure: int, table: str) -> exp.Expression:
    """The aggregate computing summary ``stat`` of ``measure`` over rows of ``table`` (a scan)."""
    value = names.column(measure_name(measure), table)
    if stat == "n":
        return exp.Count(this=value)
    if stat == "s" and measure not in context.split_measures:
        return exp.Sum(this=value)
    if stat == "s":
        return sum_exact(exact_part(value, context.dialect), context.dialect)
    if stat == "r":
        return exp.Sum(this=rest_part(value))
    if stat == "lo":
        return exp.Min(this=value)
    if stat == "hi":
        return exp.Max(this=value)
    # squared deviations from the tile's own mean: exact to rounding, whatever the magnitude
    return exp.Mul(this=exp.VariancePop(this=value), expression=exp.Count(this=value.copy()))


def row_value(context: AggregateContext, stat: str, measure: int, table: str | None,
              split: bool) -> exp.Expression:
    """What one row of ``table`` adds to summary ``s`` or ``r``: its exact part or rest (the
    columns of a splitting scan when ``split``, else computed here), or, for an integer
    measure, the value."""
    value = names.column(measure_name(measure), table)
    if measure not in context.split_measures:
        return value
    if split:
        return names.column(exact_name(measure) if stat == "s" else rest_name(measure), table)
    return exact_part(value, context.dialect) if stat == "s" else rest_part(value)


def group_sum(context: AggregateContext, column: AggregateColumn, values: exp.Expression,
              rests: exp.Expression) -> exp.Expression:
    """The aggregate adding up a group: ``values`` are the rows' (or tiles') exact parts or, for
    an integer measure, the values themselves; ``rests`` their rests (unread for integers)."""
    if context.measure_index(column) not in context.split_measures:
        return exp.Sum(this=values)
    return float_total(sum_exact(values, context.dialect), exp.Sum(this=rests))


def piece_total(context: AggregateContext, measure: int, exact: exp.Expression,
                rest: exp.Expression) -> exp.Expression:
    """A piece's (or a window's) sum as a number, from its ``s`` and ``r``."""
    return float_total(exact, rest) if measure in context.split_measures else exact
