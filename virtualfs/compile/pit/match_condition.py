"""MatchCondition: Snowflake's ``ASOF JOIN ... MATCH_CONDITION (t >= ordering) ON keys``, and
LeftAsofMatch: Spark 4.3's ``LEFT ASOF JOIN`` of the same shape (its plain ``ASOF JOIN`` is inner).

fakesnow cannot parse ``MATCH_CONDITION``; an adapter on it declares
``supports_match_condition=False`` and gets ``WindowRank``. The records are the portable ones,
executed on DuckDB by ``AsofJoin(packed=False)`` in the tests; the join itself is golden-tested.
"""

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
class MatchCondition:
    """Snowflake's ASOF join; an entity row without a match keeps its row with null features."""

    name: str = "match_condition"
    joins_per_view: int = 1

    def supports(self, capabilities: Capabilities) -> bool:
        return capabilities.supports_match_condition

    def build_view(self, view: ViewContext) -> ViewJoin:
        return _match_join(view, side=None)


@dataclass(frozen=True)
class LeftAsofMatch:
    """Spark 4.3's ``LEFT ASOF JOIN ... MATCH_CONDITION``: MatchCondition's join, outer by its
    side (Spark's plain ``ASOF JOIN`` drops unmatched entity rows). Needs the session setting
    ``spark.sql.join.asofJoin.enabled``, which the Spark adapter turns on."""

    name: str = "left_asof_match"
    joins_per_view: int = 1

    def supports(self, capabilities: Capabilities) -> bool:
        return capabilities.supports_left_asof_match

    def build_view(self, view: ViewContext) -> ViewJoin:
        return _match_join(view, side="LEFT")


def _match_join(view: ViewContext, side: str | None) -> ViewJoin:
    target = asof_target(view, packed=False)
    condition = exp.GTE(this=target.probe, expression=names.column(target.ordering, view.alias))
    join = exp.Join(
        this=aliased(target.table, view.alias), method="ASOF", side=side,
        match_condition=condition, on=exp.and_(*view.keys_match(view.alias), copy=False),
    )
    return ViewJoin(((view.scan, build_scan(view)), *target.ctes), join, ttl_columns(view))
