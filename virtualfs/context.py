"""What the flows share about one project: built once by ``FeatureStore``, passed whole.

Retrieval, refresh, materialization and apply all need the same few things — the warehouse,
the catalog, where refreshed tables live — and used to take them as six to nine separate
arguments. They take one of these instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from virtualfs.catalog import Catalog
    from virtualfs.copies import StoredCopies
    from virtualfs.online.base import OnlineStore
    from virtualfs.warehouses.base import Warehouse


@dataclass(frozen=True)
class ProjectContext:
    """One project's warehouse and catalog, and where its refreshed tables live (``copies``)."""

    project: str
    warehouse: Warehouse
    catalog: Catalog
    copies: StoredCopies


@dataclass(frozen=True)
class OnlineContext:
    """The project's online store, and its identity (``BackendConfig.identity``): the
    watermarks of what was materialized into it are filed under that identity."""

    store: OnlineStore
    identity: str
