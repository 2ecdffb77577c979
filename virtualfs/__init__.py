"""virtualfs: a virtual feature store. Definitions in, warehouse SQL and online lookups out."""

from virtualfs.definitions import (
    Aggregation,
    Check,
    Entity,
    Feature,
    FeatureService,
    FeatureView,
    OnDemandView,
    RequestField,
    Source,
)
from virtualfs.definitions.expression import table
from virtualfs.errors import (
    AccessDeniedError,
    CatalogError,
    CheckFailedError,
    ConfigError,
    ConflictError,
    DefinitionError,
    NotFoundError,
    RequestError,
    UnsupportedError,
    ValidationError,
    VirtualfsError,
    WarehouseError,
)

__version__ = "0.1.0"

__all__ = [
    "AccessDeniedError", "Aggregation", "CatalogError", "Check", "CheckFailedError", "ConfigError",
    "ConflictError",
    "DefinitionError", "Entity", "Feature",
    "FeatureService", "FeatureStore", "FeatureView", "NotFoundError", "OnDemandView", "RequestError",
    "RequestField", "Source",
    "UnsupportedError", "ValidationError", "VirtualfsError", "WarehouseError", "table",
]


def __getattr__(name: str):
    # FeatureStore pulls in the catalog and SQLAlchemy; load it only when asked for.
    if name == "FeatureStore":
        from virtualfs.store import FeatureStore

        return FeatureStore
    raise AttributeError(name)
