"""A saved dataset's feature statistics (``virtualfs.profiles``): over its rows, one per label,
nulls counted — computed in the warehouse in one query, kept in the manifest when saved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from virtualfs.compile import names
from virtualfs.definitions import DType
from virtualfs.profiles import profile_relation, profile_target

DATASET_PREFIX = "dataset:"

if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any

    from sqlglot import exp

    from virtualfs.context import ProjectContext
    from virtualfs.datasets.manifest import Manifest
    from virtualfs.profiles.model import Profile
    from virtualfs.registry import Registry
    from virtualfs.warehouses.base import Warehouse


def profile_rows(warehouse: Warehouse, manifest: Manifest, relation: exp.Table, start: datetime | None = None,
                 end: datetime | None = None, like: Profile | None = None) -> Profile:
    """The profile of the dataset's feature columns (not its entity columns) over its rows, or
    over those whose label time is in ``[start, end)``."""
    entity_columns = set(manifest.entities.columns)
    columns = [(c.name, names.column(c.name), DType(c.type)) for c in manifest.columns
               if c.name not in entity_columns and c.type in DType._value2member_map_]
    time = names.column(manifest.entities.timestamp)
    return profile_relation(warehouse, f"dataset {manifest.name}", relation, columns, time, start, end, like)


def profile_of(context: ProjectContext, registry: Registry, target: Any, start: datetime | None = None,
               end: datetime | None = None) -> Profile:
    """``target``'s profile: a saved dataset (a ``Dataset``, ``"dataset:<name>"``, or a name that is
    no view or service but a saved dataset's) over its rows; anything else as
    ``profiles.profile_target`` reads it, over source rows."""
    from virtualfs.datasets import Dataset, get_dataset

    if isinstance(target, str) and target.startswith(DATASET_PREFIX):
        target = get_dataset(context, target[len(DATASET_PREFIX):])
    elif isinstance(target, str) and target not in registry.views and target not in registry.services \
            and context.catalog.datasets.latest(target) is not None:
        target = get_dataset(context, target)
    if isinstance(target, Dataset):
        return profile_rows(context.warehouse, target.info, target.relation(), start, end)
    return profile_target(context.warehouse, registry, target, start, end)


def statistics(warehouse: Warehouse, manifest: Manifest, relation: exp.Table) -> dict:
    """What the manifest keeps: each column's count and nulls, and the features' full profile
    (left out where the warehouse's dialect has no profile statistics)."""
    from virtualfs.errors import UnsupportedError

    kept = dict(manifest.statistics)
    try:
        kept["profile"] = profile_rows(warehouse, manifest, relation).to_dict()
    except UnsupportedError as error:
        kept["profile"] = {"unavailable": str(error)}
    return kept
