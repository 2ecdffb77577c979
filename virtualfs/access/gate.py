"""AccessGate: the access policy applied to one principal, every decision written to the audit log.

Each flow asks the gate before it runs anything: training frames, profiles and dataset reads
(``read``, offline: refused, or told which PII features to mask in the SQL), online reads
(``read``, online), and changes (``acting``: apply, refresh, materialize, gc; ``authorize`` for
datasets). Without a policy everything is allowed, nothing masked, and reads go unlogged;
changes are logged either way.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from virtualfs.access.audit import AuditLog
from virtualfs.errors import AccessDeniedError
from virtualfs.policy import AccessPolicy, expand_features
from virtualfs.registry import FeaturesArg, Registry


@dataclass
class Act:
    """A change under way: what it is done to, and what to log of it (names and numbers only)."""

    target: str
    detail: dict[str, Any] = field(default_factory=dict)


class AccessGate:
    """The policy as it applies to ``principal``; ``pii`` gives a registry's PII features
    (``governance.classify``), asked only for a role that does not read them in the clear."""

    def __init__(self, policy: AccessPolicy | None, principal: str | None, audit: AuditLog,
                 pii: Callable[[Registry], Collection[str]]) -> None:
        self.policy, self.principal, self.audit = policy, principal, audit
        self._pii = pii
        self._classified: tuple[int | None, int, Collection[str]] | None = None

    @property
    def enabled(self) -> bool:
        return self.policy is not None

    def read(self, registry: Registry, features: FeaturesArg, surface: str = "offline",
             action: str = "read.offline", maskable: bool = True) -> frozenset[str]:
        """The features of ``features`` to mask for this principal reading them ``surface``; an
        AccessDeniedError (logged) when it may not read one. ``maskable=False``: a read that
        cannot mask (a profile's statistics would show the values) refuses a masked feature."""
        if self.policy is None:
            return frozenset()
        refs = expand_features(registry, features)
        try:
            masked = self.policy.check_read(self.principal, surface, registry, refs,
                                            lambda: self.pii(registry))
            if masked and not maskable:
                role = self.policy.role_of(self.principal).name
                raise _unmaskable(self.principal, role, sorted(masked)[0], action)
        except AccessDeniedError as error:
            self.refused(action, error, ", ".join(refs))
            raise
        if surface == "online":
            for ref in refs:
                self.audit.count(self.principal, action, ref)
        else:
            self.audit.record(self.principal, action, ", ".join(refs), "ok",
                              {"masked": sorted(masked)} if masked else None)
        return masked

    def authorize(self, grant: str, target: str = "", action: str | None = None) -> None:
        """AccessDeniedError (logged under ``action``, default ``grant``) unless this principal's
        role has ``grant``: ``apply``, ``refresh`` or ``datasets``. The hook saved datasets call::

            store.access.authorize("datasets", name, action="dataset.save")
        """
        if self.policy is None:
            return
        try:
            self.policy.check_action(self.principal, grant, target)
        except AccessDeniedError as error:
            self.refused(action or grant, error, target)
            raise

    @contextmanager
    def acting(self, action: str, grant: str, target: str) -> Iterator[Act]:
        """Authorize ``grant``, run the block, and log ``action`` with how it ended::

            with gate.acting("apply", "apply", "catalog") as act:
                act.target = "version 3"
        """
        self.authorize(grant, target, action)
        act = Act(target)
        try:
            yield act
        except BaseException as error:
            self.record(action, act.target, "failed", {**act.detail, "error": type(error).__name__})
            raise
        self.record(action, act.target, "ok", act.detail)

    def record(self, action: str, target: str, outcome: str = "ok",
               detail: dict[str, Any] | None = None) -> None:
        """Log one event by this principal (the hook for dataset saves, deletes and recreates)."""
        self.audit.record(self.principal, action, target, outcome, detail)

    def refused(self, action: str, error: AccessDeniedError, target: str = "") -> None:
        """Log a refusal of ``action`` on ``target``: the grant it lacked, never more."""
        what = error.target or target or "-"
        self.audit.record(self.principal, action, what, "denied", {"grant": error.grant})

    def pii(self, registry: Registry) -> Collection[str]:
        """``registry``'s PII features, worked out once per registry."""
        cached = self._classified
        if cached is None or cached[:2] != (registry.version, id(registry)):
            cached = self._classified = (registry.version, id(registry), frozenset(self._pii(registry)))
        return cached[2]


def authorize(policy: AccessPolicy | None, principal: str | None, action: str, target: str = "") -> None:
    """AccessDeniedError unless ``principal`` may do ``action`` (apply, refresh, datasets) under
    ``policy`` (None: anyone may). Pure; :meth:`AccessGate.authorize` also logs a refusal."""
    if policy is not None:
        policy.check_action(principal, action, target)


def _unmaskable(principal: str | None, role: str, ref: str, action: str) -> AccessDeniedError:
    what = action.partition(".")[2] or action
    grant = f"access.roles.{role}.pii"
    return AccessDeniedError(f"principal {principal!r} (role {role!r}) may not {what} PII feature {ref!r}: "
                             f"{grant} is masked, and a {what} cannot mask (its statistics would show the "
                             "values); leave the feature out", principal, ref, grant)
