"""The rows aggregations read: source rows renamed for the join, and the entity rows.

Both formulations read the same columns: join keys as ``_vfs_k<i>``, one ``_vfs_m<i>`` per
measure (the column where the filter holds, else null) and, for ``last``, ``_vfs_p<i>`` (1 where
the filter holds). The range join keeps native times (``_vfs_event``, ``_vfs_created``); the
tiled formulation turns them into integer microseconds (``_vfs_e``, ``_vfs_k`` for when the row
became known, ``_vfs_c``) plus one tile number per tile size.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.aggregate.spec import (
    AggregateContext,
    key_name,
    measure_name,
    passes_name,
)
from virtualfs.compile.aggregate.sums import split_columns
from virtualfs.compile.scan import build_source_relation
from virtualfs.dialects import times

EVENT_US, KNOWN_US, CREATED_US, TIME_US = "_vfs_e", "_vfs_k", "_vfs_c", "_vfs_t"


def tile_name(size: timedelta) -> str:
    """The scan column holding each row's tile number for tiles of ``size``."""
    return f"_vfs_tile_{times.micros(size)}"


def build_native_scan(context: AggregateContext) -> exp.Select:
    """Keys, ``_vfs_event``, ``_vfs_created`` (when declared), measures (and the parts of
    those added up, ``sums``: once per source row rather than per pair): for the range join."""
    source = context.view.source
    projections = [*_keys(context), _as(_source(context, source.timestamp), names.EVENT)]
    if context.has_created:
        projections.append(_as(_source(context, source.created or ""), names.CREATED))
    projections += _measures(context, split=True)
    return exp.select(*projections, copy=False).from_(
        build_source_relation(source, context.dialect, context.request.known_by), copy=False
    )


def build_micro_scan(context: AggregateContext, sizes: Sequence[timedelta]) -> exp.Select:
    """Keys, times in microseconds, one tile number per size, measures: for the tiled form.

    Not pruned to the entity times: DuckDB runs a comparison with a scalar sub-query as a
    nested-loop join over every source row, which costs more than the rows it would skip.
    """
    source = context.view.source
    event = times.epoch_micros(_source(context, source.timestamp), context.dialect)
    created = None
    if context.has_created:
        created = times.epoch_micros(_source(context, source.created or ""), context.dialect)
    known = _later(event, created) if context.uses_known_time and created is not None else event
    projections = [*_keys(context), _as(event, EVENT_US), _as(known.copy(), KNOWN_US)]
    if created is not None:
        projections.append(_as(created.copy(), CREATED_US))
    projections += [_as(times.tile_number(event, size, context.dialect), tile_name(size)) for size in sizes]
    projections += _measures(context)
    relation = build_source_relation(source, context.dialect, context.request.known_by)
    select = exp.select(*projections, copy=False).from_(relation, copy=False)
    as_of = context.request.as_of
    if as_of is None:
        return select
    # a snapshot: one entity time, a literal, so the bounds cost nothing to test
    high = times.instant_micros(as_of)
    low = exp.Literal.number(high - times.micros(max(context.windows)))
    conditions = [event.copy() > low, known.copy() <= exp.Literal.number(high)]
    return select.where(exp.and_(*conditions, copy=False), copy=False)


def build_micro_entities(context: AggregateContext) -> exp.Select:
    """``_vfs_row``, the keys as ``_vfs_k<i>`` and ``_vfs_t``, the entity time in microseconds."""
    keys = [_as(key, key_name(i)) for i, key in enumerate(context.entity_keys())]
    time = times.epoch_micros(context.entity_time(), context.dialect)
    return exp.select(
        names.column(names.ROW, names.ENTITY), *keys, _as(time, TIME_US), copy=False
    ).from_(_entity_table(context), copy=False)


def entity_relation(context: AggregateContext) -> exp.Table:
    """The entity rows aliased ``_vfs_entity``."""
    return _entity_table(context)


def _entity_table(context: AggregateContext) -> exp.Table:
    table = context.entities.table.copy()
    table.set("alias", exp.TableAlias(this=names.identifier(names.ENTITY)))
    return table


def _keys(context: AggregateContext) -> list[exp.Expression]:
    return [_as(_source(context, key), key_name(i)) for i, key in enumerate(context.view.join_keys)]


def _measures(context: AggregateContext, split: bool = False) -> list[exp.Expression]:
    """One column per measure, plus a passes-the-filter flag where ``last`` needs one; with
    ``split``, the exact part and rest of each measure added up (``sums``)."""
    last_filtered = {context.measure_index(c) for c in context.columns
                     if c.aggregation.function == "last" and c.aggregation.filter is not None}
    columns: list[exp.Expression] = []
    for index, measure in enumerate(context.measures):
        value = _source(context, measure.column)
        condition = context.filter_condition(measure, names.SOURCE)
        if condition is not None:
            value = exp.Case(ifs=[exp.If(this=condition, true=value)])
        columns.append(_as(value, measure_name(index)))
        columns += split_columns(context, index, value) if split else []
        if index in last_filtered:
            flag = exp.Case(ifs=[exp.If(this=condition.copy(), true=exp.Literal.number(1))],
                            default=exp.Literal.number(0))
            columns.append(_as(flag, passes_name(index)))
    return columns


def _source(context: AggregateContext, name: str) -> exp.Column:
    return context.source_column(name, names.SOURCE)


def _later(first: exp.Expression, second: exp.Expression) -> exp.Expression:
    """The later of two times, ``first`` when ``second`` is null (null-safe GREATEST)."""
    return exp.Case(ifs=[exp.If(this=second.copy() > first.copy(), true=second.copy())], default=first.copy())


def _as(value: exp.Expression, name: str) -> exp.Alias:
    return exp.alias_(value, names.identifier(name), copy=False)
