"""Stored copies of a view's rows: which may be trusted, and the marks their watermarks are filed under.

A refreshed table, a kept tiles table and the online store each hold a copy of a view's rows;
the catalog holds, per copy, a watermark and the row count the copy had when the watermark was
written (``catalog.marks``). A copy is trusted only when its record is for this copy — same
location, same definition, same warehouse — and the copy still holds exactly that many rows. A
table dropped or emptied out of band, or a feature schema moved in the config, fails the check:
reads go to the source, and the next refresh rebuilds the copy whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from virtualfs.catalog.marks import Mark, MarkKind, WatermarkRecord
from virtualfs.catalog.serde import fingerprint
from virtualfs.compile.feature_schema import FeatureSchema
from virtualfs.errors import VirtualfsError
from virtualfs.warehouses.base import count_rows

if TYPE_CHECKING:
    from sqlglot import exp

    from virtualfs.catalog import Catalog
    from virtualfs.compile.aggregate.kept_tiles import KeptTiles
    from virtualfs.definitions import FeatureView
    from virtualfs.warehouses.base import Warehouse


@dataclass(frozen=True)
class StoredCopies:
    """Where one project keeps copies of its views in one warehouse: the feature schema, and
    the warehouse's identity (``BackendConfig.identity``)."""

    schema: FeatureSchema
    backend: str

    def table_mark(self, view: FeatureView) -> Mark:
        location = self.schema.display(self.schema.view_table_name(view))
        return Mark(MarkKind.TABLE, location, fingerprint(view), self.backend)

    def tiles_mark(self, kept: KeptTiles) -> Mark:
        # the digest in the table's name covers everything the tiles depend on
        return Mark(MarkKind.TILES, kept.table, kept.digest, self.backend, name=kept.digest)


def online_mark(view: FeatureView, store_identity: str) -> Mark:
    """The mark of ``view``'s rows (a stored part, ``online.keys.stored_parts``) in the online
    store identified by ``store_identity``; a view's aggregations are filed apart."""
    return Mark(MarkKind.ONLINE, "online store", fingerprint(view), store_identity,
                name="aggregates" if view.aggregations else "")


def trusted_record(warehouse: Warehouse, catalog: Catalog, view: str, mark: Mark,
                   table: exp.Table) -> WatermarkRecord | None:
    """``mark``'s record when ``table`` still holds the rows it records; else None."""
    record = catalog.marks.get(view, mark)
    if record is None or record.rows is None:
        return None
    return record if holds_rows(warehouse, table, record.rows) else None


def holds_rows(warehouse: Warehouse, table: exp.Table, rows: int) -> bool:
    """Whether ``table`` exists and holds exactly ``rows`` rows."""
    try:
        return count_rows(warehouse, table) == rows
    except VirtualfsError:  # missing, or unreadable: not a copy anything may rely on
        return False
