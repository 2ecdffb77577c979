"""The one place a sqlglot tree becomes SQL text for a dialect."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import ErrorLevel
from sqlglot.errors import UnsupportedError as SqlglotUnsupported

from virtualfs.dialects import KNOWN
from virtualfs.dialects import dialect as dialect_of
from virtualfs.errors import UnsupportedError


def to_sql(tree: exp.Expression, dialect: str, pretty: bool = False, identify: bool = True) -> str:
    """Render ``tree`` for ``dialect``; identifiers are quoted so case is kept as written (with
    ``identify=False`` only those marked quoted: SQL as a user writes it, names left to fold).

    What the dialect cannot say is an UnsupportedError, never SQL that means something else
    (sqlglot would otherwise drop, say, ``IGNORE NULLS`` for PostgreSQL with a warning).
    """
    if dialect in KNOWN:
        dialect_of(dialect)  # imported: a dialect module may extend sqlglot's (spark)
    try:
        return tree.sql(dialect=dialect, pretty=pretty, identify=identify, unsupported_level=ErrorLevel.RAISE)
    except SqlglotUnsupported as error:
        raise UnsupportedError(f"{dialect}: {error}") from None
