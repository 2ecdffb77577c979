"""The one place a sqlglot tree becomes SQL text for a dialect."""

from __future__ import annotations

from sqlglot import exp

from virtualfs.dialects import KNOWN
from virtualfs.dialects import dialect as dialect_of


def to_sql(tree: exp.Expression, dialect: str, pretty: bool = False, identify: bool = True) -> str:
    """Render ``tree`` for ``dialect``; identifiers are quoted so case is kept as written (with
    ``identify=False`` only those marked quoted: SQL as a user writes it, names left to fold)."""
    if dialect in KNOWN:
        dialect_of(dialect)  # imported: a dialect module may extend sqlglot's (spark)
    return tree.sql(dialect=dialect, pretty=pretty, identify=identify, unsupported_level="raise")
