"""Internal SQL names of compiled retrievals: deterministic, prefixed ``_vfs_``.

Same request, same names, byte-identical SQL. User-defined names never start with ``_vfs_``
(definitions refuse the prefix), so these cannot collide with a source or entity column.
"""

from __future__ import annotations

from sqlglot import exp

ENTITIES = "_vfs_entities"  # the uploaded (or warehouse-built) entity rows
ENTITY = "_vfs_entity"      # its alias in a query
ENTITY_ROWS = "_vfs_entity_rows"  # the entity rows with their time as naive UTC (``_vfs_time``)
TIME = "_vfs_time"
ROW = "_vfs_row"            # the entity row's position: output order, and what parts join on
BOUNDS = "_vfs_bounds"      # min and max entity time, for pruning source scans
LOW, HIGH = "_vfs_low", "_vfs_high"
SOURCE = "_vfs_source"      # a source table or query inside a scan
QUERY = "_vfs_query"        # entity rows given as a query, inside the statement numbering them
EVENT = "_vfs_event"        # e: when the row happened
CREATED = "_vfs_created"    # c: when the row landed
KNOWN = "_vfs_known"        # greatest(e, c): when the row became known
ORDER = "_vfs_order"        # (e, c) packed into one sortable number
RANK = "_vfs_rank"
RANKED = "_vfs_ranked"      # a latest-row query's ranked rows
KEYS = "_vfs_keys"          # an uploaded table of wanted entity keys (as text)
SNAPSHOT_KEYS = "_vfs_snapshot_keys"  # every key a snapshot computes, numbered
AS_OF = "_vfs_asof"         # the time a snapshot is taken at


def key_column(index: int) -> str:
    """The ``index``-th join key column of an uploaded key table (values as text)."""
    return f"_vfs_k{index}"


def scan_name(index: int) -> str:
    """The CTE holding view ``index``'s pruned source rows."""
    return f"_vfs_scan_{index}"


def best_name(index: int) -> str:
    """The CTE holding view ``index``'s candidate winners (records or ranked rows)."""
    return f"_vfs_best_{index}"


def view_alias(index: int) -> str:
    """The alias view ``index`` is joined under."""
    return f"_vfs_v{index}"


def part_name(index: int) -> str:
    """The temporary table holding part ``index`` of a wide request."""
    return f"_vfs_part_{index}"


def column(name: str, table: str | None = None) -> exp.Column:
    """An exact-case, quoted column reference, ``"table"."name"``."""
    return exp.Column(this=identifier(name), table=identifier(table) if table else None)


def alias(expression: exp.Expression, name: str) -> exp.Alias:
    """``expression AS "name"`` (exact case)."""
    return exp.Alias(this=expression, alias=identifier(name))


def identifier(name: str) -> exp.Identifier:
    """An exact-case, quoted identifier."""
    return exp.Identifier(this=name, quoted=True)


def table(name: str) -> exp.Table:
    """An exact-case, quoted table reference (a CTE, a temporary table)."""
    return exp.Table(this=identifier(name))
