"""RangeJoin: the reference formulation, and the fallback on any dialect.

Each entity row is joined to every source row of its keys in the longest window,
``t - w < e <= t`` (under the known-time rule also landed by ``t``); shorter windows are
flags on those pairs, and one ``GROUP BY _vfs_row`` computes every aggregation. Its cost grows
with the number of (entity row, source row) pairs a key has, which is why ``Tiled`` exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.aggregate.combine import (
    Part,
    Pieces,
    build_raw_aggregates,
    build_result,
    flag_name,
)
from virtualfs.compile.aggregate.source import build_native_scan, entity_relation
from virtualfs.compile.aggregate.spec import AggregateContext, key_name
from virtualfs.compile.scan import minus
from virtualfs.dialects import Capabilities


@dataclass(frozen=True)
class AggregateJoin:
    """One view's aggregations compiled: CTEs in order; ``result`` is the one holding
    ``_vfs_row`` and ``_vfs_o<i>`` for every entity row."""

    ctes: tuple[tuple[str, exp.Query], ...]
    result: str
    formulation: str


@dataclass(frozen=True)
class RangeJoin:
    """``entities JOIN source ON keys AND t - w < e <= t GROUP BY _vfs_row``."""

    name: str = "range_join"

    def supports(self, capabilities: Capabilities) -> bool:
        return True

    def build(self, context: AggregateContext) -> AggregateJoin:
        """The CTEs computing every requested aggregation of ``context``'s view."""
        scan, pairs = context.name("scan"), context.name("pairs")
        shorter = frozenset(context.windows[:-1])
        order = (names.EVENT, names.CREATED) if context.has_created else (names.EVENT,)
        pieces = Pieces(pairs, shorter, order, split=True)  # the scan splits each row once
        outputs = range(len(context.columns))
        parts = [Part(scan, build_native_scan(context)), Part(pairs, _pairs(context, scan, shorter))]
        parts += build_raw_aggregates(context, pieces, outputs, context.name("agg"))
        result = Part(context.name("result"), build_result(context, parts))
        return AggregateJoin(tuple((p.name, p.query) for p in (*parts, result)), result.name, self.name)


def _pairs(context: AggregateContext, scan: str, shorter: frozenset) -> exp.Select:
    """Entity rows joined to the source rows in their longest window, with shorter windows' flags."""
    time = context.entity_time()
    event = names.column(names.EVENT, scan)
    conditions = [key.eq(names.column(key_name(i), scan)) for i, key in enumerate(context.entity_keys())]
    conditions += [event <= time, event.copy() > minus(time.copy(), max(context.windows))]
    if context.uses_known_time:
        created = names.column(names.CREATED, scan)
        landed = exp.or_(created <= time.copy(), created.copy().is_(exp.null()), copy=False)
        conditions.append(exp.paren(landed, copy=False))
    flags = [
        exp.alias_(event.copy() > minus(time.copy(), window), names.identifier(flag_name(window)), copy=False)
        for window in sorted(shorter)
    ]
    return (
        exp.select(names.column(names.ROW, names.ENTITY),
                   exp.Column(this=exp.Star(), table=names.identifier(scan)), *flags, copy=False)
        .from_(entity_relation(context), copy=False)
        .join(names.table(scan), on=exp.and_(*conditions, copy=False), join_type="INNER", copy=False)
    )

