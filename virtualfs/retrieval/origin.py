"""Where a training frame came from: the project, the catalog version, what was asked for and
which stored copies it read. A saved dataset's manifest records all of it (``virtualfs.datasets``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from virtualfs.context import ProjectContext


@dataclass(frozen=True)
class CopyRead:
    """A stored copy a frame reads instead of its view's source: the refreshed table or kept
    tiles (``copy``: the catalog's key for it, ``table`` or ``tiles:<digest>``) at ``location``,
    complete to ``watermark``, holding ``rows`` (tiles: not counted here)."""

    view: str
    copy: str
    location: str
    watermark: datetime | None
    rows: int | None = None


@dataclass(frozen=True)
class JobOrigin:
    """A frame of a project: catalog ``version``, the ``features`` as expanded references
    (``view:feature``, in output order), the ``service`` they came from, if any, and the
    stored copies read."""

    context: ProjectContext
    version: int | None
    features: tuple[str, ...]
    full_feature_names: bool
    service: str | None = None
    copies_read: tuple[CopyRead, ...] = ()
    # the access gate of the principal who asked (``virtualfs.access``): saving needs its grant
    gate: Any = None
