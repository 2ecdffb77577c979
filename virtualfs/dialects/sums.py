"""Sums that come out the same, bit for bit, however the warehouse orders the additions.

Floating-point addition is not associative, and a warehouse adds a column's values in whatever
order its threads finish (DuckDB's parallel ``SUM`` of a double differs from run to run in the
last digits). So every value a ``sum``, ``avg`` or ``stddev`` adds up is split in two:

- its **exact part**: the value in the dialect's fixed-point type (``Dialect.exact_sum_type``,
  ``DECIMAL(38, 12)``: rounded to 12 decimal places), where addition is exact and so does not
  depend on order; ``0`` for a value that is not in range;
- its **rest**: the value itself when it is out of that range (``|v| >= 2^63``, infinities,
  NaN), else null. Only such values are still added in floating point.

The total of a group is then ``double(sum of exact parts) + (sum of rests, or 0)``: for values
under ``2^63`` in magnitude (every int64 among them), a function of the rows alone. The exact
type keeps 26 integer digits: ten million values near ``2^63`` still sum without overflow.

>>> from virtualfs.dialects.render import to_sql
>>> to_sql(exact_part(exp.column("x"), "duckdb"), "duckdb")
'CASE WHEN ABS("x") < 9223372036854775808 THEN CAST("x" AS DECIMAL(38, 12)) WHEN NOT "x" IS NULL THEN 0 END'
"""

from __future__ import annotations

from sqlglot import exp

from virtualfs.dialects import dialect as dialect_of

# Every int64 is below it, so that integers are never split; DECIMAL(38, 12) holds sums to 10^26.
BOUND = 2**63


def exact_part(value: exp.Expression, dialect: str) -> exp.Expression:
    """``value`` in the exact type when it is in range, ``0`` when it is not, null when null."""
    present = exp.not_(value.copy().is_(exp.null()))
    return exp.Case(ifs=[exp.If(this=_in_range(value), true=exp.Cast(this=value.copy(), to=_exact(dialect))),
                         exp.If(this=present, true=exp.Literal.number(0))])


def sum_exact(parts: exp.Expression, dialect: str) -> exp.Sum:
    """``SUM(CAST(parts AS <exact type>))``: the sum of exact parts (or of sums of them), typed
    as exact whatever the branches of ``parts`` are (Snowflake's emulator sums anything else
    as DOUBLE)."""
    return exp.Sum(this=exp.Cast(this=parts, to=_exact(dialect)))


def rest_part(value: exp.Expression) -> exp.Expression:
    """``value`` when it is out of range (too large, infinite, NaN: never less than the bound),
    else null."""
    return exp.Case(ifs=[exp.If(this=exp.not_(_in_range(value)), true=value.copy())])


def float_total(exact_sum: exp.Expression, rest_sum: exp.Expression) -> exp.Expression:
    """The total of a group as a double: null when it had no values."""
    rest = exp.Coalesce(this=rest_sum, expressions=[exp.Literal.number(0)])
    return exp.Add(this=exp.cast(exact_sum, "DOUBLE"), expression=rest)


def _exact(dialect: str) -> exp.DataType:
    return exp.DataType.build(dialect_of(dialect).exact_sum_type, dialect=dialect)


def _in_range(value: exp.Expression) -> exp.Expression:
    return exp.LT(this=exp.Abs(this=value.copy()), expression=exp.Literal.number(BOUND))
