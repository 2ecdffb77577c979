"""Garbage collection: remove the stored copies no applied view needs any more.

Removing a view, or changing its shape, leaves its refreshed table, kept tiles tables, online
keys and watermark records behind. The flow, top-down: list what exists (``Warehouse.tables_in``
for the feature schema, ``OnlineStore.key_prefixes`` for the project's keys, the catalog's
records), work out what is garbage against the latest applied version (``plan.plan_gc``, pure),
then remove it: each view's tables under that view's refresh lock, so no refresh running for it
(with the old definition or the new) has a table dropped under it; then online keys by prefix;
then the catalog records.

A table the live version reads is never garbage: the plan is made from the latest version, and
before each view's tables are dropped the catalog is checked to be still at that version
(another apply in between stops the run with ConflictError). An apply landing in the instant
after that check can only make a dropped copy needed again by re-creating its view or changing
what it computes back, and either drops the view's watermarks: the copy would not have been
read before its next refresh rebuilt it anyway.

Example::

    report = collect_garbage(context, online, dry_run=True)
    [t.name for t in report.plan.tables]
    # -> ['shop__old_orders', 'shop__spend__tiles_3f2a9c01b7e4']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from virtualfs.compile.refresh import build_drop, build_drop_view
from virtualfs.errors import ConflictError, NotFoundError
from virtualfs.gc.plan import Existing, GarbageTable, GcPlan, plan_gc
from virtualfs.push.tables import pushed_table_name
from virtualfs.refresh.runner import holder_is_dead, lock_holder_name

if TYPE_CHECKING:
    from virtualfs.catalog.state import RefreshState
    from virtualfs.context import OnlineContext, ProjectContext
    from virtualfs.definitions import FeatureView

__all__ = ["GcPlan", "GcReport", "collect_garbage", "find_garbage"]

LEASE = timedelta(minutes=2)  # a few DROPs; a refresh waiting for the lock waits no longer


@dataclass(frozen=True)
class GcReport:
    """What was found (``plan``), and unless ``dry_run`` removed: every table but the ``busy``
    ones (a refresh of their view held its lock), ``keys_removed`` online keys, every record."""

    plan: GcPlan
    dry_run: bool
    busy: tuple[GarbageTable, ...] = ()
    keys_removed: int = 0

    @property
    def removed_tables(self) -> tuple[GarbageTable, ...]:
        return () if self.dry_run else tuple(t for t in self.plan.tables if t not in self.busy)


def find_garbage(context: ProjectContext, online: OnlineContext | None) -> GcPlan:
    """The garbage in the warehouse's feature schema, the online store (unless None) and the
    catalog, against the latest applied version; NotFoundError if none was applied (then every
    copy would look unneeded)."""
    catalog = context.catalog
    live = catalog.registry()
    if live.version is None:
        raise NotFoundError(f"project {context.project!r} has no applied definitions; gc removes "
                            "only what an applied version made and the latest one no longer needs")
    saved = _data_tables(context, [*catalog.applied_views(), *live.views.values()])
    existing = Existing(
        tables=[t for t in context.warehouse.tables_in(context.copies.schema.parts) if t not in saved],
        online=online.store.key_prefixes(context.project) if online is not None else {},
        records=catalog.marks.records(),
    )
    return plan_gc(live, catalog.applied_views(), context.copies, context.warehouse.dialect, existing)


def _data_tables(context: ProjectContext, views: Iterable[FeatureView]) -> set[str]:
    """Tables that hold data no other copy has, so never garbage nor unknown: live saved datasets
    (``virtualfs.datasets``), the pushed rows of every view the project ever pushed to
    (``virtualfs.push``; a view deleted since keeps them), and the served log (``virtualfs.servedlog``)."""
    schema, dialect = context.copies.schema, context.warehouse.dialect
    names = [f"{schema.project}__served_log"]
    for record in context.catalog.datasets.live():
        names += [schema.dataset_table_name(record.name), schema.dataset_entities_name(record.name)]
    names += [pushed_table_name(schema, view.name) for view in views if view.push]
    return {schema.stored_name(name, dialect) for name in names}


def collect_garbage(context: ProjectContext, online: OnlineContext | None, dry_run: bool = False) -> GcReport:
    """Find the garbage and, unless ``dry_run``, remove it."""
    plan = find_garbage(context, online)
    if dry_run or plan.is_empty:
        return GcReport(plan, dry_run)
    busy = _drop_tables(context, plan)
    _check_still_live(context, plan)
    removed = sum(online.store.delete_prefix(keys.prefix) for keys in plan.online) if online else 0
    for record in plan.records:
        context.catalog.marks.forget(record.view, record.key)
    return GcReport(plan, dry_run, busy, removed)


def _drop_tables(context: ProjectContext, plan: GcPlan) -> tuple[GarbageTable, ...]:
    """Drop the plan's tables, each view's under its lock; the tables of views whose lock a
    running refresh holds are left (and returned)."""
    state, holder = context.catalog.state, lock_holder_name()  # as a refresh names it: its death is seen
    schema, dialect = context.copies.schema, context.warehouse.dialect
    busy: list[GarbageTable] = []
    for view in sorted({t.view for t in plan.tables}):
        tables = [t for t in plan.tables if t.view == view]
        if not _take_lock(state, view, holder):
            busy += tables
            continue
        try:
            _check_still_live(context, plan)
            for table in tables:
                # a masked view reading it (``virtualfs grants``) would keep PostgreSQL from dropping it
                masked = schema.table(schema.masked_view_name(table.name), dialect)
                context.warehouse.execute(build_drop_view(masked))
                context.warehouse.execute(build_drop(schema.stored_table(table.name, dialect)))
        finally:
            state.release_lock(view, holder)
    return tuple(busy)


def _take_lock(state: RefreshState, view: str, holder: str) -> bool:
    if state.acquire_lock(view, holder, LEASE):
        return True
    current = state.lock_holder(view)
    return bool(current and holder_is_dead(current) and state.take_over_lock(view, current, holder, LEASE))


def _check_still_live(context: ProjectContext, plan: GcPlan) -> None:
    latest = context.catalog.latest_version()
    if latest != plan.version:
        raise ConflictError(f"catalog version {latest} of {context.project!r} was applied while gc ran "
                            f"(it planned against version {plan.version}); run gc again")
