"""The rows an ASOF-style join may land on, so that landing on the latest one is the right answer.

An ASOF join finds, per entity row, the source row with the greatest ordering value ``<= t``.

- Event-time rule: order by ``e``; rows tied on ``e`` are first reduced to the one with the
  greatest ``c`` (or, packed, the join orders by ``(e, c)`` at once).
- Known-time rule: a row counts once it is known, at ``k = greatest(e, c)``, but the winner is
  the greatest ``(e, c)``, not the greatest ``k``. So keep only *records*: rows whose ``(e, c)``
  is the greatest of all rows of their key known by their ``k`` (ties on ``k`` included). The
  latest record with ``k <= t`` is then the greatest ``(e, c)`` among rows known at ``t``:
  one sort and one pass per key, then one ASOF join on ``k``.

``packed=True`` folds ``(e, c)`` into one INT128 (DuckDB): one window instead of two, and an
ASOF join on the pair. The portable form uses plain ``MAX`` windows and ``ROW_NUMBER``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from virtualfs.compile import names
from virtualfs.compile.pit.base import selected_from
from virtualfs.compile.request import ViewContext

_SHIFT = exp.Literal.number(2**64)
_LOWEST, _HIGHEST = exp.Literal.number(-(2**63)), exp.Literal.number(2**63 - 1)
_INT128 = exp.DataType.build("INT128")


@dataclass(frozen=True)
class AsofTarget:
    """What an ASOF join lands on: extra CTEs, the relation, and ``ordering(alias) <= probe``."""

    ctes: tuple[tuple[str, exp.Query], ...]
    table: str
    probe: exp.Expression
    ordering: str


def asof_target(view: ViewContext, packed: bool) -> AsofTarget:
    """The relation and ordering an ASOF join of ``view`` uses under the view's rule."""
    time = view.entity_time()
    if view.uses_known_time:
        records = _packed_records(view) if packed else _portable_records(view)
        return AsofTarget(((view.best, records),), view.best, time, names.KNOWN)
    if not view.has_created:  # no tie-break exists: the rule is just e <= t
        return AsofTarget((), view.scan, time, names.EVENT)
    if packed:
        ordered = selected_from(view.scan, [exp.Star(), _order_column()])
        return AsofTarget(((view.best, ordered),), view.best, _packed(time, None), names.ORDER)
    return AsofTarget(((view.best, _newest_per_event(view)),), view.best, time, names.EVENT)


def _packed_records(view: ViewContext) -> exp.Select:
    order = names.column(names.ORDER)
    running_best = _running(exp.Max(this=order), view, partition=[])
    records = selected_from(view.scan, [exp.Star(), _order_column()])
    records.set("qualify", exp.Qualify(this=exp.EQ(this=order.copy(), expression=running_best)))
    return records


def _portable_records(view: ViewContext) -> exp.Select:
    event, created = names.column(names.EVENT), names.column(names.CREATED)
    best_event = _running(exp.Max(this=event), view, partition=[])
    # among rows of the best event time, the greatest created time (null when all are null)
    best_created = _running(exp.Max(this=created), view, partition=[event.copy()])
    record = exp.And(
        this=exp.EQ(this=event.copy(), expression=best_event),
        expression=exp.NullSafeEQ(this=created.copy(), expression=best_created),
    )
    records = selected_from(view.scan, [exp.Star()])
    records.set("qualify", exp.Qualify(this=record))
    return records


def _newest_per_event(view: ViewContext) -> exp.Select:
    event, created = names.column(names.EVENT), names.column(names.CREATED)
    rank = exp.Window(
        this=exp.RowNumber(),
        partition_by=[*view.keys(view.scan), event],
        order=exp.Order(expressions=[exp.Ordered(this=created, desc=True, nulls_first=False)]),
    )
    newest = selected_from(view.scan, [exp.Star()])
    newest.set("qualify", exp.Qualify(this=exp.EQ(this=rank, expression=exp.Literal.number(1))))
    return newest


def _running(aggregate: exp.Expression, view: ViewContext, partition: list[exp.Expression]) -> exp.Window:
    """``aggregate`` over the key's rows known so far, ties on the known time included."""
    spec = exp.WindowSpec(kind="RANGE", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW")
    known = exp.Ordered(this=names.column(names.KNOWN), desc=False, nulls_first=False)
    return exp.Window(
        this=aggregate,
        partition_by=[*view.keys(view.scan), *partition],
        order=exp.Order(expressions=[known]),
        spec=spec,
    )


def _order_column() -> exp.Expression:
    event, created = names.column(names.EVENT), names.column(names.CREATED)
    return names.alias(_packed(event, created), names.ORDER)


def _packed(event: exp.Expression, created: exp.Expression | None) -> exp.Expression:
    """``e`` in microseconds times 2**64 plus ``c`` in microseconds: sorts as the pair ``(e, c)``.

    A null ``c`` sorts lowest; with no ``c`` (a probe) the highest ``c`` is taken.
    """
    high = exp.Cast(this=exp.UnixMicros(this=event), to=_INT128.copy())
    low = _HIGHEST.copy() if created is None else exp.Coalesce(
        this=exp.UnixMicros(this=created), expressions=[_LOWEST.copy()]
    )
    return exp.Add(this=exp.Mul(this=high, expression=_SHIFT.copy()), expression=low)
