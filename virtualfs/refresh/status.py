"""What is stored of a view, as the catalog records it: its last refresh run, its table's
watermark and row count, how fresh each of its stored parts in the online store is, and what
its checks observed when they last ran.

Read from the catalog only (no warehouse or online store is opened), so it answers while a
refresh or a server holds them. A record written for another copy — an older definition of the
view, another feature schema or online store — is not this copy's and reads as none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from virtualfs.copies import online_mark
from virtualfs.online.keys import stored_parts

if TYPE_CHECKING:
    from virtualfs.catalog import Catalog, WatermarkRecord
    from virtualfs.catalog.check_results import CheckedRun
    from virtualfs.catalog.state import RunRecord
    from virtualfs.copies import StoredCopies
    from virtualfs.definitions import FeatureView

LATEST_ROWS, AGGREGATES = "latest rows", "aggregates"


@dataclass(frozen=True)
class OnlinePart:
    """One stored part of a view online (``online.keys.stored_parts``) and its watermark record:
    ``record.watermark`` is the time it was materialized as of, ``record.updated_at`` when."""

    part: str  # LATEST_ROWS or AGGREGATES
    record: WatermarkRecord | None


@dataclass(frozen=True)
class ViewStatus:
    """A view's last refresh run, its table's record (None: not stored, or never refreshed in
    this definition), its online parts, and its last checked run (None: never checked)."""

    view: str
    materialize: str
    last_run: RunRecord | None
    table: WatermarkRecord | None
    online: tuple[OnlinePart, ...]
    checks: CheckedRun | None = None


def view_status(catalog: Catalog, copies: StoredCopies, online_identity: str,
                view: FeatureView) -> ViewStatus:
    """The status of ``view`` in the project whose tables are ``copies`` and whose online store
    is identified by ``online_identity``.

    Example::

        view_status(store.catalog, store.copies, store.config.online.identity, view).table.rows
        # -> 2345
    """
    runs = catalog.state.runs(view.name, limit=1)
    table = catalog.marks.get(view.name, copies.table_mark(view)) if view.materialize != "view" else None
    online = tuple(OnlinePart(AGGREGATES if part.aggregations else LATEST_ROWS,
                              catalog.marks.get(view.name, online_mark(part, online_identity)))
                   for part in stored_parts(view))
    checks = catalog.checks.latest(view.name) if view.checks else None
    return ViewStatus(view.name, view.materialize, runs[0] if runs else None, table, online, checks)
