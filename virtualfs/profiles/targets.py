"""What a profile target names: a view, feature references, or a feature service.

Each comes down to view lookups (``compile.resolve``); features are shown as ``view:feature``.
A saved dataset plugs in through ``profiles.profile_relation`` (a table and its columns).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from virtualfs.compile.request import FeatureColumn, ViewLookup
from virtualfs.compile.resolve import resolve_lookups
from virtualfs.definitions import FeatureService
from virtualfs.errors import NotFoundError, RequestError
from virtualfs.registry import Registry, suggest


@dataclass(frozen=True)
class Target:
    """A resolved target: a description for people and the features of each view."""

    description: str
    lookups: tuple[ViewLookup, ...]


def resolve_target(registry: Registry, target: Any) -> Target:
    """The views and features ``target`` names.

    ``"customer_orders"`` (a view: all its features), ``"reorder_model"`` or a FeatureService
    (its features), ``["customer_orders:amount", ...]`` (references). An unknown name is an
    error that suggests close ones.
    """
    if isinstance(target, FeatureService):
        return Target(f"feature service {target.name}", _lookups(registry, target))
    if isinstance(target, str) and ":" not in target:
        if target in registry.views:
            return Target(f"feature view {target}", _lookups(registry, [f"{target}:*"]))
        if target in registry.services:
            return Target(f"feature service {target}", _lookups(registry, target))
        known = [*registry.views, *registry.services]
        raise NotFoundError(f"no feature view or feature service named {target!r}{suggest(target, known)}")
    refs = [target] if isinstance(target, str) else target
    if not isinstance(refs, (list, tuple)) or not refs or not all(isinstance(r, str) for r in refs):
        raise RequestError("profile target must be a view name, a feature service (or its name) or a "
                           f"non-empty list of 'view:feature' references; got {target!r}")
    return Target(", ".join(refs), _lookups(registry, list(refs)))


def _lookups(registry: Registry, features: Any) -> tuple[ViewLookup, ...]:
    return resolve_lookups(registry, features, full_feature_names=True)


def display_name(view: str, feature: FeatureColumn) -> str:
    """How a profile names a view's feature: ``view:feature``."""
    return f"{view}:{feature.name}"
