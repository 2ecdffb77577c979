"""A view's stored copies and checks as the pages show them: last run, table watermark and
rows, online freshness per stored part (``refresh.status.ViewStatus``), and what its checks last
observed — the observations only to a viewer who may see values they quote.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from virtualfs.ui.present import run_data

if TYPE_CHECKING:
    from virtualfs.catalog.check_results import CheckedRun
    from virtualfs.definitions import FeatureView
    from virtualfs.refresh.status import ViewStatus
    from virtualfs.ui.viewer import Viewer

HIDDEN = "hidden: your role may not see values"


def status_data(status: ViewStatus) -> dict[str, Any]:
    """Last run, table and online parts, JSON-able (times stay datetimes: the encoder writes ISO)."""
    table = status.table
    return {
        "last_run": run_data(status.last_run) if status.last_run is not None else None,
        "table": None if table is None else {"location": table.location, "rows": table.rows,
                                             "watermark": table.watermark, "updated_at": table.updated_at},
        "online": [{"part": p.part, "as_of": p.record and p.record.watermark,
                    "updated_at": p.record and p.record.updated_at} for p in status.online],
    }


def checks_data(view: FeatureView, checked: CheckedRun | None, viewer: Viewer) -> dict[str, Any]:
    """The view's checks and, when they ran, the last run's results."""
    defined = [{"name": c.name, "condition": c.condition, "column": c.column, "expected": c.expected,
                "severity": c.severity, "scope": c.scope} for c in view.checks]
    if checked is None:
        return {"defined": defined, "last_run": None}
    results = [{**r.data(), "observation": r.observation if viewer.observes else HIDDEN,
                "observed": r.observed if viewer.observes else None} for r in checked.results]
    return {"defined": defined, "last_run": {"run_id": checked.run_id, "started_at": checked.started_at,
                                             "status": checked.status, "results": results}}
