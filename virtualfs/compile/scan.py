"""Source scans: a view's source rows, renamed for the join and pruned to the entity times.

Only rows that can win for some entity row are read: none with ``e`` after the latest entity
time, none older than the earliest entity time minus the TTL, and under the known-time rule
none that landed after the latest entity time. The bounds come from the entity relation
itself (``_vfs_bounds``), so the SQL does not depend on the data and values stay in the warehouse.
"""

from __future__ import annotations

from datetime import timedelta

from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from virtualfs.compile import names
from virtualfs.compile.plan import EntityRelation, ViewContext
from virtualfs.definitions import Source
from virtualfs.definitions.source import parse_source_query
from virtualfs.warehouses.names import warehouse_table


def build_source_relation(source: Source, dialect: str) -> exp.Expression:
    """The source's table, or its query parsed in ``dialect`` as a sub-query, aliased ``_vfs_source``."""
    if source.table is not None:
        return warehouse_table(source.table, dialect).as_(names.identifier(names.SOURCE), copy=False)
    # The query is written as SQL is written by hand: its unquoted names fold like the warehouse's.
    query = parse_source_query(source.name, source.query or "", dialect=dialect)
    return normalize_identifiers(query, dialect=dialect).subquery(names.identifier(names.SOURCE), copy=False)


def build_bounds(entities: EntityRelation) -> exp.Select:
    """``SELECT MIN(t) AS _vfs_low, MAX(t) AS _vfs_high FROM entities``."""
    time = names.column(entities.timestamp)
    return exp.select(
        exp.alias_(exp.Min(this=time), names.identifier(names.LOW), copy=False),
        exp.alias_(exp.Max(this=time.copy()), names.identifier(names.HIGH), copy=False),
        copy=False,
    ).from_(entities.table.copy(), copy=False)


def build_scan(view: ViewContext) -> exp.Select:
    """The view's pruned source rows: join keys, ``_vfs_event``, ``_vfs_created`` (when the source
    declares it), ``_vfs_known`` (under the known-time rule), then the features."""
    event = _source_column(view, view.view.source.timestamp)
    projections: list[exp.Expression] = [
        exp.alias_(key, key.this.copy(), copy=False) for key in view.keys(names.SOURCE)
    ]
    projections.append(exp.alias_(event, names.identifier(names.EVENT), copy=False))
    conditions = [event.copy() <= _bound(names.HIGH)]
    if view.ttl is not None:
        conditions.append(event.copy() >= minus(_bound(names.LOW), view.ttl))
    if view.has_created:
        created = _source_column(view, view.view.source.created or "")
        projections.append(exp.alias_(created, names.identifier(names.CREATED), copy=False))
    if view.uses_known_time:
        projections.append(exp.alias_(known_time(event, created), names.identifier(names.KNOWN), copy=False))
        landed = exp.or_(created.copy() <= _bound(names.HIGH), created.copy().is_(exp.null()), copy=False)
        conditions.append(exp.paren(landed, copy=False))
    projections += [
        exp.alias_(view.feature(f, names.SOURCE), view.source_column(f.name), copy=False)
        for f in view.lookup.features
    ]
    return (
        exp.select(*projections, copy=False)
        .from_(build_source_relation(view.view.source, view.dialect), copy=False)
        .where(exp.and_(*conditions, copy=False), copy=False)
    )


def known_time(event: exp.Expression, created: exp.Expression) -> exp.Expression:
    """When a row became known: ``greatest(e, c)``, and ``e`` when ``c`` is null (on every dialect,
    where ``GREATEST`` differs on nulls)."""
    return exp.Case(
        ifs=[exp.If(this=created.copy() > event.copy(), true=created.copy())], default=event.copy()
    )


def minus(time: exp.Expression, delta: timedelta) -> exp.Expression:
    """``time - INTERVAL 'n' SECOND`` (microseconds when ``delta`` is not whole seconds)."""
    micros = delta // timedelta(microseconds=1)
    amount, unit = (micros // 1_000_000, "SECOND") if micros % 1_000_000 == 0 else (micros, "MICROSECOND")
    interval = exp.Interval(this=exp.Literal.string(str(amount)), unit=exp.Var(this=unit))
    return exp.Sub(this=time, expression=interval)


def _source_column(view: ViewContext, name: str) -> exp.Column:
    return exp.column(view.source_column(name), table=names.identifier(names.SOURCE))


def _bound(name: str) -> exp.Subquery:
    return exp.select(names.column(name), copy=False).from_(names.table(names.BOUNDS), copy=False).subquery(
        copy=False
    )
