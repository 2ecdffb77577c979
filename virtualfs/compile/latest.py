"""The latest row per entity key, computed in the warehouse: what materialization pushes online.

A source row becomes *known* at ``greatest(event, created)`` (its event time when the source has
no created time, or when created is null): that is the first moment the known-time rule lets a
point-in-time join see it. A window ``[start, end)`` selects rows by that known time, so
back-to-back incremental windows cover every row exactly once — a row that lands late (a created
time after the last run, whatever its event time) falls in the next window — and the store's
newer-wins rule turns "latest within each window" into "latest of all rows known before ``end``".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlglot import exp

from virtualfs.compile import names as compile_names
from virtualfs.compile.scan import build_source_relation, known_time
from virtualfs.definitions import FeatureView
from virtualfs.dialects.identifiers import frame_column, warehouse_column
from virtualfs.dialects.times import timestamp_literal

SOURCE, RANKED, RANK = compile_names.SOURCE, compile_names.RANKED, compile_names.RANK
KEYS, EVENT, CREATED = compile_names.KEYS, compile_names.EVENT, compile_names.CREATED
key_column = compile_names.key_column


def build_latest_query(view: FeatureView, start: datetime | None, end: datetime | None,
                       dialect: str, keys: exp.Table | None = None) -> exp.Select:
    """Latest row per key of ``view`` by (event, created) among rows known in ``[start, end)``.

    Output columns, in order: the join keys, event time, created time (null when the source
    has none), then the plain features (aggregations are computed elsewhere). With ``keys`` (an
    uploaded table with columns ``_vfs_k0``... holding key values as text), only those entities
    are computed.

    Example::

        from virtualfs.dialects.render import to_sql
        sql = to_sql(build_latest_query(view, None, None, "duckdb"), "duckdb")
    """
    names = _Names(dialect)
    source = view.source
    event = names.source_column(source.timestamp)
    created = names.source_column(source.created) if source.created else None
    known = event.copy() if created is None else known_time(event, created)
    conditions = [event.is_(exp.Null()).not_(),
                  *(names.source_column(k).is_(exp.Null()).not_() for k in view.join_keys)]
    if start is not None:
        conditions.append(known.copy() >= timestamp_literal(start))
    if end is not None:
        conditions.append(known.copy() < timestamp_literal(end))
    inner = (
        exp.select(*_inner_projections(view, names, event, created))
        .from_(build_source_relation(view.source, dialect))
        .where(exp.and_(*conditions))
    )
    if keys is not None:
        inner = inner.join(keys.as_(KEYS), on=_key_match(view.join_keys, names), join_type="inner")
    outer = [*(names.column(k) for k in view.join_keys), exp.to_identifier(EVENT),
             exp.to_identifier(CREATED), *(names.column(f.name) for f in view.features)]
    return (
        exp.select(*(exp.column(name, table=RANKED) for name in outer))
        .from_(inner.subquery(RANKED))
        .where(exp.column(RANK, table=RANKED).eq(1))
    )


class _Names:
    """Identifiers of user-defined columns, folded as ``dialect`` folds unquoted names."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect

    def column(self, name: str) -> exp.Identifier:
        return warehouse_column(name, self.dialect)

    def source_column(self, name: str) -> exp.Column:
        return exp.column(self.column(name), table=SOURCE)


def _inner_projections(view: FeatureView, names: _Names, event: exp.Column,
                       created: exp.Column | None) -> list[exp.Expression]:
    created_value = created if created is not None else exp.cast(exp.Null(), "TIMESTAMP")
    order = [exp.Ordered(this=event.copy(), desc=True, nulls_first=False)]
    if created is not None:
        order.append(exp.Ordered(this=created.copy(), desc=True, nulls_first=False))
    rank = exp.Window(
        this=exp.RowNumber(),
        partition_by=[names.source_column(k) for k in view.join_keys],
        order=exp.Order(expressions=order),
    )
    return [
        *(names.source_column(k).as_(names.column(k)) for k in view.join_keys),
        event.copy().as_(EVENT),
        created_value.copy().as_(CREATED),
        *(names.source_column(f.name).as_(names.column(f.name)) for f in view.features),
        rank.as_(RANK),
    ]


def _key_match(join_keys: Sequence[str], names: _Names) -> exp.Expression:
    return exp.and_(*(
        exp.cast(names.source_column(key), exp.DataType.build("TEXT")).eq(
            exp.column(frame_column(key_column(i)), table=KEYS)
        )
        for i, key in enumerate(join_keys)
    ))
