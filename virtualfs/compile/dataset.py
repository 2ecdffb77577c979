"""Queries over a saved dataset's table: its fingerprint, and how a rebuild differs from it.

**Fingerprint** (:func:`build_fingerprint`), one query: the row count, per column the count of
values that are not null, and a **content hash**. Each row is written out as text, its values
in column order in the canonical encoding of ``dialects.canonical`` (the same text on every
warehouse), and hashed with MD5; the first 64 bits of those hashes are summed over all rows
(as two 32-bit halves, exactly, in ``DECIMAL(38, 0)``) and :func:`content_hash` takes the sum
modulo 2^64. A sum does not depend on the order of the rows, counts a duplicated row twice, and
changes when any value of any row does. ``_vfs_row`` (the row's input position) is not hashed.

**Differences** (:func:`build_differences`): the saved rows and the rebuilt ones joined on
``_vfs_row``, and per column how many rows differ (a row missing on one side differs in every
column), in the warehouse.

>>> content_hash("1", "2")
'0000000100000002'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.dialects.canonical import Kind, float_exponent, float_exponent_guess, hex_integer, value_text

ROWS, HASH = "_vfs_rows", "_vfs_h"
SAVED, REBUILT = "_vfs_saved", "_vfs_rebuilt"
_STAGES = ("_vfs_values", "_vfs_exponents", "_vfs_hashed")
_HALVES = 2  # 32 bits each: a 64-bit hash per row


@dataclass(frozen=True)
class DataColumn:
    """A column of a dataset's table, named as the warehouse stores it, and its kind."""

    name: str
    kind: Kind


def build_fingerprint(table: exp.Table, columns: Sequence[DataColumn], dialect: str) -> exp.Select:
    """``SELECT _vfs_rows, _vfs_h0, _vfs_h1, _vfs_n<i> FROM table``: the row count, the two
    halves of the hash sum (as text: exact on every driver), and each column's non-null count."""
    values = exp.select(*(names.alias(_typed(c), value_name(i)) for i, c in enumerate(columns)), copy=False)
    values.select(*(names.alias(float_exponent_guess(_typed(c)), _guess(i))
                    for i, c in enumerate(columns) if c.kind == "float"), copy=False)
    values = _stage(values, table.copy())
    exponents = exp.select(exp.Star(), *(names.alias(float_exponent(names.column(value_name(i)),
                                                                      names.column(_guess(i))), _exponent(i))
                                         for i, c in enumerate(columns) if c.kind == "float"), copy=False)
    hashed = exp.select(names.alias(exp.MD5(this=_row_text(columns, dialect)), HASH),
                        *(names.column(value_name(i)) for i in range(len(columns))), copy=False)
    outer = exp.select(names.alias(exp.Count(this=exp.Star()), ROWS), copy=False)
    for half in range(_HALVES):
        digits = exp.Substring(this=names.column(HASH), start=exp.Literal.number(8 * half + 1),
                               length=exp.Literal.number(8))
        total = exp.Sum(this=exp.cast(hex_integer(digits, dialect), exp.DataType.build("DECIMAL(38, 0)")))
        outer.select(names.alias(exp.cast(total, "VARCHAR"), half_name(half)), copy=False)
    outer.select(*(names.alias(exp.Count(this=names.column(value_name(i))), count_name(i))
                   for i in range(len(columns))), copy=False)
    stages = [(_STAGES[0], values), (_STAGES[1], _stage(exponents, names.table(_STAGES[0]))),
              (_STAGES[2], _stage(hashed, names.table(_STAGES[1])))]
    outer = _stage(outer, names.table(_STAGES[2]))
    outer.set("with_", exp.With(expressions=[
        exp.CTE(this=query, alias=exp.TableAlias(this=names.identifier(name))) for name, query in stages]))
    return outer


def build_differences(saved: exp.Table, rebuilt: exp.Table, columns: Sequence[str]) -> exp.Select:
    """``SELECT _vfs_saved, _vfs_rebuilt, _vfs_d<i>``: rows on each side, and per column the rows
    (matched on ``_vfs_row``) whose value differs or that one side lacks."""
    one_side = exp.or_(names.column(names.ROW, SAVED).is_(exp.null()),
                       names.column(names.ROW, REBUILT).is_(exp.null()), copy=False)
    projections = [names.alias(exp.Count(this=names.column(names.ROW, side)), side)
                   for side in (SAVED, REBUILT)]
    for index, column in enumerate(columns):
        differs = exp.NullSafeNEQ(this=names.column(column, SAVED), expression=names.column(column, REBUILT))
        flagged = exp.Case(ifs=[exp.If(this=exp.or_(one_side.copy(), differs, copy=False),
                                       true=exp.Literal.number(1))])
        projections.append(names.alias(exp.Count(this=flagged), difference_name(index)))
    on = names.column(names.ROW, SAVED).eq(names.column(names.ROW, REBUILT))
    return (exp.select(*projections, copy=False).from_(_aliased(saved, SAVED), copy=False)
            .join(_aliased(rebuilt, REBUILT), on=on, join_type="FULL OUTER", copy=False))


def content_hash(high: str | None, low: str | None) -> str:
    """The content hash from the two sums :func:`build_fingerprint` returns: 16 hex digits."""
    total = (int(high or 0) << 32) + int(low or 0)
    return f"{total % 2 ** 64:016x}"


def value_name(index: int) -> str:
    return f"_vfs_c{index}"


def half_name(half: int) -> str:
    return f"{HASH}{half}"


def count_name(index: int) -> str:
    return f"_vfs_n{index}"


def difference_name(index: int) -> str:
    return f"_vfs_d{index}"


def _row_text(columns: Sequence[DataColumn], dialect: str) -> exp.Expression:
    texts = [value_text(names.column(value_name(i)), c.kind, dialect,
                        names.column(_exponent(i)) if c.kind == "float" else None)
             for i, c in enumerate(columns)]
    row = texts[0]
    for text in texts[1:]:
        row = exp.DPipe(this=exp.DPipe(this=row, expression=exp.Literal.string("|")), expression=text)
    return row


def _typed(column: DataColumn) -> exp.Expression:
    value = names.column(column.name)
    # a float column may be stored as a decimal (PostgreSQL numeric): hashed as the double it reads as
    return exp.cast(value, "DOUBLE") if column.kind == "float" else value


def _stage(select: exp.Select, source: exp.Table) -> exp.Select:
    return select.from_(source, copy=False)


def _aliased(table: exp.Table, alias: str) -> exp.Table:
    aliased = table.copy()
    aliased.set("alias", exp.TableAlias(this=names.identifier(alias)))
    return aliased


def _guess(index: int) -> str:
    return f"_vfs_g{index}"


def _exponent(index: int) -> str:
    return f"_vfs_e{index}"
