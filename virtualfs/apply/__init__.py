"""Apply: a repository's definitions, checked against the live warehouse, become a catalog version.

The flow: load the repository (``repository``), diff it against the latest version
(``catalog.diff``), check every source against the warehouse (``validate``), write the version
in one transaction (``catalog``), which also drops the watermarks of views whose data changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from virtualfs.apply.validate import validate_registry
from virtualfs.catalog import diff

if TYPE_CHECKING:
    from virtualfs.catalog import CatalogVersion, Plan
    from virtualfs.context import ProjectContext
    from virtualfs.registry import Registry

__all__ = ["ApplyResult", "apply_registry"]


@dataclass(frozen=True)
class ApplyResult:
    plan: Plan
    version: CatalogVersion | None  # None when there was nothing to apply


def apply_registry(context: ProjectContext, wanted: Registry) -> ApplyResult:
    """Validate ``wanted`` against the warehouse and write it as a new catalog version."""
    plan = diff(context.catalog.registry(), wanted)
    if plan.is_empty and plan.base_version is not None:
        return ApplyResult(plan, None)
    validate_registry(context.warehouse, wanted)
    return ApplyResult(plan, context.catalog.write_version(wanted, plan))
