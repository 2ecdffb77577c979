"""Which views a refresh command acts on."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from virtualfs.refresh.due import due_views

if TYPE_CHECKING:
    from virtualfs.catalog.state import RefreshState
    from virtualfs.definitions import FeatureView
    from virtualfs.registry import Registry


def select_views(registry: Registry, names: list[str] | None, state: RefreshState,
                 due_at: datetime | None) -> list[FeatureView]:
    """The named views (all when None); with ``due_at``, only those whose schedule is due then."""
    views = [registry.view(n) for n in names] if names else list(registry.views.values())
    if due_at is None:
        return views
    if due_at.tzinfo is None:
        due_at = due_at.replace(tzinfo=timezone.utc)
    last_starts = {}
    for view in views:
        last = state.last_success(view.name)
        last_starts[view.name] = last.started_at if last else None
    return due_views(views, last_starts, due_at)
