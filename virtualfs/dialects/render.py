"""The one place a sqlglot tree becomes SQL text for a dialect."""

from __future__ import annotations

from sqlglot import exp


def to_sql(tree: exp.Expression, dialect: str, pretty: bool = False) -> str:
    """Render ``tree`` for ``dialect``; identifiers are quoted so case is kept as written."""
    return tree.sql(dialect=dialect, pretty=pretty, identify=True, unsupported_level="raise")
