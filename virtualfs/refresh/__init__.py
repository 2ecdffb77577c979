"""dbt-style refreshes and materialization: declared per view, scheduled, incremental, all-or-nothing.

The flow, top-down: choose the views (``selection``, ``due``), refresh each into its table and
kept tiles (``runner``, ``keep_tiles``, ``statements``, with watermarks that belong to the copy
they describe, ``trust``; its rows judged by its checks before the swap, ``checks``), then bring
the online store up to date (``materialize``). ``scheduler`` runs the due ones in a loop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from virtualfs.errors import CheckFailedError
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
    now) unless ``online`` is None. Each result says what was written online.

    A view whose ``error`` check fails is left as it was (table, tiles, watermark, online store);
    the other views are refreshed all the same, then :class:`CheckFailedError` names every failure
    (``.refreshed``: the results of the others)."""
    runner = RefreshRunner(context, progress)
    results, failures = [], []
    for view in select_views(registry, names, context.catalog.state, due_at):
        try:
            result = runner.refresh(view, request)
        except CheckFailedError as failed:
            failures += failed.failures
            continue
        if online is not None:
            [written] = materialize(context, online, registry, MaterializeRequest([view.name]))
            result = dataclasses.replace(result, online=written)
        results.append(result)
    if failures:
        raise CheckFailedError(failures, refreshed=results)
    return results
