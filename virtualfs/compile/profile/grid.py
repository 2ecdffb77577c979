"""A view's aggregations as a relation to profile: their values for every key at a grid of times.

An aggregate has no value of its own in the source rows; what a model sees is its value for a
key at a time. So the aggregations of a view are profiled over entity rows made of every key
with a source row in the window, each at every time of a regular grid, computed by the same
point-in-time compiler that builds training frames (the known-time rule). A key's ``count``
is then 0 at a time its window holds no rows, as a model would see it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.historical import build_select
from virtualfs.compile.pit import choose_strategy
from virtualfs.compile.profile.request import ProfileColumn, ProfileRelation
from virtualfs.compile.request import EntityRelation, ViewContext, ViewLookup
from virtualfs.compile.scan import build_source_relation
from virtualfs.dialects import Capabilities
from virtualfs.dialects.identifiers import warehouse_column
from virtualfs.dialects.times import timestamp_literal, zoned_timestamp_literal

GRID = "_vfs_grid"
GRID_POINTS = 10


def grid_times(start: datetime, end: datetime, points: int = GRID_POINTS) -> tuple[datetime, ...]:
    """``points`` evenly spaced times after ``start``, the last at ``end``.

    >>> from datetime import datetime
    >>> [t.day for t in grid_times(datetime(2026, 1, 1), datetime(2026, 1, 5), 4)]
    [2, 3, 4, 5]
    """
    step = (end - start) / points
    return tuple(start + step * (i + 1) for i in range(points)) if step > timedelta(0) else (end,)


def build_grid_relation(lookup: ViewLookup, first: int, times: Sequence[datetime], start: datetime,
                        end: datetime, dialect: str, capabilities: Capabilities) -> ProfileRelation:
    """The aggregations of ``lookup`` (typed; numbered from ``first``) at ``times`` for every key
    with a source row in ``[start, end)``.

    Example::

        build_grid_relation(typed, 0, grid_times(start, end), start, end, "duckdb", capabilities)
    """
    view = lookup.view
    keys = tuple((k, _key(i)) for i, k in enumerate(view.join_keys))
    relation = EntityRelation(names.table(GRID), names.AS_OF, keys, ())
    context = ViewContext(0, lookup, relation, "known", dialect, capabilities.prunes_by_entity_bounds)
    select = build_select([context], relation, choose_strategy(capabilities), (), ordered=False)
    ctes = [_cte(GRID, _grid(lookup, times, start, end, dialect)), *select.args["with_"].expressions]
    select.set("with_", None)
    values = exp.Subquery(this=select, alias=exp.TableAlias(this=names.identifier("_vfs_grid_values")))
    columns = tuple(ProfileColumn(first + i, names.column(f.output), f.dtype)
                    for i, f in enumerate(lookup.features))
    return ProfileRelation(values, columns, None, tuple(ctes))


def _grid(lookup: ViewLookup, times: Sequence[datetime], start: datetime, end: datetime,
          dialect: str) -> exp.Select:
    """Every key with a row in ``[start, end)`` at each of ``times``, numbered ``_vfs_row``."""
    view = lookup.view
    source = [exp.column(warehouse_column(k, dialect), table=names.SOURCE) for k in view.join_keys]
    event = exp.column(warehouse_column(view.source.timestamp, dialect), table=names.SOURCE)
    present = [*(k.copy().is_(exp.null()).not_() for k in source),
               event.copy() >= timestamp_literal(start), event.copy() < timestamp_literal(end)]
    distinct = (
        exp.select(*(exp.alias_(k, names.identifier(_key(i))) for i, k in enumerate(source)), copy=False)
        .distinct()
        .from_(build_source_relation(view.source, dialect), copy=False)
        .where(exp.and_(*present, copy=False), copy=False)
    )
    moments: exp.Query = _moment(times[0])
    for time in times[1:]:
        moments = exp.Union(this=moments, expression=_moment(time), distinct=False)
    ordered = [exp.Ordered(this=names.column(_key(i)), nulls_first=False) for i in range(len(source))]
    ordered.append(exp.Ordered(this=names.column(names.AS_OF), nulls_first=False))
    number = exp.Window(this=exp.RowNumber(), order=exp.Order(expressions=ordered))
    return exp.select(
        *(names.column(_key(i), "_vfs_keys") for i in range(len(source))),
        names.column(names.AS_OF, "_vfs_times"), names.alias(number, names.ROW), copy=False,
    ).from_(distinct.subquery("_vfs_keys"), copy=False).join(
        moments.subquery("_vfs_times"), join_type="CROSS", copy=False)


def _moment(time: datetime) -> exp.Select:
    return exp.select(names.alias(zoned_timestamp_literal(time), names.AS_OF), copy=False)


def _key(index: int) -> str:
    return f"_vfs_key{index}"


def _cte(name: str, query: exp.Expression) -> exp.CTE:
    return exp.CTE(this=query, alias=exp.TableAlias(this=names.identifier(name)))
