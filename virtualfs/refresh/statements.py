"""Small warehouse steps refreshes share: run statements in order, drop a leftover table."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from sqlglot import exp

from virtualfs.compile.refresh import build_drop
from virtualfs.errors import VirtualfsError

if TYPE_CHECKING:
    from virtualfs.warehouses.base import Warehouse


def execute_all(warehouse: Warehouse, statements: list[exp.Expression]) -> None:
    """Run ``statements`` in order, each on its own."""
    for statement in statements:
        warehouse.execute(statement)


def drop_quietly(warehouse: Warehouse, table: exp.Table) -> None:
    """Drop ``table`` if it exists; a failure is ignored."""
    # the next run replaces a leftover staging table anyway; never hide the first error
    with contextlib.suppress(VirtualfsError):
        warehouse.execute(build_drop(table))
