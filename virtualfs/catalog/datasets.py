"""Saved datasets' manifests: an append-only history per name.

Saving a name records revision 1; saving over it (``overwrite``) records the next revision, and
deleting it records a tombstone, so what a name held before stays readable. The live dataset
of a name is its latest revision, unless that is a tombstone. The manifest itself is plain
JSON data here: what it says is ``virtualfs.datasets.manifest``'s business.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from virtualfs.catalog import tables
from virtualfs.errors import ConflictError, NotFoundError
from virtualfs.instants import utc_now

SAVED, DELETED = "saved", "deleted"


@dataclass(frozen=True)
class DatasetRecord:
    """One revision of a dataset name: ``saved`` with its manifest, or a ``deleted`` tombstone."""

    name: str
    revision: int
    state: str
    recorded_at: datetime
    manifest: dict[str, Any]

    @property
    def live(self) -> bool:
        return self.state == SAVED


class DatasetManifests:
    """The dataset manifests of one project."""

    def __init__(self, engine: sa.Engine, project: str) -> None:
        self.engine, self.project = engine, project

    def record(self, name: str, manifest: dict[str, Any], overwrite: bool = False) -> DatasetRecord:
        """Record ``manifest`` as dataset ``name``'s next revision. A live dataset of that name
        is an error unless ``overwrite``; so is a revision another save recorded meanwhile."""
        latest = self.check_free(name, overwrite)
        return self._insert(name, (latest.revision if latest else 0) + 1, SAVED, manifest)

    def check_free(self, name: str, overwrite: bool = False) -> DatasetRecord | None:
        """The latest revision of ``name``; ConflictError when it is live and not to be overwritten."""
        latest = self.latest(name)
        if latest is not None and latest.live and not overwrite:
            saved = f"revision {latest.revision}, saved {latest.recorded_at:%Y-%m-%d %H:%M} UTC"
            raise ConflictError(f"dataset {name!r} already exists ({saved}); pass overwrite=True "
                                "(--overwrite) to replace it (the old manifest stays in history)")
        return latest

    def tombstone(self, name: str) -> DatasetRecord:
        """Record that dataset ``name`` was deleted; NotFoundError when it is not live."""
        latest = self.latest(name)
        if latest is None or not latest.live:
            raise NotFoundError(f"dataset {name!r} does not exist{' (it was deleted)' if latest else ''}")
        return self._insert(name, latest.revision + 1, DELETED, {})

    def latest(self, name: str) -> DatasetRecord | None:
        """The latest revision of ``name`` (a tombstone included), if any."""
        history = self.history(name, limit=1)
        return history[0] if history else None

    def history(self, name: str, limit: int | None = None) -> list[DatasetRecord]:
        """Every revision of ``name``, newest first."""
        d = tables.datasets
        query = (sa.select(d).where(d.c.project == self.project, d.c.name == name)
                 .order_by(d.c.revision.desc()))
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]

    def live(self) -> list[DatasetRecord]:
        """The latest revision of every name that is not deleted, by name."""
        d = tables.datasets
        newest = (sa.select(d.c.name, sa.func.max(d.c.revision).label("revision"))
                  .where(d.c.project == self.project).group_by(d.c.name).subquery())
        query = (sa.select(d).join(newest, (d.c.name == newest.c.name) & (d.c.revision == newest.c.revision))
                 .where(d.c.project == self.project, d.c.state == SAVED).order_by(d.c.name))
        with self.engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]

    def _insert(self, name: str, revision: int, state: str, manifest: dict[str, Any]) -> DatasetRecord:
        record = DatasetRecord(name, revision, state, utc_now(), manifest)
        try:
            with self.engine.begin() as connection:
                connection.execute(tables.datasets.insert().values(
                    project=self.project, name=name, revision=revision, state=state,
                    recorded_at=record.recorded_at.isoformat(),
                    manifest=json.dumps(manifest, sort_keys=True, separators=(",", ":"))))
        except sa.exc.IntegrityError:
            raise ConflictError(f"dataset {name!r}: revision {revision} was recorded by another save "
                                "or delete meanwhile; try again") from None
        return record


def _record(row: sa.Row) -> DatasetRecord:
    return DatasetRecord(row.name, row.revision, row.state, datetime.fromisoformat(row.recorded_at),
                         json.loads(row.manifest))
