"""The versioned metadata catalog."""

from virtualfs.catalog.catalog import Catalog, CatalogVersion
from virtualfs.catalog.diff import Change, FieldChange, Plan, diff

__all__ = ["Catalog", "CatalogVersion", "Change", "FieldChange", "Plan", "diff"]
