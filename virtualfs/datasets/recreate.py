"""Recreating a saved dataset: the same request, rebuilt from the sources, compared row by row.

The rebuild uses the definitions of the manifest's catalog version (not today's), the entity
rows kept at save time (in their order), and reads every source only as far as it had landed
by the manifest's ``as_of`` (``compile.scan.build_landed_rows``): never a refreshed table or kept
tiles, which may since have moved on. Sums and averages are exact (``dialects.sums``), so
reading a source instead of a copy of it gives the same bits. The rebuilt rows go to a table
(``into``, or a scratch table dropped afterwards) and are compared with the saved ones in the
warehouse, matched by ``_vfs_row``.

What cannot be promised is said, per dataset, in :func:`caveats`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from virtualfs.compile.dataset import REBUILT, SAVED, build_differences, difference_name
from virtualfs.compile.refresh import build_drop
from virtualfs.datasets.tables import fingerprint
from virtualfs.dialects.identifiers import warehouse_table
from virtualfs.errors import RequestError
from virtualfs.push.tables import with_pushed_tables
from virtualfs.retrieval.entities import EntityInput
from virtualfs.retrieval.job import RetrievalJob, table_exists
from virtualfs.retrieval.on_demand import OnDemandPlan, plan_on_demand
from virtualfs.retrieval.source_types import typed_lookups
from virtualfs.retrieval.strategy import pick_strategy
from virtualfs.sqltext import request_fault

if TYPE_CHECKING:
    from sqlglot import exp

    from virtualfs.compile.request import ViewLookup
    from virtualfs.datasets.dataset import Dataset
    from virtualfs.datasets.manifest import Manifest


@dataclass(frozen=True)
class RecreateReport:
    """How a rebuild of dataset ``name`` compares with what was saved.

    ``identical``: the same rows (by position), every value the same, the same content hash.
    ``differing``: per column, rows whose value differs (a row only one side has differs in
    every column). ``caveats``: why identity could not be promised for this dataset, if it
    cannot (an empty tuple when its sources are append-only tables with a created time).
    ``table``: where the rebuilt rows were kept (``into``), else None.
    """

    name: str
    identical: bool
    rows_saved: int
    rows_recreated: int
    differing: dict[str, int]
    caveats: tuple[str, ...]
    content_hash_saved: str
    content_hash_recreated: str
    catalog_version: int
    as_of: datetime
    table: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "identical": self.identical, "rows_saved": self.rows_saved,
                "rows_recreated": self.rows_recreated, "differing": dict(self.differing),
                "caveats": list(self.caveats), "content_hash_saved": self.content_hash_saved,
                "content_hash_recreated": self.content_hash_recreated,
                "catalog_version": self.catalog_version, "as_of": self.as_of.isoformat(), "table": self.table}


def recreate(dataset: Dataset, into: str | None = None) -> RecreateReport:
    """Rebuild ``dataset`` (into table ``into``, which must not exist, when given) and compare."""
    context, manifest = dataset.context, dataset.info
    warehouse, tables = context.warehouse, dataset.tables
    # pushed rows are rows of their view's source: the rebuild reads them too (landed by as_of)
    registry = with_pushed_tables(context.catalog.registry(manifest.catalog_version), context.copies.schema,
                                  context.warehouse.dialect)
    plan = plan_on_demand(registry, list(manifest.features), manifest.full_feature_names)
    lookups = plan.lookups
    target = _target(dataset, into)
    job = _rebuild_job(dataset, typed_lookups(warehouse, lookups), plan)
    if into is None:
        warehouse.execute(build_drop(target))  # left by a recreate that was killed
    job.write(target, row_ids=True)
    try:
        rebuilt = fingerprint(warehouse, target)
        compared = warehouse.fetch_arrow(build_differences(dataset.relation(), target, manifest.column_names))
        entities = fingerprint(warehouse, tables.table(tables.entities_name), with_positions=True)
    finally:
        if into is None:
            warehouse.execute(build_drop(target))
    found = compared.to_pylist()[0]
    differing = {c: int(found[difference_name(i)] or 0) for i, c in enumerate(manifest.column_names)}
    rows_saved, rows_rebuilt = int(found[SAVED] or 0), int(found[REBUILT] or 0)
    identical = (rows_saved == rows_rebuilt and not any(differing.values())
                 and rebuilt.content_hash == manifest.content_hash)
    notes = caveats(manifest, lookups)
    if entities.content_hash != manifest.entities.fingerprint:
        notes += (f"the entity rows kept in {manifest.entities.table} changed since the dataset was "
                  "saved (their fingerprint differs): the rebuild is not of the same rows",)
    return RecreateReport(manifest.name, identical, rows_saved, rows_rebuilt, differing, notes,
                          manifest.content_hash, rebuilt.content_hash, manifest.catalog_version,
                          manifest.as_of, into)


def caveats(manifest: Manifest, lookups: tuple[ViewLookup, ...]) -> tuple[str, ...]:
    """Why a rebuild of ``manifest``'s dataset may differ although nothing went wrong: what the
    sources and the way they were read cannot promise. Pure."""
    notes = []
    for lookup in lookups:
        view, source = lookup.view, lookup.view.source
        if source.created is None:
            notes.append(f"view {view.name!r}: source {source.name!r} has no created time, so rows are "
                         "bounded by event time (e <= as_of): a row that landed after as_of with an "
                         "earlier event time is read, one with a later event time is not")
        if source.query is not None:
            notes.append(f"view {view.name!r}: source {source.name!r} is a query: it returns what the "
                         "tables it reads hold now")
        wanted = {f.name for f in lookup.features}
        deviations = [a.name for a in view.aggregations if a.function == "stddev" and a.name in wanted]
        if deviations:
            notes.append(f"view {view.name!r}: stddev ({', '.join(deviations)}) is added up in floating "
                         "point in the warehouse's own order and may differ in the last digits")
    for read in manifest.reads:
        watermark = read.watermark.isoformat() if read.watermark else "none"
        notes.append(f"view {read.view!r} was read from its stored copy {read.location} (watermark "
                     f"{watermark}); the rebuild reads the source, the same rows only if every row "
                     "became visible within the view's lookback of landing")
    return tuple(notes)


def _rebuild_job(dataset: Dataset, lookups: tuple[ViewLookup, ...], plan: OnDemandPlan) -> RetrievalJob:
    manifest, context = dataset.info, dataset.context
    stored = dataset.tables.table(dataset.tables.entities_name)
    rows = manifest.entities
    # request fields of on-demand features were saved with the entity rows, under their names
    requests = tuple((name, name) for name in plan.request_fields)
    entities = EntityInput(tuple(rows.columns), rows.timestamp, tuple(rows.keys.items()), stored=stored,
                           stored_from_frame=rows.kind == "frame", requests=requests)
    strategy = pick_strategy(context.warehouse, lookups)
    plan = plan.with_request_columns(dict(requests))
    return RetrievalJob(context.warehouse, lookups, entities, manifest.rule, strategy,
                        known_by=manifest.as_of, on_demand=plan if plan.derived or plan.functions else None)


def _target(dataset: Dataset, into: str | None) -> exp.Table:
    warehouse = dataset.context.warehouse
    if into is None:
        return dataset.tables.table(dataset.tables.rebuilt_name)
    target = warehouse_table(into, warehouse.dialect, request_fault("recreate into"))
    if table_exists(warehouse, target):
        raise RequestError(f"recreate into {into!r}: the table already exists; name a new one")
    return target
