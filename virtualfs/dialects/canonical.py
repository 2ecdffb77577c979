"""One text per value, the same in every dialect: what content hashes are taken of.

Equal data must hash equal on DuckDB, PostgreSQL and Snowflake, so no value may be turned into
text by a warehouse's own formatting (which differs for floats and times). Each kind of column
has an encoding every dialect computes from numbers and plain strings alone:

| kind      | text                                                         | example      |
|-----------|--------------------------------------------------------------|--------------|
| null      | ``N``                                                        | ``N``        |
| int       | the decimal digits                                           | ``-42``      |
| float     | ``<m>p<e>``: exactly ``m * 2^(e - 52)``, ``m`` a 53-bit integer  | ``6755399441055744p-1`` |
|           | (and ``0``, ``nan``, ``inf``, ``-inf``)                      | (that is 0.75) |
| string    | ``<length>:<text>`` (length in characters: never ambiguous)  | ``3:a|b``    |
| bool      | ``1`` or ``0``                                               | ``1``        |
| timestamp | microseconds since the epoch, UTC                            | ``0``        |
| date      | its midnight, as a timestamp                                 |              |
| other     | the warehouse's own text of it, as a string (not portable)   |              |

A float's exponent is found from its logarithm (``e0 = floor(ln|v| / ln 2)``), which may be
one off near a power of two, and then corrected exactly (``|v| / 2^e0`` must be in ``[1, 2)``);
scaling by powers of two is exact, so ``m`` is exact. The three steps are separate functions,
to be computed in turn (each reads the previous one's column), keeping the SQL small.
"""

from __future__ import annotations

from typing import Literal

from sqlglot import exp

from virtualfs.dialects import dialect as dialect_of
from virtualfs.dialects.times import epoch_micros

Kind = Literal["int", "float", "string", "bool", "timestamp", "date", "other"]
NULL_TEXT = "N"
_LARGEST = "1.7976931348623157e308"  # the largest finite double: anything above is inf or NaN
_HEX = "0123456789abcdef"


def value_text(value: exp.Expression, kind: Kind, dialect: str,
               exponent: exp.Expression | None = None) -> exp.Expression:
    """The canonical text of ``value`` (never null); a float needs its :func:`float_exponent`."""
    if kind == "float":
        if exponent is None:
            raise ValueError("a float's text needs its exponent (float_exponent)")
        text = _float_text(value, exponent)
    elif kind == "int":
        text = _text(value)
    elif kind == "bool":
        text = exp.Case(ifs=[exp.If(this=value.copy(), true=exp.Literal.string("1"))],
                        default=exp.Literal.string("0"))
    elif kind in ("timestamp", "date"):
        instant = value.copy() if kind == "timestamp" else exp.cast(value.copy(), "TIMESTAMP")
        text = _text(epoch_micros(instant, dialect))
    else:
        chars = value.copy() if kind == "string" else exp.cast(value.copy(), "VARCHAR")
        length = _text(exp.Length(this=chars.copy()))
        text = exp.DPipe(this=exp.DPipe(this=length, expression=exp.Literal.string(":")), expression=chars)
    missing = exp.Is(this=value.copy(), expression=exp.Null())
    return exp.Case(ifs=[exp.If(this=missing, true=exp.Literal.string(NULL_TEXT))], default=text)


def float_exponent_guess(value: exp.Expression) -> exp.Expression:
    """``floor(ln|v| / ln 2)`` for a finite non-zero ``v`` (else null): the exponent, maybe one off."""
    magnitude = exp.Abs(this=value.copy())
    guess = exp.Floor(this=exp.Div(this=exp.Ln(this=magnitude.copy()),
                                   expression=exp.Ln(this=exp.Literal.number(2))))
    # within a double's exponents, so that 2^guess is a finite, non-zero double
    kept = exp.Greatest(this=exp.Least(this=guess, expressions=[exp.Literal.number(1023)]),
                        expressions=[exp.Literal.number(-1074)])
    return exp.Case(ifs=[exp.If(this=_finite_non_zero(value), true=kept)])


def float_exponent(value: exp.Expression, guess: exp.Expression) -> exp.Expression:
    """The exact exponent ``e`` of ``v`` (``2^e <= |v| < 2^(e+1)``) from its ``guess``."""
    scaled = exp.paren(exp.Div(this=exp.Abs(this=value.copy()), expression=_power_of_two(guess.copy())))
    above = exp.If(this=scaled >= exp.Literal.number(2), true=exp.Literal.number(1))
    below = exp.If(this=scaled.copy() < exp.Literal.number(1), true=exp.Literal.number(-1))
    return exp.Add(this=guess.copy(), expression=exp.Case(ifs=[above, below], default=exp.Literal.number(0)))


def hex_integer(text: exp.Expression, dialect: str) -> exp.Expression:
    """Eight lower-case hex digits as an integer: the dialect's own way, else digit by digit."""
    own = dialect_of(dialect).hex_integer
    if own is not None:
        return own(text)
    total: exp.Expression = exp.Literal.number(0)
    for index in range(8):
        digit = exp.Substring(this=text.copy(), start=exp.Literal.number(index + 1),
                              length=exp.Literal.number(1))
        value = exp.paren(exp.Sub(this=exp.StrPosition(this=exp.Literal.string(_HEX), substr=digit),
                                  expression=exp.Literal.number(1)))
        weight = exp.Literal.number(16 ** (7 - index))
        total = exp.Add(this=total, expression=exp.Mul(this=value, expression=weight))
    return total


def _float_text(value: exp.Expression, exponent: exp.Expression) -> exp.Expression:
    shift = exp.paren(exp.Sub(this=exp.Literal.number(52), expression=exponent.copy()))
    half = exp.Floor(this=exp.Div(this=shift.copy(), expression=exp.Literal.number(2)))
    # 2^shift in two factors: each stays a finite double for every exponent a double has
    rest = exp.Sub(this=shift, expression=half.copy())
    mantissa = exp.Mul(this=exp.Mul(this=value.copy(), expression=_power_of_two(half)),
                       expression=_power_of_two(rest))
    finite = exp.DPipe(this=exp.DPipe(this=_text(mantissa), expression=exp.Literal.string("p")),
                       expression=_text(exponent.copy()))
    nan = exp.cast(exp.Literal.string("NaN"), "DOUBLE")
    positive = exp.If(this=value.copy() > exp.Literal.number(0), true=exp.Literal.string("inf"))
    special = exp.Case(ifs=[exp.If(this=value.copy().eq(nan), true=exp.Literal.string("nan")), positive],
                       default=exp.Literal.string("-inf"))
    zero = exp.If(this=value.copy().eq(exp.Literal.number(0)), true=exp.Literal.string("0"))
    infinite = exp.If(this=exp.Abs(this=value.copy()) > exp.Literal.number(_LARGEST), true=special)
    return exp.Case(ifs=[zero, infinite], default=finite)


def _finite_non_zero(value: exp.Expression) -> exp.Expression:
    return exp.and_(value.copy().neq(exp.Literal.number(0)),
                    exp.Abs(this=value.copy()) <= exp.Literal.number(_LARGEST), copy=False)


def _power_of_two(exponent: exp.Expression) -> exp.Expression:
    return exp.Pow(this=exp.cast(exp.Literal.number(2), "DOUBLE"), expression=exponent)


def _text(number: exp.Expression) -> exp.Expression:
    """An integer-valued number as its digits (through BIGINT: no decimal point, no exponent)."""
    return exp.cast(exp.cast(number, "BIGINT"), "VARCHAR")
