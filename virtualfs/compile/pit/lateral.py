"""LateralLimit and DistinctOn: PostgreSQL's tools for "the newest row per entity row".

``LateralLimit`` runs one ``ORDER BY e DESC, c DESC LIMIT 1`` probe per entity row: fastest
with an index on (keys, e), a scan per row without one. ``DistinctOn`` joins candidates once and
keeps the first row per entity row, one sort, like ``WindowRank`` without the ranking column.
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
from virtualfs.compile.pit.window import candidates
from virtualfs.compile.request import ViewContext
from virtualfs.compile.scan import build_scan
from virtualfs.dialects import Capabilities


@dataclass(frozen=True)
class LateralLimit:
    """``LEFT JOIN LATERAL (SELECT ... WHERE keys AND e <= t ORDER BY e DESC, c DESC LIMIT 1) ON TRUE``."""

    name: str = "lateral_limit"
    joins_per_view: int = 1

    def supports(self, capabilities: Capabilities) -> bool:
        return capabilities.supports_lateral

    def build_view(self, view: ViewContext) -> ViewJoin:
        features = [exp.Alias(this=view.feature(f, view.scan), alias=view.source_column(f.name))
                    for f in view.lookup.features]
        newest = exp.Select(
            expressions=features, from_=exp.From(this=names.table(view.scan)),
            where=exp.Where(this=candidate_condition(view, view.scan)),
            order=exp.Order(expressions=newest_first(view, view.scan)),
            limit=exp.Limit(expression=exp.Literal.number(1)),
        )
        lateral = exp.Lateral(this=exp.Subquery(this=newest),
                              alias=exp.TableAlias(this=names.identifier(view.alias)))
        join = exp.Join(this=lateral, side="LEFT", on=exp.true())
        return ViewJoin(((view.scan, build_scan(view)),), join, plain_columns(view))


@dataclass(frozen=True)
class DistinctOn:
    """``SELECT DISTINCT ON (_vfs_row) ... ORDER BY _vfs_row, e DESC, c DESC``, joined back on the row."""

    name: str = "distinct_on"
    joins_per_view: int = 2

    def supports(self, capabilities: Capabilities) -> bool:
        return capabilities.supports_distinct_on

    def build_view(self, view: ViewContext) -> ViewJoin:
        row = names.column(names.ROW, names.ENTITY)
        order = [exp.Ordered(this=row.copy(), desc=False, nulls_first=False), *newest_first(view, view.scan)]
        newest = candidates(view)
        newest.set("order", exp.Order(expressions=order))
        newest.set("distinct", exp.Distinct(on=exp.Tuple(expressions=[row])))
        ctes = ((view.scan, build_scan(view)), (view.best, newest))
        return ViewJoin(ctes, left_join_on_row(view, view.best), plain_columns(view))

