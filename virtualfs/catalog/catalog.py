"""The metadata catalog: immutable versions of a project's definitions, watermarks, run history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from virtualfs.catalog import tables
from virtualfs.catalog.audit import AuditTable
from virtualfs.catalog.check_results import CheckResults
from virtualfs.catalog.datasets import DatasetManifests
from virtualfs.catalog.diff import Plan
from virtualfs.catalog.marks import Watermarks
from virtualfs.catalog.opening import first_line, open_catalog_engine
from virtualfs.catalog.serde import canonical_json, fingerprint, from_data
from virtualfs.catalog.state import RefreshState
from virtualfs.definitions import FeatureView
from virtualfs.definitions.base import sql_already_checked
from virtualfs.errors import ConflictError, NotFoundError
from virtualfs.instants import utc_now
from virtualfs.registry import Registry


@dataclass(frozen=True)
class CatalogVersion:
    version: int
    parent: int | None
    created_at: datetime
    summary: str


class Catalog:
    """One project's catalog in any SQLAlchemy database (SQLite file by default)."""

    def __init__(self, url: str, project: str) -> None:
        self.url, self.project = url, project
        self.engine = open_catalog_engine(url)

    def latest_version(self) -> int | None:
        query = sa.select(sa.func.max(tables.versions.c.version)).where(
            tables.versions.c.project == self.project
        )
        with self.engine.connect() as connection:
            return connection.execute(query).scalar()

    def registry(self, version: int | None = None) -> Registry:
        """The definitions of ``version`` (the latest when None; empty if nothing applied)."""
        if version is None:
            version = self.latest_version()
            if version is None:
                return Registry()
        objs = tables.objects
        query = sa.select(objs.c.spec).where(objs.c.project == self.project, objs.c.version == version)
        with self.engine.connect() as connection:
            specs = connection.execute(query).scalars().all()
            if not specs and not self._has_version(connection, version):
                raise NotFoundError(f"catalog version {version} does not exist for {self.project!r}")
        with sql_already_checked():  # applied definitions were checked when they were applied
            return Registry.from_objects([from_data(json.loads(s)) for s in specs], version=version)

    def applied_views(self) -> list[FeatureView]:
        """Every distinct definition of a feature view any version of this project applied:
        what every copy this project ever stored was made from (garbage collection's history)."""
        objs = tables.objects
        query = sa.select(objs.c.spec).where(
            objs.c.project == self.project, objs.c.kind == FeatureView.kind).distinct()
        with self.engine.connect() as connection:
            specs = connection.execute(query).scalars().all()
        with sql_already_checked():
            return [from_data(json.loads(spec)) for spec in sorted(specs)]

    def write_version(self, registry: Registry, plan: Plan) -> CatalogVersion:
        """Store ``registry`` as version ``plan.base_version + 1`` in one transaction.

        The watermarks of every view the plan creates, deletes or changes in a way that affects
        its data are dropped in the same transaction: rows refreshed or materialized under the old
        definition must not be read as the new one's, so the view's table is not read until it is
        refreshed again (rebuilt, having no watermark) and its next materialization starts over.
        If another apply wrote that version first, nothing is written and ConflictError says so.
        """
        parent = plan.base_version
        record = CatalogVersion((parent or 0) + 1, parent, utc_now(), plan.summary(done=True))
        rows = [
            {"project": self.project, "version": record.version, "kind": obj.kind, "name": obj.name,
             "spec": canonical_json(obj), "fingerprint": fingerprint(obj)}
            for obj in registry.objects()
        ]
        try:
            with self.engine.begin() as connection:
                connection.execute(tables.versions.insert().values(
                    project=self.project, version=record.version, parent=parent,
                    created_at=record.created_at.isoformat(), summary=record.summary))
                if rows:
                    connection.execute(tables.objects.insert(), rows)
                stale = [c.name for c in plan.changes if c.kind == "feature view" and c.affects_data]
                if stale:
                    m = tables.marks
                    connection.execute(m.delete().where(m.c.project == self.project, m.c.view.in_(stale)))
        except sa.exc.IntegrityError:
            raise ConflictError(
                f"catalog version {record.version} of {self.project!r} was written by another apply "
                f"after this plan was made from version {parent}; run plan/apply again"
            ) from None
        except sa.exc.OperationalError as error:
            raise ConflictError(f"catalog is busy (another apply?): {first_line(error)}") from None
        return record

    def versions(self) -> list[CatalogVersion]:
        v = tables.versions
        query = sa.select(v.c.version, v.c.parent, v.c.created_at, v.c.summary).where(
            v.c.project == self.project).order_by(v.c.version)
        with self.engine.connect() as connection:
            return [CatalogVersion(r.version, r.parent, datetime.fromisoformat(r.created_at), r.summary)
                    for r in connection.execute(query)]

    @property
    def marks(self) -> Watermarks:
        """Watermarks of this project's stored copies (tables, tiles tables, online)."""
        return Watermarks(self.engine, self.project)

    @property
    def datasets(self) -> DatasetManifests:
        """Manifests of this project's saved datasets, each name's revisions kept."""
        return DatasetManifests(self.engine, self.project)

    @property
    def state(self) -> RefreshState:
        """Run history and locks of this project's refreshes."""
        return RefreshState(self.engine, self.project)

    @property
    def audit(self) -> AuditTable:
        """Who did what, when, with what outcome (append-only)."""
        return AuditTable(self.engine, self.project)

    @property
    def checks(self) -> CheckResults:
        """What the checks of each refresh run observed."""
        return CheckResults(self.engine, self.project)

    def close(self) -> None:
        self.engine.dispose()

    def _has_version(self, connection: sa.Connection, version: int) -> bool:
        v = tables.versions
        query = sa.select(v.c.version).where(v.c.project == self.project, v.c.version == version)
        return connection.execute(query).first() is not None
