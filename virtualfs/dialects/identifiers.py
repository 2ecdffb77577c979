"""Warehouse-side names: a name as a user writes it, resolved by the warehouse's own rules.

Users write ``table="orders"`` and ``timestamp="event_ts"`` the way they write SQL by hand.
Unquoted, such a name folds to upper case on Snowflake (``ORDERS``), to lower case on Postgres
and is case-insensitive on DuckDB; a name written with double quotes keeps its case. The helpers
below return identifiers already folded and marked quoted, so ``to_sql`` (which quotes every
identifier) sends exactly the name the warehouse stores.

Columns of an uploaded entity frame are not folded: they keep the frame's exact case
(:func:`frame_column`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from virtualfs.errors import RequestError
from virtualfs.sqltext import Fault, parse_table_name, request_fault

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


def warehouse_table(name: str, dialect: str, fault: Fault | None = None) -> exp.Table:
    """``[db.][schema.]table`` as ``dialect`` resolves it when written unquoted; a name that is
    not one raises ``fault``'s error (by default a RequestError about "table").

    >>> from virtualfs.dialects.render import to_sql
    >>> to_sql(warehouse_table("sales.orders", "snowflake"), "snowflake")
    '"SALES"."ORDERS"'
    >>> to_sql(warehouse_table('"Orders"', "postgres"), "postgres")
    '"Orders"'
    """
    table = parse_table_name(name, dialect, fault or request_fault("table"))
    return _quoted(normalize_identifiers(table, dialect=dialect))


def warehouse_column(name: str, dialect: str) -> exp.Identifier:
    """A warehouse column named ``name`` as ``dialect`` resolves it when written unquoted.

    >>> warehouse_column("event_ts", "snowflake").this
    'EVENT_TS'
    >>> warehouse_column("Event_TS", "postgres").this
    'event_ts'
    """
    identifier = exp.to_identifier(name)
    if identifier.quoted:  # not a plain identifier: no folding, like a quoted name in SQL
        return identifier
    return _quoted(normalize_identifiers(identifier, dialect=dialect))


def frame_column(name: str) -> exp.Identifier:
    """A column of an uploaded entity frame: exact case, always quoted.

    >>> frame_column("userId").sql()
    '"userId"'
    """
    return exp.to_identifier(name, quoted=True)


def temp_table(name: str, max_length: int = 255, db: str | None = None) -> exp.Table:
    """Exact-case reference to temporary table ``name``, a plain identifier of ``max_length``.

    >>> temp_table("_vfs_entities", db="pg_temp").sql()
    '"pg_temp"."_vfs_entities"'
    """
    if not _PLAIN.fullmatch(name) or len(name.encode()) > max_length:
        raise RequestError(
            f"temporary table name {name!r}: expected a letter or _ then letters, digits or _, "
            f"at most {max_length} bytes"
        )
    return exp.table_(frame_column(name), db=frame_column(db) if db else None)


def resolve_column(name: str, available: Iterable[str], dialect: str) -> str | None:
    """The name among ``available`` (as ``schema_of`` reports them) that ``name`` refers to.

    The warehouse's own folding wins; otherwise the one name equal to ``name`` ignoring case;
    ``None`` when nothing matches or the match is ambiguous.

    >>> resolve_column("event_ts", ["ID", "EVENT_TS"], "snowflake")
    'EVENT_TS'
    >>> resolve_column("amount", ["Amount"], "postgres")
    'Amount'
    """
    names = list(available)
    folded = warehouse_column(name, dialect).this
    for candidate in (folded, name):
        if candidate in names:
            return candidate
    matches = [n for n in names if n.lower() == name.lower()]
    return matches[0] if len(matches) == 1 else None


def _quoted(tree: exp.Expression) -> exp.Expression:
    for identifier in tree.find_all(exp.Identifier):
        identifier.set("quoted", True)
    return tree
