"""The definitions DSL: frozen, validated, pure data."""

from virtualfs.definitions.aggregation import Aggregation
from virtualfs.definitions.check import Check
from virtualfs.definitions.dtypes import DType
from virtualfs.definitions.entity import Entity
from virtualfs.definitions.feature_view import Feature, FeatureView
from virtualfs.definitions.on_demand import OnDemandView, RequestField
from virtualfs.definitions.service import FeatureRef, FeatureService
from virtualfs.definitions.source import Source, SourceColumn

DEFINITION_TYPES = (Entity, Source, FeatureView, OnDemandView, FeatureService)

__all__ = [
    "Aggregation",
    "Check",
    "DEFINITION_TYPES",
    "DType",
    "Entity",
    "Feature",
    "FeatureRef",
    "FeatureService",
    "FeatureView",
    "OnDemandView",
    "RequestField",
    "Source",
    "SourceColumn",
]
