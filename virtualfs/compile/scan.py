"""Source scans: a view's source rows, renamed for the join and pruned to the entity times.

Only rows that can win for some entity row are read: none with ``e`` after the latest entity
time, none older than the earliest entity time minus the TTL, and under the known-time rule
none that landed after the latest entity time. The bounds come from the entity relation
itself (``_vfs_bounds``, one row, cross joined: DuckDB prunes far better with a join than with
scalar sub-queries), so the SQL does not depend on the data and values stay in the warehouse.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from virtualfs.compile import names
from virtualfs.compile.expressions import bind_source
from virtualfs.compile.request import EntityRelation, ViewContext
from virtualfs.definitions import Source
from virtualfs.definitions.source import parse_source_query
from virtualfs.dialects.identifiers import warehouse_column, warehouse_table
from virtualfs.dialects.times import timestamp_literal
from virtualfs.errors import RequestError
from virtualfs.sqltext import definition_fault


def source_relation(source: Source, dialect: str) -> exp.Expression:
    """The source as a tree: a table named the way the warehouse resolves it, or its query;
    with pushed rows (``Source.pushed``), those too (:func:`build_with_pushed`)."""
    if source.pushed is not None:
        return build_with_pushed(source, dialect)
    return _own_relation(source, dialect)


def build_with_pushed(source: Source, dialect: str) -> exp.Expression:
    """The source's rows and its view's pushed rows (``virtualfs.push``) as one relation:
    ``SELECT cols FROM source UNION ALL SELECT cols FROM pushed``, the columns a pushed row
    carries and the created column; a source of pushed rows only is its pushed table."""
    assert source.pushed is not None
    pushed = _table(source.name, source.pushed.table, dialect).copy()
    if source.push_only:
        return pushed
    wanted = [*source.pushed.columns, source.created or ""]
    columns = [exp.Column(this=warehouse_column(name, dialect)) for name in wanted]
    own = _own_relation(source, dialect)
    own = own if isinstance(own, exp.Table) else exp.Subquery(this=own, alias=exp.TableAlias(
        this=names.identifier(names.SOURCE)))
    rows = exp.select(*columns).from_(own, copy=False)
    more = exp.select(*(column.copy() for column in columns)).from_(pushed, copy=False)
    return exp.union(rows, more, distinct=False, copy=False)


def _own_relation(source: Source, dialect: str) -> exp.Expression:
    if source.push_only:
        raise RequestError(f"source {source.name!r} holds only pushed rows, which are read through an "
                           "opened store (FeatureStore.registry()); this registry does not say where")
    if source.table is not None:
        return _table(source.name, source.table, dialect).copy()
    source = bind_source(source, dialect)  # an ibis expr, compiled for the dialect
    # The query is written as SQL is written by hand: its unquoted names fold like the warehouse's
    # (upper case on Snowflake), since every identifier is quoted when the tree is rendered.
    query = parse_source_query(source.name, source.query or "", dialect=dialect)
    return normalize_identifiers(query, dialect=dialect)


def build_source_relation(source: Source, dialect: str, known_by: datetime | None = None) -> exp.Expression:
    """:func:`source_relation` aliased ``_vfs_source`` (a query as a sub-query); with
    ``known_by``, only the rows that had landed by then (:func:`build_landed_rows`)."""
    alias = exp.TableAlias(this=names.identifier(names.SOURCE))
    relation = source_relation(source, dialect)
    if known_by is not None:
        relation = build_landed_rows(source, relation, dialect, known_by)
    if isinstance(relation, exp.Table):
        relation.set("alias", alias)
        return relation
    return exp.Subquery(this=relation, alias=alias)


def build_landed_rows(source: Source, relation: exp.Expression, dialect: str,
                      known_by: datetime) -> exp.Select:
    """``SELECT * FROM relation WHERE <landed by known_by>``: the rows a read at ``known_by``
    could see. Landed means ``c <= known_by`` (a row without a created time, at its event time);
    for a source without a created time, ``e <= known_by``: the rows a saved training frame
    read, give or take rows that were edited since (``virtualfs.datasets``)."""
    def column(name: str) -> exp.Column:
        return exp.Column(this=names.identifier(warehouse_column(name, dialect).this),
                          table=names.identifier(names.SOURCE))

    bound, event = timestamp_literal(known_by), column(source.timestamp)
    if source.created is None:
        condition: exp.Expression = exp.LTE(this=event, expression=bound)
    else:
        condition = landed_by(column(source.created), event, bound)
    inner = relation if isinstance(relation, exp.Table) else exp.Subquery(this=relation)
    inner.set("alias", exp.TableAlias(this=names.identifier(names.SOURCE)))
    return exp.select(exp.Star()).from_(inner, copy=False).where(condition, copy=False)


def build_bounds(entities: EntityRelation) -> exp.Select:
    """``SELECT MIN(t) AS _vfs_low, MAX(t) AS _vfs_high FROM entities``."""
    return exp.Select(
        expressions=[
            names.alias(exp.Min(this=entities.time()), names.LOW),
            names.alias(exp.Max(this=entities.time()), names.HIGH),
        ],
        from_=exp.From(this=entities.relation()),
    )


def build_scan(view: ViewContext) -> exp.Select:
    """The view's source rows (pruned unless ``view.prune`` is off): join keys, ``_vfs_event``,
    ``_vfs_created`` (when the source declares it), ``_vfs_known`` (under the known-time rule), then
    the features."""
    source = view.view.source
    projections: list[exp.Expression] = [exp.Alias(this=key, alias=key.this.copy())
                                         for key in view.keys(names.SOURCE)]
    projections.append(names.alias(_source_column(view, source.timestamp), names.EVENT))
    if source.created:
        projections.append(names.alias(_source_column(view, source.created), names.CREATED))
    if view.uses_known_time and source.created:
        event, created = (_source_column(view, c) for c in (source.timestamp, source.created))
        projections.append(names.alias(known_time(event, created), names.KNOWN))
    projections += [exp.Alias(this=view.feature(f, names.SOURCE), alias=view.source_column(f.name))
                    for f in view.lookup.features]
    relation = build_source_relation(source, view.dialect, view.known_by)
    scan = exp.Select(expressions=projections, from_=exp.From(this=relation))
    if not view.prune:
        return scan
    scan.set("joins", [exp.Join(this=names.table(names.BOUNDS), kind="CROSS")])
    return scan.where(exp.and_(*_pruning(view), copy=False), copy=False)


def _pruning(view: ViewContext) -> list[exp.Expression]:
    """No row after the latest entity time, older than the earliest minus the TTL, or (known-time
    rule) landed after the latest entity time."""
    source = view.view.source
    conditions: list[exp.Expression] = [
        exp.LTE(this=_source_column(view, source.timestamp), expression=_bound(names.HIGH)),
    ]
    if view.ttl is not None:
        oldest = minus(_bound(names.LOW), view.ttl)
        conditions.append(exp.GTE(this=_source_column(view, source.timestamp), expression=oldest))
    if view.uses_known_time and source.created:
        created, event = (_source_column(view, c) for c in (source.created, source.timestamp))
        conditions.append(landed_by(created, event, _bound(names.HIGH)))
    return conditions


def known_time(event: exp.Expression, created: exp.Expression) -> exp.Expression:
    """When a row became known: ``greatest(e, c)``, and ``e`` when ``c`` is null (on every dialect,
    where ``GREATEST`` differs on nulls)."""
    later = exp.GT(this=created, expression=event)
    return exp.Case(ifs=[exp.If(this=later, true=created.copy())], default=event.copy())


def landed_by(created: exp.Expression, event: exp.Expression, time: exp.Expression) -> exp.LTE:
    """``COALESCE(c, e) <= time``: a row without a created time counts as landed at its event.

    Not the equivalent ``c <= time OR c IS NULL`` (beside ``e <= time``): an ``OR`` in a join
    condition made Spark's window join 1.6x slower than the same join without it.
    """
    return exp.LTE(this=exp.Coalesce(this=created, expressions=[event]), expression=time)


def minus(time: exp.Expression, delta: timedelta) -> exp.Expression:
    """``time - INTERVAL 'n' SECOND`` (microseconds when ``delta`` is not whole seconds)."""
    micros = delta // timedelta(microseconds=1)
    amount, unit = (micros // 1_000_000, "SECOND") if micros % 1_000_000 == 0 else (micros, "MICROSECOND")
    interval = exp.Interval(this=exp.Literal.string(str(amount)), unit=exp.Var(this=unit))
    return exp.Sub(this=time, expression=interval)


@lru_cache(maxsize=1024)
def _table(source_name: str, name: str, dialect: str) -> exp.Table:
    """A parsed table name (parsing is the slow part of compiling; requests repeat names)."""
    return warehouse_table(name, dialect, definition_fault("source", source_name, "table"))


def _source_column(view: ViewContext, name: str) -> exp.Column:
    return exp.Column(this=view.source_column(name), table=names.identifier(names.SOURCE))


def _bound(name: str) -> exp.Column:
    return names.column(name, names.BOUNDS)
