"""A view with aggregations as the online store holds it: every key's values as of one time.

Aggregates change as time passes even when no row arrives (old rows leave the window), so a
refresh cannot patch them row by row the way latest values are patched: it recomputes every
key at ``as_of`` (the refresh time) with the same point-in-time compiler that builds training
frames, and the online values are exactly the offline ones for an entity row at ``as_of``.
Plain features of such a view are taken at ``as_of`` too (TTL included), so one stored value
per key is one consistent snapshot, stamped with ``as_of``.

Columns, in the order ``online.rows.ViewRows`` reads them: the join keys, ``as_of`` (as the
event time), a null created time, then the view's features and aggregations.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.historical import build_select
from virtualfs.compile.pit import choose_strategy
from virtualfs.compile.request import EntityRelation, ViewContext, ViewLookup
from virtualfs.compile.scan import build_source_relation
from virtualfs.definitions import FeatureView
from virtualfs.dialects import Capabilities
from virtualfs.dialects.identifiers import frame_column, warehouse_column
from virtualfs.dialects.times import zoned_timestamp_literal

KEYS, AS_OF, CREATED = names.SNAPSHOT_KEYS, names.AS_OF, names.CREATED


def key_name(index: int) -> str:
    return f"_vfs_key{index}"


def build_snapshot_query(lookup: ViewLookup, as_of: datetime, dialect: str, capabilities: Capabilities,
                         keys: exp.Table | None = None) -> exp.Select:
    """Every key of ``lookup.view`` known by ``as_of`` with all its features at ``as_of``.

    ``lookup`` holds every stored feature of the view, typed (``retrieval.source_types``). With ``keys``
    (an uploaded table of key values as text, columns ``_vfs_k0``...), only those keys.

    Example::

        build_snapshot_query(typed, end, "duckdb", capabilities_of("duckdb"))
    """
    view = lookup.view
    width = len(view.join_keys)
    carry = (*(key_name(i) for i in range(width)), AS_OF, CREATED)
    relation = EntityRelation(names.table(KEYS), AS_OF,
                              tuple((k, key_name(i)) for i, k in enumerate(view.join_keys)), carry)
    context = ViewContext(0, lookup, relation, "known", dialect)
    strategy = choose_strategy(capabilities)
    select = build_select([context], relation, strategy, carry, ordered=False, as_of=as_of)
    # the keys come first: every other CTE reads them
    keys_cte = exp.CTE(this=_keys(view, as_of, dialect, keys),
                       alias=exp.TableAlias(this=names.identifier(KEYS)))
    select.set("with_", exp.With(expressions=[keys_cte, *select.args["with_"].expressions]))
    return select


def _keys(view: FeatureView, as_of: datetime, dialect: str, wanted: exp.Table | None) -> exp.Select:
    """Each distinct key with a row known by ``as_of``, numbered, with ``as_of`` beside it."""
    source = [exp.column(warehouse_column(k, dialect), table=names.SOURCE) for k in view.join_keys]
    event = exp.column(warehouse_column(view.source.timestamp, dialect), table=names.SOURCE)
    known = event.copy() <= zoned_timestamp_literal(as_of)
    present = [*(k.copy().is_(exp.null()).not_() for k in source), known]
    distinct = (
        exp.select(*(exp.alias_(k, names.identifier(key_name(i))) for i, k in enumerate(source)), copy=False)
        .distinct()
        .from_(build_source_relation(view.source, dialect), copy=False)
        .where(exp.and_(*present, copy=False), copy=False)
    )
    if wanted is not None:
        distinct = distinct.join(wanted.copy().as_("_vfs_wanted"), on=_matches(source), join_type="INNER")
    ordered = [exp.Ordered(this=names.column(key_name(i)), nulls_first=False) for i in range(len(source))]
    number = exp.Window(this=exp.RowNumber(), order=exp.Order(expressions=ordered))
    return exp.select(
        exp.Star(), exp.alias_(zoned_timestamp_literal(as_of), names.identifier(AS_OF)),
        exp.alias_(exp.cast(exp.null(), "TIMESTAMPTZ"), names.identifier(CREATED)),
        exp.alias_(number, names.identifier(names.ROW)), copy=False,
    ).from_(distinct.subquery("_vfs_distinct"), copy=False)


def _matches(source: Sequence[exp.Column]) -> exp.Expression:
    """Source keys equal the wanted keys, compared as text (as the online store keys them)."""
    return exp.and_(*(
        exp.cast(key.copy(), "TEXT").eq(exp.column(frame_column(names.key_column(i)), table="_vfs_wanted"))
        for i, key in enumerate(source)
    ))
