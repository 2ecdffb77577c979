"""The audit log: who did what, when, and how it ended; append-only.

Each row is one event (an apply, a refresh, a training frame read, a refusal) or, for events too
frequent to keep one by one (features served online, failed server logins), a count of the same
event over a span of time starting at ``at``. A row names features, views and versions; it never
holds a feature value or a secret (the code that writes it only ever passes names).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa

from virtualfs.catalog import tables

OUTCOMES = ("ok", "denied", "failed")


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log.

    ``action``: ``apply``, ``refresh``, ``materialize``, ``gc``, ``read.offline``, ``read.profile``,
    ``read.online``, ``read.dataset``, ``dataset.save`` ..., ``auth``; ``outcome``: ``ok``,
    ``denied`` (the policy refused: nothing ran) or ``failed``; ``count``: how many times (events
    counted rather than logged one by one); ``detail``: names and numbers (a version, rows written,
    the grant missing), never values.
    """

    at: datetime
    principal: str | None
    action: str
    target: str
    outcome: str = "ok"
    count: int = 1
    detail: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "principal": self.principal, "action": self.action,
                "target": self.target, "outcome": self.outcome, "count": self.count,
                "detail": dict(self.detail)}


class AuditTable:
    """One project's audit log in the catalog: appended to, read, never changed."""

    def __init__(self, engine: sa.Engine, project: str) -> None:
        self.engine, self.project = engine, project

    def append(self, entries: Sequence[AuditEntry]) -> None:
        """Write ``entries`` in one transaction."""
        if not entries:
            return
        rows = [{"project": self.project, "at": _text(e.at), "principal": e.principal, "action": e.action,
                 "target": e.target, "outcome": e.outcome, "count": e.count,
                 "detail": json.dumps(dict(e.detail), sort_keys=True) if e.detail else None} for e in entries]
        with self.engine.begin() as connection:
            connection.execute(tables.audit.insert(), rows)

    def entries(self, since: datetime | None = None, principal: str | None = None,
                action: str | None = None) -> list[AuditEntry]:
        """Entries oldest first; ``action`` matches itself and its sub-actions (``read``: ``read.*``)."""
        a = tables.audit
        query = sa.select(a).where(a.c.project == self.project)
        if since is not None:
            query = query.where(a.c.at >= _text(since))
        if principal is not None:
            query = query.where(a.c.principal == principal)
        if action is not None:
            under = a.c.action.startswith(action + ".", autoescape=True)
            query = query.where(sa.or_(a.c.action == action, under))
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(a.c.at, a.c.id)).all()
        return [AuditEntry(datetime.fromisoformat(r.at), r.principal, r.action, r.target, r.outcome, r.count,
                           MappingProxyType(json.loads(r.detail) if r.detail else {})) for r in rows]


def _text(at: datetime) -> str:
    from virtualfs.instants import to_utc

    return to_utc(at).isoformat(timespec="microseconds")
