"""The PitStrategy protocol, and the pieces strategies share.

A strategy turns one view of a request into common table expressions and one join onto the
entity relation (aliased ``_vfs_entity``), plus the view's output columns. The assembler
(``virtualfs.compile.historical``) stacks the views' joins into one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from virtualfs.compile import names
from virtualfs.compile.request import ViewContext
from virtualfs.compile.scan import landed_by, minus
from virtualfs.dialects import Capabilities


@dataclass(frozen=True)
class ViewJoin:
    """One view compiled: ``ctes`` (name, query) in order, the ``join``, the output ``columns``."""

    ctes: tuple[tuple[str, exp.Query], ...]
    join: exp.Join
    columns: tuple[exp.Expression, ...]


class PitStrategy(Protocol):
    """A point-in-time join technique. ``joins_per_view`` counts the joins one view costs."""

    name: str
    joins_per_view: int

    def supports(self, capabilities: Capabilities) -> bool:
        """Whether a warehouse with ``capabilities`` can run this strategy's SQL."""
        ...

    def build_view(self, view: ViewContext) -> ViewJoin:
        """The CTEs, join and output columns of ``view``; output has one row per entity row."""
        ...


def candidate_condition(view: ViewContext, table: str) -> exp.Expression:
    """Rows of ``table`` that the rule lets entity row ``t`` see: ``e <= t``, under the known-time
    rule also landed by ``t`` (a null created time counts as landed at ``e``), within the TTL."""
    event = names.column(names.EVENT, table)
    conditions = [*view.keys_match(table), exp.LTE(this=event, expression=view.entity_time())]
    if view.uses_known_time:
        created = names.column(names.CREATED, table)
        conditions.append(landed_by(created, event.copy(), view.entity_time()))
    if view.ttl is not None:
        oldest = minus(view.entity_time(), view.ttl)
        conditions.append(exp.GTE(this=event.copy(), expression=oldest))
    return exp.and_(*conditions, copy=False)


def newest_first(view: ViewContext, table: str) -> list[exp.Ordered]:
    """Winner first: greatest ``e``, ties by greatest ``c`` (a null created time loses ties).

    Candidates never have a null ``e`` (they satisfy ``e <= t``), so ``e`` is ordered with the
    dialect's own null placement: a plain ``DESC`` an index on (keys, e) can be read backwards for
    (PostgreSQL puts nulls first on ``DESC``; an explicit ``NULLS LAST`` there forces a sort).
    """
    default_nulls_first = Dialect.get_or_raise(view.dialect).NULL_ORDERING == "nulls_are_large"
    order = [exp.Ordered(this=names.column(names.EVENT, table), desc=True, nulls_first=default_nulls_first)]
    if view.has_created:
        order.append(exp.Ordered(this=names.column(names.CREATED, table), desc=True, nulls_first=False))
    return order


def plain_columns(view: ViewContext) -> tuple[exp.Expression, ...]:
    """The view's features as output columns, read from its joined alias."""
    return tuple(names.alias(view.feature(f, view.alias), f.output) for f in view.lookup.features)


def ttl_columns(view: ViewContext) -> tuple[exp.Expression, ...]:
    """Output columns that are null when the joined row is older than the TTL.

    Used by ASOF strategies, where the TTL cannot be part of the join: the join picks the winner,
    then a winner with ``e < t - ttl`` gives nulls.
    """
    if view.ttl is None:
        return plain_columns(view)
    oldest = minus(view.entity_time(), view.ttl)
    fresh = exp.GTE(this=names.column(names.EVENT, view.alias), expression=oldest)
    return tuple(
        names.alias(exp.Case(ifs=[exp.If(this=fresh.copy(), true=view.feature(f, view.alias))]), f.output)
        for f in view.lookup.features
    )


def left_join_on_row(view: ViewContext, table: str) -> exp.Join:
    """``LEFT JOIN table AS alias ON alias._vfs_row = _vfs_entity._vfs_row``."""
    on = exp.EQ(this=names.column(names.ROW, view.alias), expression=names.column(names.ROW, names.ENTITY))
    return exp.Join(this=aliased(table, view.alias), side="LEFT", on=on)


def aliased(table: str, alias: str) -> exp.Table:
    """``"table" AS "alias"``."""
    return exp.Table(this=names.identifier(table), alias=exp.TableAlias(this=names.identifier(alias)))


def selected_from(table: str, projections: list[exp.Expression]) -> exp.Select:
    """``SELECT projections FROM table``."""
    return exp.Select(expressions=projections, from_=exp.From(this=names.table(table)))
