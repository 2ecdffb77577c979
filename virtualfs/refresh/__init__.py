"""dbt-style refreshes and materialization: declared per view, scheduled, incremental, all-or-nothing.

The flow, top-down: choose the views (``selection``, ``due``), refresh each into its table and
kept tiles (``runner``, ``keep_tiles``, ``statements``, with watermarks that belong to the copy
they describe, ``trust``), then bring the online store up to date (``materialize``).
``scheduler`` runs the due ones in a loop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from virtualfs.refresh.materialize import MaterializeRequest, materialize
from virtualfs.refresh.runner import RefreshRequest, RefreshResult, RefreshRunner
from virtualfs.refresh.selection import select_views

if TYPE_CHECKING:
    from virtualfs.context import OnlineContext, ProjectContext
    from virtualfs.registry import Registry

__all__ = ["RefreshRequest", "RefreshResult", "RefreshRunner", "refresh_views"]


def refresh_views(context: ProjectContext, online: OnlineContext | None, registry: Registry,
                  names: Sequence[str] | None, request: RefreshRequest, due_at: datetime | None = None,
                  progress: Callable[[str, int, int], None] | None = None) -> list[RefreshResult]:
    """Refresh the views ``names`` (all when None; with ``due_at``, those whose schedule fired
    since their last successful run), each followed by materializing it into ``online`` (as of
    now) unless ``online`` is None. Each result says what was written online."""
    runner = RefreshRunner(context, progress)
    results = []
    for view in select_views(registry, names, context.catalog.state, due_at):
        result = runner.refresh(view, request)
        if online is not None:
            [written] = materialize(context, online, registry, MaterializeRequest([view.name]))
            result = dataclasses.replace(result, online=written)
        results.append(result)
    return results
