"""Time arithmetic: times as integer microseconds since the epoch, and tile numbers (each
dialect's own ``epoch_micros`` is in its module).

The tiled formulation compares times as BIGINT microseconds: exact at the precision of DuckDB,
PostgreSQL and of everything virtualfs uploads, the same for naive and zone-aware columns, and
cheap (DuckDB converts a naive TIMESTAMP to TIMESTAMPTZ row by row when the two are compared).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlglot import exp

from virtualfs.dialects import dialect as dialect_of
from virtualfs.errors import UnsupportedError

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def epoch_micros(value: exp.Expression, dialect: str) -> exp.Expression:
    """``value`` (a timestamp, naive = UTC) as BIGINT microseconds since the epoch."""
    build = dialect_of(dialect).epoch_micros
    if build is None:
        raise UnsupportedError(f"{dialect}: no epoch-microseconds expression is known")
    return build(value)


def micros(delta: timedelta) -> int:
    """A duration in whole microseconds."""
    return delta // timedelta(microseconds=1)


def tile_number(value: exp.Expression, size: timedelta, dialect: str) -> exp.Expression:
    """``value`` (integer microseconds) divided by ``size``, truncated toward zero, as BIGINT.

    ``(v - v % s) / s`` divides exactly in every dialect (no rounding of a decimal quotient, as
    Snowflake's ``/`` would do); DuckDB's ``//`` does the same, cheaper. Truncation toward zero
    is monotone, and every tile is at least ``size`` wide (tile 0 is twice as wide), which is
    all the tiled formulation relies on.
    """
    step = exp.Literal.number(micros(size))
    value = value if isinstance(value, (exp.Column, exp.Paren)) else exp.paren(value.copy(), copy=False)
    if dialect_of(dialect).integer_division:
        return exp.IntDiv(this=value, expression=step)
    whole = exp.Sub(this=value.copy(), expression=exp.Mod(this=value.copy(), expression=step.copy()))
    return exp.cast(exp.Div(this=exp.paren(whole, copy=False), expression=step, typed=True), "BIGINT")


def literal(delta: timedelta) -> exp.Literal:
    """``delta`` as an integer literal of microseconds."""
    return exp.Literal.number(micros(delta))


def instant_micros(value: datetime) -> int:
    """An instant (naive = UTC) in microseconds since the epoch."""
    return micros((value if value.tzinfo else value.replace(tzinfo=timezone.utc)) - EPOCH)


def instant_literal(value: datetime) -> exp.Literal:
    """An instant (naive = UTC) as an integer literal of microseconds since the epoch."""
    return exp.Literal.number(instant_micros(value))


def timestamp_literal(value: datetime) -> exp.Expression:
    """An instant as a naive ``TIMESTAMP`` literal in UTC (warehouse sessions run in UTC, and
    naive columns hold UTC); a naive ``value`` is taken as UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.build("TIMESTAMP"))


def zoned_timestamp_literal(value: datetime) -> exp.Expression:
    """An instant as a ``TIMESTAMPTZ`` literal (offset +00:00); a naive ``value`` is taken as UTC."""
    utc = value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return exp.cast(exp.Literal.string(utc.isoformat(sep=" ")), "TIMESTAMPTZ")
