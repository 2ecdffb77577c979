"""Which views are due for a refresh under their schedules. Pure: the clock is an argument."""

from __future__ import annotations

from datetime import datetime

from virtualfs.definitions import FeatureView
from virtualfs.definitions.schedule import previous_fire


def is_due(view: FeatureView, last_start: datetime | None, now: datetime) -> bool:
    """Due when the schedule fired after the last successful run started (or never ran).

    A view without a schedule is never due by itself; it refreshes only when asked.
    """
    if view.schedule is None:
        return False
    if last_start is None:
        return True
    return previous_fire(view.schedule, now) > last_start


def due_views(views: list[FeatureView], last_starts: dict[str, datetime | None],
              now: datetime) -> list[FeatureView]:
    return [v for v in views if is_due(v, last_starts.get(v.name), now)]
