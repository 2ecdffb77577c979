"""WindowRank: the portable strategy. Join candidates, keep the newest per entity row.

``QUALIFY ROW_NUMBER() OVER (PARTITION BY _vfs_row ORDER BY e DESC, c DESC) = 1``; where a
dialect has no ``QUALIFY`` (PostgreSQL, Trino) sqlglot rewrites it into a sub-query.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.pit.base import (
    ViewJoin,
    candidate_condition,
    left_join_on_row,
    newest_first,
    plain_columns,
)
from virtualfs.compile.plan import ViewContext
from virtualfs.compile.scan import build_scan
from virtualfs.warehouses.base import Capabilities


@dataclass(frozen=True)
class WindowRank:
    """Runs everywhere: an inner join on keys and time, ranked per entity row."""

    name: str = "window_rank"
    joins_per_view: int = 2

    def supports(self, capabilities: Capabilities) -> bool:
        return True

    def build_view(self, view: ViewContext) -> ViewJoin:
        rank = exp.Window(
            this=exp.RowNumber(),
            partition_by=[names.column(names.ROW, names.ENTITY)],
            order=exp.Order(expressions=newest_first(view, view.scan)),
        )
        ranked = (
            exp.select(*candidate_outputs(view), copy=False)
            .from_(exp.alias_(view.entities.table.copy(), names.identifier(names.ENTITY)), copy=False)
            .join(names.table(view.scan), on=candidate_condition(view, view.scan), join_type="INNER",
                  copy=False)
            .qualify(rank.eq(1), copy=False)
        )
        ctes = ((view.scan, build_scan(view)), (view.best, ranked))
        return ViewJoin(ctes, left_join_on_row(view, view.best), plain_columns(view))


def candidate_outputs(view: ViewContext) -> list[exp.Expression]:
    """``_vfs_entity._vfs_row`` and the features of a candidate row of the view's scan."""
    features = [
        exp.alias_(view.feature(f, view.scan), view.source_column(f.name), copy=False)
        for f in view.lookup.features
    ]
    return [names.column(names.ROW, names.ENTITY), *features]
