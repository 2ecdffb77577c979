"""The versioned metadata catalog."""

from virtualfs.catalog.audit import AuditEntry, AuditTable
from virtualfs.catalog.catalog import Catalog, CatalogVersion
from virtualfs.catalog.diff import Change, FieldChange, Plan, diff
from virtualfs.catalog.marks import Mark, MarkKind, WatermarkRecord

__all__ = ["AuditEntry", "AuditTable", "Catalog", "CatalogVersion", "Change", "FieldChange", "Mark",
           "MarkKind", "Plan", "WatermarkRecord", "diff"]
