"""Masked output columns: PII values replaced inside the SQL, so they never leave the warehouse.

``hash``: ``sha256_hex(CAST(value AS VARCHAR))``, the SHA-256 of the value's text as 64 lower-case
hex digits (null stays null) — deterministic, so masked keys still join and count; ``null``: a
null of the column's type. The same digest as ``hashlib.sha256(str(value).encode()).hexdigest()``
(``virtualfs.access.masking``), so an online read masks to the same text as a training frame.

>>> from virtualfs.compile.names import alias, column
>>> from virtualfs.compile.request import ColumnMask
>>> from virtualfs.dialects.render import to_sql
>>> [to_sql(p, "postgres") for p in masked_projections(
...     [alias(column("email"), "email")], [ColumnMask("email", "hash")], "postgres")]
['ENCODE(SHA256(CONVERT_TO(CAST("email" AS VARCHAR), \\'UTF8\\')), \\'hex\\') AS "email"']
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from virtualfs.compile.request import ColumnMask
from virtualfs.dialects import dialect as dialect_of


def build_mask(value: exp.Expression, mask: ColumnMask, dialect: str) -> exp.Expression:
    """``value`` masked by ``mask`` in ``dialect``."""
    if mask.method == "hash":
        text = exp.Cast(this=value, to=exp.DataType.build("VARCHAR"))
        return dialect_of(dialect).sha256_hex(text)
    if mask.dtype is None:
        return exp.Null()
    stored = exp.DataType.build(dialect_of(dialect).stored_type(mask.dtype), dialect=dialect)
    return exp.Cast(this=exp.Null(), to=stored)


def masked_projections(projections: Sequence[exp.Expression], masks: Sequence[ColumnMask],
                       dialect: str) -> list[exp.Expression]:
    """``projections`` with each ``x AS "output"`` that ``masks`` names masked."""
    by_output = {mask.output: mask for mask in masks}
    out = []
    for projection in projections:
        mask = by_output.get(projection.alias_or_name) if isinstance(projection, exp.Alias) else None
        if mask is not None:
            projection = exp.Alias(this=build_mask(projection.this, mask, dialect),
                                   alias=projection.args["alias"].copy())
        out.append(projection)
    return out
