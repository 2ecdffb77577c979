"""Assemble a point-in-time retrieval: every view's join stacked onto the entity rows.

A narrow request is one query. A wide one (more views than the warehouse takes joins, or SQL
longer than it accepts) is split into parts, each written to a temporary table keyed by
``_vfs_row``, and a last query joins the parts back on it, in the entity rows' order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.aggregate.lookup import build_view_joins
from virtualfs.compile.mask import masked_projections
from virtualfs.compile.on_demand import add_derived
from virtualfs.compile.pit import PitStrategy, choose_strategy
from virtualfs.compile.pit.base import ViewJoin
from virtualfs.compile.request import ColumnMask, EntityRelation, PitRequest, ViewContext
from virtualfs.compile.scan import build_bounds
from virtualfs.dialects import Capabilities
from virtualfs.dialects.identifiers import temp_table
from virtualfs.dialects.render import to_sql
from virtualfs.errors import UnsupportedError

# "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW" is the longest text one node adds
_SYNTAX_PER_NODE = 64


@dataclass(frozen=True)
class CompiledRetrieval:
    """Statements to run in order (``setup``, then ``query``, whose rows are the result), then
    ``cleanup`` (also after a failure)."""

    setup: tuple[exp.Expression, ...]
    query: exp.Query
    cleanup: tuple[exp.Expression, ...]
    strategy: str

    def render(self, dialect: str, pretty: bool = False) -> str:
        """The SQL text of ``setup`` and ``query``, separated by ``;``."""
        return ";\n\n".join(to_sql(s, dialect, pretty=pretty) for s in (*self.setup, self.query))


def build_retrieval(request: PitRequest, dialect: str, capabilities: Capabilities,
                    strategy: PitStrategy | None = None) -> CompiledRetrieval:
    """Compile ``request`` for ``dialect`` with ``strategy`` (default: the fastest one allowed).

    Example::

        build_retrieval(request, "duckdb", capabilities_of("duckdb")).strategy
        # -> 'asof_join'
    """
    strategy = strategy or choose_strategy(capabilities)
    if not strategy.supports(capabilities):
        raise UnsupportedError(f"{dialect}: the {strategy.name} PIT strategy needs a capability it lacks")
    views = [ViewContext(i, lookup, request.entities, request.rule, dialect,
                         capabilities.prunes_by_entity_bounds,
                         tuple(k for k in request.kept_tiles if k.view.name == lookup.view.name),
                         request.known_by)
             for i, lookup in enumerate(request.lookups)]
    per_part = max(1, capabilities.max_joins_per_query // strategy.joins_per_view)
    while True:
        compiled = _compile(views, request.entities, strategy, per_part, request.masks)
        if request.derived or request.hidden:
            query = add_derived(compiled.query, request.derived, request.hidden, dialect)
            compiled = CompiledRetrieval(compiled.setup, query, compiled.cleanup, compiled.strategy)
        statements = (*compiled.setup, compiled.query)
        if max(map(_length_bound, statements)) <= capabilities.max_query_length:
            return compiled
        longest = max(len(to_sql(s, dialect)) for s in statements)
        if longest <= capabilities.max_query_length:
            return compiled
        if per_part == 1:
            raise UnsupportedError(
                f"{dialect}: one feature view compiles to {longest} characters of SQL, "
                f"more than the {capabilities.max_query_length} the warehouse accepts"
            )
        per_part = max(1, per_part // 2)


def _compile(views: list[ViewContext], entities: EntityRelation, strategy: PitStrategy,
             per_part: int, masks: tuple[ColumnMask, ...]) -> CompiledRetrieval:
    chunks = _balanced(views, per_part)
    if len(chunks) == 1:
        query = build_select(views, entities, strategy, entities.carry, ordered=True, masks=masks)
        return CompiledRetrieval((), query, (), strategy.name)
    setup: list[exp.Expression] = []
    cleanup: list[exp.Expression] = []
    for index, chunk in enumerate(chunks):
        part = build_select(chunk, entities, strategy, (names.ROW,), ordered=False, masks=masks)
        target = temp_table(names.part_name(index))
        setup += [_drop(target), exp.Create(
            this=target.copy(), kind="TABLE", expression=part,
            properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
        )]
        cleanup.append(_drop(target))
    return CompiledRetrieval(tuple(setup), _join_parts(chunks, entities), tuple(cleanup), strategy.name)


def build_select(views: Sequence[ViewContext], entities: EntityRelation, strategy: PitStrategy,
                 carry: Sequence[str], ordered: bool, as_of: datetime | None = None,
                 masks: Sequence[ColumnMask] = ()) -> exp.Select:
    """``WITH bounds, view CTEs SELECT carry, features FROM entities <view joins> [ORDER BY row]``.

    ``as_of``: every entity row's time, when they share one (a snapshot; see ``AggregateRequest``).
    ``masks``: feature columns masked as they are selected (``compile.mask``): a wide request's
    parts hold only masked values too.
    """
    joins: list[ViewJoin] = [join for view in views for join in build_view_joins(strategy, view, as_of)]
    projections: list[exp.Expression] = [names.column(c, names.ENTITY) for c in carry]
    features = [column for join in joins for column in join.columns]
    projections += masked_projections(features, masks, views[0].dialect) if masks else features
    select = exp.select(*projections, copy=False).from_(_aliased(entities.relation()), copy=False)
    for join in joins:
        select.append("joins", join.join)
    ctes = [] if entities.time_type is None else [(names.ENTITY_ROWS, entities.build_rows())]
    if any(view.prune for view in views):
        ctes.append((names.BOUNDS, build_bounds(entities)))
    ctes += [cte for join in joins for cte in join.ctes]
    select.set("with_", exp.With(expressions=[
        exp.CTE(this=query, alias=exp.TableAlias(this=names.identifier(name))) for name, query in ctes
    ]))
    return _in_row_order(select) if ordered else select


def _join_parts(chunks: list[list[ViewContext]], entities: EntityRelation) -> exp.Select:
    projections: list[exp.Expression] = [names.column(c, names.ENTITY) for c in entities.carry]
    select = exp.select(copy=False).from_(_aliased(entities.table.copy()), copy=False)
    for index, chunk in enumerate(chunks):
        alias = names.part_name(index)
        outputs = [f.output for view in chunk for f in view.lookup.features]
        projections += [names.column(output, alias) for output in outputs]
        on = exp.EQ(this=names.column(names.ROW, alias), expression=names.column(names.ROW, names.ENTITY))
        select.append("joins", exp.Join(this=temp_table(alias), side="LEFT", on=on))
    select.set("expressions", projections)
    return _in_row_order(select)


def _length_bound(tree: exp.Expression) -> int:
    """More than the length of ``tree`` as SQL text in any dialect, without rendering it: names
    and literals (doubled, for quotes and escapes), plus the longest keyword run one node prints."""
    total = 0
    for node in tree.walk():
        text = node.args.get("this")
        total += _SYNTAX_PER_NODE + (2 * len(text) if isinstance(text, str) else 0)
    return total


def _balanced(views: list[ViewContext], per_part: int) -> list[list[ViewContext]]:
    """``views`` in as few parts of at most ``per_part`` as possible, sizes differing by at most one."""
    count = -(-len(views) // per_part)
    size, larger = divmod(len(views), count)
    parts, start = [], 0
    for index in range(count):
        end = start + size + (index < larger)
        parts.append(views[start:end])
        start = end
    return parts


def _aliased(table: exp.Table) -> exp.Table:
    table.set("alias", exp.TableAlias(this=names.identifier(names.ENTITY)))
    return table


def _in_row_order(select: exp.Select) -> exp.Select:
    row = exp.Ordered(this=names.column(names.ROW, names.ENTITY), desc=False, nulls_first=False)
    return select.order_by(row, copy=False)


def _drop(table: exp.Table) -> exp.Drop:
    return exp.Drop(this=table.copy(), kind="TABLE", exists=True)
