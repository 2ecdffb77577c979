"""What every page shares: the ``Sight`` it is drawn for (catalog version, viewer, state), the
``Page`` it returns (data for the JSON endpoint; markup for the HTML only), finding a named
definition the viewer may see, and a few record -> dict helpers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from virtualfs.catalog.readable import show
from virtualfs.errors import AccessDeniedError, NotFoundError
from virtualfs.registry import Registry, suggest
from virtualfs.ui.viewer import Viewer

if TYPE_CHECKING:
    from virtualfs.catalog.state import RunRecord
    from virtualfs.definitions import FeatureView
    from virtualfs.ui.state import UiState


@dataclass(frozen=True)
class Sight:
    """One request's view of the catalog: the state, the version it reads, who is looking."""

    state: UiState
    registry: Registry
    viewer: Viewer

    def view_refs(self, view: FeatureView) -> list[str]:
        """The features of ``view`` this viewer sees, as ``view:feature``."""
        return self.viewer.visible(f"{view.name}:{name}" for name in view.feature_names)

    def visible_views(self) -> list[FeatureView]:
        return [view for view in self.registry.views.values() if self.view_refs(view)]


class Moved(Exception):
    """What was asked for has its page elsewhere (an on-demand feature: its view's page)."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


@dataclass(frozen=True)
class Page:
    """A page's content: ``data`` (JSON-able, what ``/ui/api/...`` answers) and ``extras``
    (HTML-only things such as drawn SVG), rendered with the page's template."""

    data: dict[str, Any]
    extras: dict[str, Any] = field(default_factory=dict)


def find(sight: Sight, kind: str, table: Mapping[str, Any], name: str, visible: Iterable[str]) -> Any:
    """Definition ``name`` of ``table``; NotFoundError naming the closest visible names, or (for
    a viewer who may not see it, or a restricted viewer asking for a name that does not exist)
    AccessDeniedError, so a restricted viewer cannot tell the two apart."""
    shown = list(visible)
    if name in table and name in shown:
        return table[name]
    hint = suggest(name, shown)
    if sight.viewer.restricted:
        raise AccessDeniedError(f"{sight.viewer.refuse(f'{kind} {name!r}')}{hint}", sight.viewer.principal,
                                name, "access.roles")
    raise NotFoundError(f"unknown {kind} {name!r}{hint}")


PATHS = {"view": "views", "feature view": "views", "feature": "features", "service": "services",
         "feature service": "services", "source": "sources", "entity": "entities", "dataset": "datasets",
         "on demand view": "on-demand"}


def href_of(kind: str, name: str) -> str:
    """The page of a definition of ``kind`` (search's kinds or the registry's).

    >>> href_of("feature", "orders:amount"), href_of("feature view", "orders")
    ('/ui/features/orders:amount', '/ui/views/orders')
    """
    return f"/ui/{PATHS[kind]}/{quote(name, safe=':')}"


def run_data(run: RunRecord) -> dict[str, Any]:
    """A refresh run as shown: status, when, how long, rows, the first line of its error."""
    seconds = run.duration.total_seconds() if run.duration is not None else None
    return {"run_id": run.run_id, "view": run.view, "status": run.status, "started_at": run.started_at,
            "seconds": seconds, "rows_written": run.rows_written,
            "error": run.error.splitlines()[0][:200] if run.error else None}


def when(value: datetime | str | None) -> str:
    """A time (or its ISO text, as manifests keep it) as a person reads it: UTC, to the second;
    'never' for none.

    >>> when(datetime(2026, 1, 2, 3, 4, 5)), when("2026-01-02T03:04:05.25+00:00"), when(None)
    ('2026-01-02 03:04:05', '2026-01-02 03:04:05', 'never')
    """
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else "never"


def shown(value: Any) -> str:
    """A definition's field on one line (durations as ``14d``)."""
    return show(value)
