"""Definitions <-> canonical JSON, and fingerprints over the fields that change data."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from datetime import timedelta
from enum import Enum
from typing import Any

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
    SourceColumn,
)
from virtualfs.definitions.base import at_omitted_default, changes_data, is_deployment, is_stored
from virtualfs.errors import CatalogError

TYPE_KEY = "__type__"
SECONDS_KEY = "__seconds__"
_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (Entity, Source, SourceColumn, Feature, Aggregation, Check, FeatureView, FeatureService,
                OnDemandView, RequestField)
}


def register_type(cls: type) -> type:
    """Make a definition dataclass known to the catalog (later definitions add themselves)."""
    _TYPES[cls.__name__] = cls
    return cls


def to_data(value: Any, data_only: bool = False) -> Any:
    """Plain JSON-able data; with ``data_only`` only the fields that change data are kept
    (descriptions, owners, tags, checks and PII classification are left out)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {TYPE_KEY: type(value).__name__}
        for field in dataclasses.fields(value):
            if is_deployment(field) or at_omitted_default(field, getattr(value, field.name)):
                continue
            if not is_stored(field):
                if getattr(value, field.name) is not None:
                    owner = f"{type(value).__name__} {getattr(value, 'name', '')!r}"
                    raise CatalogError(f"{owner}: its {field.name} is stored as SQL once compiled for a "
                                       "dialect, not as is")
                continue
            if data_only and not changes_data(field):
                continue
            out[field.name] = to_data(getattr(value, field.name), data_only)
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, timedelta):
        return {SECONDS_KEY: value.total_seconds()}
    if isinstance(value, Mapping):
        return {str(k): to_data(v, data_only) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_data(v, data_only) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise CatalogError(f"cannot store a value of type {type(value).__name__}: {value!r}")


def from_data(data: Any) -> Any:
    """The inverse of :func:`to_data`; definitions are rebuilt (and so re-validated)."""
    if isinstance(data, list):
        return [from_data(v) for v in data]
    if not isinstance(data, dict):
        return data
    if SECONDS_KEY in data:
        return timedelta(seconds=data[SECONDS_KEY])
    if TYPE_KEY in data:
        name = data[TYPE_KEY]
        if name not in _TYPES:
            raise CatalogError(f"catalog holds an unknown definition type {name!r}")
        return _TYPES[name](**{k: from_data(v) for k, v in data.items() if k != TYPE_KEY})
    return {k: from_data(v) for k, v in data.items()}


def canonical_json(value: Any) -> str:
    return json.dumps(to_data(value), sort_keys=True, separators=(",", ":"))


def fingerprint(definition: Any) -> str:
    """A hash of what the definition computes; a new description, check or classification leaves
    it unchanged."""
    text = json.dumps(to_data(definition, data_only=True), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
