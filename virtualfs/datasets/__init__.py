"""Saved datasets: a training frame kept in the warehouse with a manifest that says how to rebuild it.

The flow, top-down. **Save** (``RetrievalJob.save``): check the name (``manifest.check_name``)
and that it is free, note the time (``as_of``), write the rows and the entity rows into the
feature schema without leaving the warehouse (``tables.write_tables``), count and hash both
there (``tables.fingerprint``), and record the manifest in the catalog (``catalog.datasets``;
saving over a name keeps the old manifest in history). **Read** (``get_dataset``,
``list_datasets``): the live manifests, and the rows on demand (``dataset.Dataset``).
**Delete**: a tombstone in the history, then the tables dropped. **Recreate**
(``recreate.recreate``): the request rebuilt from the sources as they were at ``as_of``, under
the catalog version it was made with, and compared with the saved rows in the warehouse.

Example::

    job = store.get_historical_features(labels, "churn")
    job.save("churn_train_v1", description="first cut", tags={"team": "growth"})
    store.recreate_dataset("churn_train_v1").identical
    # -> True
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from virtualfs.datasets.dataset import Dataset
from virtualfs.datasets.manifest import CopyRecord, EntityRows, Manifest, check_name
from virtualfs.datasets.profile import statistics
from virtualfs.datasets.recreate import RecreateReport, recreate
from virtualfs.datasets.tables import DatasetTables, Fingerprint, drop_tables, fingerprint, write_tables
from virtualfs.dialects.render import to_sql
from virtualfs.errors import NotFoundError, RequestError
from virtualfs.instants import utc_now
from virtualfs.registry import suggest

if TYPE_CHECKING:
    from datetime import datetime

    from virtualfs.context import ProjectContext
    from virtualfs.retrieval import RetrievalJob
    from virtualfs.retrieval.origin import JobOrigin

__all__ = ["Dataset", "Manifest", "RecreateReport", "SaveRequest", "delete_dataset", "get_dataset",
           "list_datasets", "recreate_dataset", "save_dataset"]


@dataclass(frozen=True)
class SaveRequest:
    """A dataset's name, what a person should know of it, and whether it may replace one."""

    name: str
    description: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    overwrite: bool = False


def save_dataset(job: RetrievalJob, request: SaveRequest) -> Dataset:
    """Save ``job``'s rows as dataset ``request.name``; see the module docstring."""
    origin = _origin(job)
    context = origin.context
    name = check_name(request.name)
    _check_tags(request)
    if origin.gate is not None:
        origin.gate.authorize("datasets", name, action="dataset.save")
    _refuse_taken(context, name, request.overwrite)
    tables = DatasetTables(context.copies.schema, name, job.warehouse.dialect)
    as_of = utc_now()
    write_tables(job, tables)
    rows = fingerprint(job.warehouse, tables.table(tables.rows_name))
    entities = fingerprint(job.warehouse, tables.table(tables.entities_name), with_positions=True)
    manifest = _manifest(job, origin, request, tables, as_of, rows, entities)
    # the feature statistics of its rows, kept with the manifest (``profile``)
    kept = statistics(job.warehouse, manifest, tables.table(tables.rows_name))
    manifest = replace(manifest, statistics=kept)
    record = context.catalog.datasets.record(name, manifest.to_data(), request.overwrite)
    if origin.gate is not None:
        origin.gate.record("dataset.save", name, detail={"rows": rows.rows, "masked": len(job.masks)})
    return Dataset.of(context, record)


def get_dataset(context: ProjectContext, name: str) -> Dataset:
    """The live dataset ``name``; NotFoundError (naming the saved ones) when there is none."""
    record = context.catalog.datasets.latest(name)
    if record is None or not record.live:
        known = [r.name for r in context.catalog.datasets.live()]
        state = " (it was deleted)" if record is not None else suggest(name, known)
        raise NotFoundError(f"dataset {name!r} does not exist{state}; "
                            f"saved datasets: {', '.join(known) or 'none'}")
    return Dataset.of(context, record)


def list_datasets(context: ProjectContext) -> list[Dataset]:
    """Every live dataset, by name."""
    return [Dataset.of(context, record) for record in context.catalog.datasets.live()]


def delete_dataset(context: ProjectContext, name: str) -> None:
    """Delete dataset ``name``: a tombstone in its history (earlier manifests stay), then its tables."""
    dataset = get_dataset(context, name)
    context.catalog.datasets.tombstone(name)
    drop_tables(context.warehouse, dataset.tables)


def recreate_dataset(context: ProjectContext, name: str, into: str | None = None) -> RecreateReport:
    """Rebuild dataset ``name`` from its sources as of its ``as_of`` and compare (``recreate``)."""
    return recreate(get_dataset(context, name), into)


def _origin(job: RetrievalJob) -> JobOrigin:
    if job.origin is None:
        raise RequestError("save needs a project's catalog: build the frame with "
                           "FeatureStore.get_historical_features")
    if job.origin.version is None:
        raise RequestError("save needs applied definitions: run `virtualfs apply` first")
    return job.origin


def _check_tags(request: SaveRequest) -> None:
    for key, value in request.tags.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise RequestError(f"dataset {request.name!r}: tags must map text to text; "
                               f"got {key!r}: {value!r}")
    if not isinstance(request.description, str):
        raise RequestError(f"dataset {request.name!r}: description must be text")


def _refuse_taken(context: ProjectContext, name: str, overwrite: bool) -> None:
    """Before any work: the catalog checks again when the manifest is recorded."""
    context.catalog.datasets.check_free(name, overwrite)


def _manifest(job: RetrievalJob, origin: JobOrigin, request: SaveRequest, tables: DatasetTables,
              as_of: datetime, rows: Fingerprint, entities: Fingerprint) -> Manifest:
    dialect = job.warehouse.dialect
    query = job.entities.query
    entity_rows = EntityRows(
        kind="frame" if query is None else "query", columns=tuple(job.entities.columns),
        timestamp=job.entities.timestamp, keys=dict(job.entities.keys), rows=entities.rows,
        fingerprint=entities.content_hash, table=tables.display(tables.entities_name),
        sql=to_sql(query, dialect) if query is not None else None)
    reads = tuple(CopyRecord(r.view, r.copy, r.location, r.watermark, r.rows) for r in origin.copies_read)
    return Manifest(
        name=request.name, description=request.description, tags=dict(request.tags),
        catalog_version=origin.version, features=origin.features, service=origin.service, rule=job.rule,
        full_feature_names=origin.full_feature_names, entities=entity_rows,
        sql=job.compiled(row_ids=True).render(dialect, pretty=True), as_of=as_of,
        table=tables.display(tables.rows_name), warehouse=dialect, rows=rows.rows, columns=rows.columns,
        content_hash=rows.content_hash, statistics=rows.statistics(), reads=reads)
