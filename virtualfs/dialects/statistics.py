"""How each dialect computes a profile's distinct counts and quantiles: small builders the
dialect modules pick from (``Dialect.statistics``), each with the name profiles print for it.

Quantiles are continuous (linear interpolation between the two nearest values) on every
dialect declared here, so DuckDB, PostgreSQL and Snowflake agree to rounding. Where a dialect
computes all fractions in one aggregate (a list or an array), each quantile picks its item, and
the warehouse computes the aggregate once (identical aggregates are shared).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlglot import exp


@dataclass(frozen=True)
class Statistics:
    """A dialect's distinct count and quantiles, with the names a profile shows for them."""

    distinct: Callable[[exp.Expression], exp.Expression]
    distinct_method: str
    quantiles: Callable[[exp.Expression, Sequence[float]], list[exp.Expression]]
    quantile_method: str


def exact_distinct(value: exp.Expression) -> exp.Expression:
    """``COUNT(DISTINCT value)``."""
    return exp.Count(this=exp.Distinct(expressions=[value]))


def approximate_distinct(value: exp.Expression) -> exp.Expression:
    """``APPROX_COUNT_DISTINCT(value)`` (HyperLogLog)."""
    return exp.ApproxDistinct(this=value)


def quantile_list(value: exp.Expression, fractions: Sequence[float]) -> list[exp.Expression]:
    """DuckDB: ``QUANTILE_CONT(value, [f1, f2, ...])[i]``, one aggregate for every fraction."""
    every = exp.PercentileCont(this=value, expression=_fractions(fractions))
    return [exp.Bracket(this=every.copy(), expressions=[exp.Literal.number(i + 1)])
            for i in range(len(fractions))]


def percentile_array(value: exp.Expression, fractions: Sequence[float]) -> list[exp.Expression]:
    """PostgreSQL: ``(PERCENTILE_CONT(ARRAY[f1, ...]) WITHIN GROUP (ORDER BY value))[i]``."""
    every = exp.Paren(this=_within_group(exp.PercentileCont(this=_fractions(fractions)), value))
    return [exp.Bracket(this=every.copy(), expressions=[exp.Literal.number(i + 1)])
            for i in range(len(fractions))]


def percentile_each(value: exp.Expression, fractions: Sequence[float]) -> list[exp.Expression]:
    """Snowflake: ``PERCENTILE_CONT(f) WITHIN GROUP (ORDER BY value)`` per fraction."""
    return [_within_group(exp.PercentileCont(this=exp.Literal.number(f)), value.copy()) for f in fractions]


def _within_group(function: exp.Expression, value: exp.Expression) -> exp.WithinGroup:
    return exp.WithinGroup(this=function, expression=exp.Order(expressions=[exp.Ordered(this=value)]))


def _fractions(fractions: Sequence[float]) -> exp.Array:
    return exp.Array(expressions=[exp.Literal.number(f) for f in fractions])
