"""Small warehouse steps refreshes share: run statements, read one value, drop a leftover table."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from virtualfs.compile.refresh import build_drop
from virtualfs.errors import VirtualfsError

if TYPE_CHECKING:
    from virtualfs.warehouses.base import Warehouse


def execute_all(warehouse: Warehouse, statements: list[exp.Expression]) -> None:
    """Run ``statements`` in order, each on its own."""
    for statement in statements:
        warehouse.execute(statement)


def fetch_scalar(warehouse: Warehouse, query: exp.Select) -> Any:
    """The first column of the first row ``query`` returns, or None when it returns none."""
    table = warehouse.fetch_arrow(query)
    return table.column(0)[0].as_py() if table.num_rows else None


def count_rows(warehouse: Warehouse, table: exp.Table) -> int:
    """How many rows ``table`` holds."""
    counted = exp.select(exp.alias_(exp.Count(this=exp.Star()), "_vfs_n")).from_(table.copy())
    return int(fetch_scalar(warehouse, counted) or 0)


def drop_quietly(warehouse: Warehouse, table: exp.Table) -> None:
    """Drop ``table`` if it exists; a failure is ignored."""
    # the next run replaces a leftover staging table anyway; never hide the first error
    with contextlib.suppress(VirtualfsError):
        warehouse.execute(build_drop(table))
