"""Windowed aggregations, point-in-time correct: ``agg(column) over w`` for each entity row.

For an entity row at ``t``, a window ``w`` covers the source rows of its keys with
``t - w < e <= t`` and, under the known-time rule, ``c <= t``; ``count`` of an empty window is
0, every other function null. Two formulations compute it (``choose``): ``RangeJoin``, the
reference, and ``Tiled``, tiles plus raw edges, equal to it and much faster on long windows.

Example::

    request = AggregateRequest(view, (AggregateColumn(view.aggregations[0], "orders_7d"),),
                               entities)
    build_aggregate_select(request, "duckdb")
"""

from virtualfs.compile.aggregate.build import build_aggregate_join, build_aggregate_select
from virtualfs.compile.aggregate.choose import Formulation, choose_formulation
from virtualfs.compile.aggregate.range_join import AggregateJoin, RangeJoin
from virtualfs.compile.aggregate.spec import AggregateColumn, AggregateContext, AggregateRequest
from virtualfs.compile.aggregate.tiled import Tiled, TilePolicy

__all__ = [
    "AggregateColumn", "AggregateContext", "AggregateJoin", "AggregateRequest", "Formulation", "RangeJoin",
    "Tiled", "TilePolicy", "build_aggregate_join", "build_aggregate_select", "choose_formulation",
]
