"""Times as integers: microseconds since the epoch, and tile numbers, per dialect (as data).

The tiled formulation compares times as BIGINT microseconds: exact at the precision of DuckDB,
PostgreSQL and of everything virtualfs uploads, the same for naive and zone-aware columns, and
cheap (DuckDB converts a naive TIMESTAMP to TIMESTAMPTZ row by row when the two are compared).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from types import MappingProxyType

from sqlglot import exp

from virtualfs.errors import UnsupportedError

_MILLION = 1_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _duckdb(value: exp.Expression) -> exp.Expression:
    return exp.UnixMicros(this=value)


def _postgres(value: exp.Expression) -> exp.Expression:
    # EXTRACT(EPOCH ...) is an exact numeric on PostgreSQL 14+, naive values read as UTC
    seconds = exp.Extract(this=exp.var("EPOCH"), expression=value)
    return exp.cast(exp.Mul(this=seconds, expression=exp.Literal.number(_MILLION)), "BIGINT")


def _snowflake(value: exp.Expression) -> exp.Expression:
    return exp.Extract(this=exp.var("EPOCH_MICROSECOND"), expression=value)


EPOCH_MICROS: Mapping[str, Callable[[exp.Expression], exp.Expression]] = MappingProxyType({
    "duckdb": _duckdb,
    "postgres": _postgres,
    "snowflake": _snowflake,
})
# Dialects whose ``//`` on BIGINT is an exact integer division (DuckDB truncates toward zero).
INTEGER_DIVISION = frozenset({"duckdb"})


def supports_epoch_micros(dialect: str) -> bool:
    """Whether times can be turned into integer microseconds in ``dialect``."""
    return dialect in EPOCH_MICROS


def epoch_micros(value: exp.Expression, dialect: str) -> exp.Expression:
    """``value`` (a timestamp, naive = UTC) as BIGINT microseconds since the epoch."""
    try:
        build = EPOCH_MICROS[dialect]
    except KeyError:
        raise UnsupportedError(f"{dialect}: no epoch-microseconds expression is known") from None
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
    if dialect in INTEGER_DIVISION:
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
