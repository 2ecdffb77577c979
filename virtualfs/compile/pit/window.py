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
from virtualfs.compile.request import ViewContext
from virtualfs.compile.scan import build_scan
from virtualfs.dialects import Capabilities


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
        ranked = candidates(view)
        ranked.set("qualify", exp.Qualify(this=exp.EQ(this=rank, expression=exp.Literal.number(1))))
        ctes = ((view.scan, build_scan(view)), (view.best, ranked))
        return ViewJoin(ctes, left_join_on_row(view, view.best), plain_columns(view))


def candidates(view: ViewContext) -> exp.Select:
    """``SELECT _vfs_entity._vfs_row, features FROM entities JOIN scan ON <candidate>``."""
    features = [exp.Alias(this=view.feature(f, view.scan), alias=view.source_column(f.name))
                for f in view.lookup.features]
    entities = view.entities.relation()
    entities.set("alias", exp.TableAlias(this=names.identifier(names.ENTITY)))
    join = exp.Join(this=names.table(view.scan), kind="INNER", on=candidate_condition(view, view.scan))
    return exp.Select(
        expressions=[names.column(names.ROW, names.ENTITY), *features],
        from_=exp.From(this=entities), joins=[join],
    )
