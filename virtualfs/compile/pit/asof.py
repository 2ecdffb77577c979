"""AsofJoin: DuckDB's native ``ASOF LEFT JOIN``, one sort and one pass per view."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.pit.base import ViewJoin, aliased, ttl_columns
from virtualfs.compile.pit.records import asof_target
from virtualfs.compile.request import ViewContext
from virtualfs.compile.scan import build_scan
from virtualfs.dialects import Capabilities


@dataclass(frozen=True)
class AsofJoin:
    """``_vfs_entity ASOF LEFT JOIN records ON keys AND t >= ordering``; TTL applied afterwards
    (DuckDB refuses a second inequality in an ASOF condition).

    ``packed=False`` uses the portable records of ``MatchCondition`` (for testing them on DuckDB).
    """

    packed: bool = True
    name: str = "asof_join"
    joins_per_view: int = 1

    def supports(self, capabilities: Capabilities) -> bool:
        return capabilities.supports_asof_join

    def build_view(self, view: ViewContext) -> ViewJoin:
        target = asof_target(view, self.packed)
        match = exp.and_(
            *view.keys_match(view.alias),
            exp.GTE(this=target.probe, expression=names.column(target.ordering, view.alias)),
            copy=False,
        )
        join = exp.Join(this=aliased(target.table, view.alias), side="LEFT", method="ASOF", on=match)
        return ViewJoin(((view.scan, build_scan(view)), *target.ctes), join, ttl_columns(view))
