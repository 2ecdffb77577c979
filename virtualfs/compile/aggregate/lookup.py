"""Aggregations inside a point-in-time retrieval: typing them, and joining them beside features.

A view lookup may ask for plain features and aggregations together. The plain ones go through
the PIT strategy as before; the aggregations are computed per entity row (``build_aggregate_join``)
and joined back on ``_vfs_row``. Output columns keep the order they were asked in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.aggregate.build import build_aggregate_join
from virtualfs.compile.aggregate.spec import AggregateColumn, AggregateRequest, output_name
from virtualfs.compile.request import FeatureColumn, ViewContext, ViewLookup
from virtualfs.definitions import Aggregation, DType, FeatureView
from virtualfs.definitions.aggregation import FUNCTIONS

if TYPE_CHECKING:
    from virtualfs.compile.pit.base import PitStrategy, ViewJoin


def aggregation_of(view: FeatureView, name: str) -> Aggregation | None:
    """The aggregation of ``view`` called ``name``, if it is one."""
    return next((a for a in view.aggregations if a.name == name), None)


def feature_dtype(view: FeatureView, name: str) -> DType | None:
    """The dtype of feature ``name`` as the definitions fix it: a plain feature's, or the output
    dtype of an aggregation whose function fixes it; ``None`` when it follows the source column."""
    aggregation = aggregation_of(view, name)
    if aggregation is None:
        return view.feature(name).dtype
    return FUNCTIONS[aggregation.function][1]


def typed_lookup(lookup: ViewLookup, inputs: Mapping[str, DType]) -> ViewLookup:
    """``lookup`` with every aggregation typed, given the dtype of each column its view's
    aggregations read (``inputs``, by column; as the warehouse stores them)."""
    features = tuple(
        f if f.dtype is not None else replace(f, dtype=_output(lookup.view, f.name, inputs))
        for f in lookup.features
    )
    return replace(lookup, features=features)


def needs_input_types(lookup: ViewLookup) -> bool:
    """Whether some feature of ``lookup`` takes its dtype from a source column."""
    return any(f.dtype is None for f in lookup.features)


def build_view_joins(strategy: PitStrategy, view: ViewContext,
                     as_of: datetime | None = None) -> list[ViewJoin]:
    """The joins of one view: its plain features by ``strategy``, its aggregations computed per
    entity row and joined on ``_vfs_row``; all output columns on the last join, in request order.

    ``as_of``: every entity row's time, when they share one (see ``AggregateRequest``).
    """
    from virtualfs.compile.pit.base import ViewJoin

    wanted = view.lookup.features
    aggregated = [f for f in wanted if aggregation_of(view.view, f.name) is not None]
    if not aggregated:
        return [strategy.build_view(view)]
    joins, columns = [], {}
    plain = [f for f in wanted if aggregation_of(view.view, f.name) is None]
    if plain:
        plain_join = strategy.build_view(replace(view, lookup=ViewLookup(view.view, tuple(plain))))
        joins.append(ViewJoin(plain_join.ctes, plain_join.join, ()))
        columns.update(zip((f.output for f in plain), plain_join.columns, strict=True))
    aggregate_join, aggregate_columns = _aggregate_join(view, aggregated, as_of)
    columns.update(aggregate_columns)
    joins.append(ViewJoin(aggregate_join.ctes, aggregate_join.join, tuple(columns[f.output] for f in wanted)))
    return joins


def _aggregate_join(view: ViewContext, features: list[FeatureColumn],
                    as_of: datetime | None) -> tuple[ViewJoin, dict]:
    from virtualfs.compile.pit.base import ViewJoin

    columns = tuple(
        AggregateColumn(aggregation_of(view.view, f.name), f.output, f.dtype) for f in features
    )
    request = AggregateRequest(view.view, columns, view.entities, view.rule, view.index, as_of,
                               view.kept_tiles, view.known_by)
    compiled = build_aggregate_join(request, view.dialect)
    alias = f"_vfs_a{view.index}"
    on = exp.EQ(this=names.column(names.ROW, alias), expression=names.column(names.ROW, names.ENTITY))
    table = exp.Table(this=names.identifier(compiled.result),
                      alias=exp.TableAlias(this=names.identifier(alias)))
    outputs = {
        f.output: exp.alias_(names.column(output_name(i), alias), names.identifier(f.output), copy=False)
        for i, f in enumerate(features)
    }
    return ViewJoin(compiled.ctes, exp.Join(this=table, side="LEFT", on=on), ()), outputs


def _output(view: FeatureView, name: str, inputs: Mapping[str, DType]) -> DType:
    aggregation = aggregation_of(view, name)
    return aggregation.output_dtype(inputs.get(aggregation.column, DType.STRING))
