"""Watermarks that belong to one stored copy of a view's rows.

A watermark says "this copy holds every source row that landed by W". It is only true of the
copy it was written for: the warehouse table (or tiles table, or online store) at one location,
filled by one definition of the view. So each watermark records a :class:`Mark` — what kind of
copy, where it is, which definition filled it — and how many rows the copy held when the
watermark was written. A watermark read for a different mark (the feature schema moved, the
definition changed, the online store is another one) is no watermark at all, and a copy whose
row count no longer matches its record (dropped or edited out of band) is not trusted either:
``virtualfs.copies`` checks that.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum

import sqlalchemy as sa

from virtualfs.catalog import tables
from virtualfs.instants import utc_now


class MarkKind(str, Enum):
    """The kinds of stored copies a watermark can describe."""

    TABLE = "table"    # a refreshed view's table in the feature schema
    TILES = "tiles"    # one kept tiles table of a view
    ONLINE = "online"  # the view's rows in the online store


@dataclass(frozen=True)
class Mark:
    """One stored copy of a view's rows: its kind, where it lives, what definition filled it.

    ``name`` tells several copies of one kind apart (a view keeps one tiles table per tile
    size); ``backend`` identifies the warehouse or online store (its non-secret settings), so
    the same table name in another database is another copy.

    >>> Mark(MarkKind.TABLE, "virtualfs_features.shop__orders", "3f2a", "b1").key
    'table'
    """

    kind: MarkKind
    location: str
    fingerprint: str
    backend: str = ""
    name: str = ""

    @property
    def key(self) -> str:
        """How the catalog files this mark under its view."""
        return self.kind.value if not self.name else f"{self.kind.value}:{self.name}"

    @property
    def identity(self) -> str:
        """A digest of everything that makes this copy this copy."""
        parts = [self.kind.value, self.name, self.location, self.fingerprint, self.backend]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class WatermarkRecord:
    """A watermark and what it was written for: ``rows`` the copy held then (None: not counted)."""

    view: str
    key: str
    location: str
    identity: str
    watermark: datetime | None
    rows: int | None
    updated_at: datetime


class Watermarks:
    """The watermarks of one project's stored copies."""

    def __init__(self, engine: sa.Engine, project: str) -> None:
        self.engine, self.project = engine, project

    def get(self, view: str, mark: Mark) -> WatermarkRecord | None:
        """The record of ``mark``; None when there is none or it was written for another copy."""
        record = self._read(view, mark.key)
        return record if record is not None and record.identity == mark.identity else None

    def watermark(self, view: str, mark: Mark) -> datetime | None:
        record = self.get(view, mark)
        return record.watermark if record is not None else None

    def set(self, view: str, mark: Mark, watermark: datetime | None, rows: int | None = None) -> None:
        """Record that ``mark``'s copy holds every row landed by ``watermark`` (``rows`` of them);
        with no watermark, only how many rows it holds."""
        m = tables.marks
        key = (m.c.project == self.project) & (m.c.view == view) & (m.c.target == mark.key)
        row = {"identity": mark.identity, "location": mark.location[:500], "watermark": _text(watermark),
               "row_count": rows, "updated_at": _text(utc_now())}
        with self.engine.begin() as connection:
            if connection.execute(m.update().where(key).values(**row)).rowcount == 0:
                connection.execute(m.insert().values(project=self.project, view=view, target=mark.key, **row))

    def forget(self, view: str, mark: Mark | str | None = None) -> None:
        """Drop ``mark``'s record, or the record filed under key ``mark`` (a ``Mark.key``), or
        every record of ``view`` when None."""
        m = tables.marks
        condition = (m.c.project == self.project) & (m.c.view == view)
        if mark is not None:
            condition = condition & (m.c.target == (mark.key if isinstance(mark, Mark) else mark))
        with self.engine.begin() as connection:
            connection.execute(m.delete().where(condition))

    def records(self) -> list[WatermarkRecord]:
        """Every record of this project, of every view (what garbage collection looks through)."""
        m = tables.marks
        query = sa.select(m).where(m.c.project == self.project).order_by(m.c.view, m.c.target)
        with self.engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]

    def of_view(self, view: str) -> dict[str, WatermarkRecord]:
        """Every record of ``view``, by key (for people and tests; reads use :meth:`get`)."""
        m = tables.marks
        query = sa.select(m).where(m.c.project == self.project, m.c.view == view)
        with self.engine.connect() as connection:
            return {row.target: _record(row) for row in connection.execute(query)}

    def _read(self, view: str, key: str) -> WatermarkRecord | None:
        m = tables.marks
        query = sa.select(m).where(m.c.project == self.project, m.c.view == view, m.c.target == key)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return _record(row) if row is not None else None


def _record(row: sa.Row) -> WatermarkRecord:
    return WatermarkRecord(row.view, row.target, row.location, row.identity,
                           datetime.fromisoformat(row.watermark) if row.watermark else None, row.row_count,
                           datetime.fromisoformat(row.updated_at))


def _text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat()
