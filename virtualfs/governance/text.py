"""What ``virtualfs describe`` adds to a definition's page: a view's lineage and classification
per feature, a service's PII features. Pure; lines of text, and the same as JSON-able data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from virtualfs.definitions import FeatureService, FeatureView
from virtualfs.governance.classify import Classification, FeatureClass, classify_traces
from virtualfs.governance.lineage import FeatureTrace, trace_registry
from virtualfs.registry import Registry

Page = tuple[list[str], dict[str, Any]]


def describe_governance(registry: Registry, definition: Any, dialect: str) -> Page:
    """What ``describe`` shows of ``definition`` beyond its fields, as lines and as data."""
    if not isinstance(definition, (FeatureView, FeatureService)):
        return [], {}
    traces = trace_registry(registry, dialect)
    found = classify_traces(registry, traces, dialect)
    return governance_lines(definition, traces, found), governance_data(definition, traces, found)


def governance_lines(definition: Any, traces: Mapping[str, FeatureTrace], found: Classification) -> list[str]:
    """The lines for ``definition``: per feature of a view, the columns it is computed from and
    whether it is PII; for a service, whether it holds PII and which features.

    Example::

        customer_profile:
          lineage and classification
            country          <- customers.country  PII: computed from PII column customers.country
    """
    if isinstance(definition, FeatureView):
        refs = {name: f"{definition.name}:{name}" for name in definition.feature_names}
        rows = [(name, _from(traces[ref]), _verdict(found.of(ref))) for name, ref in refs.items()]
        names, columns = max(len(row[0]) for row in rows), max(len(row[1]) for row in rows)
        return ["  lineage and classification",
                *(f"    {n:<{names}}  {c:<{columns}}  {v}".rstrip() for n, c, v in rows)]
    if isinstance(definition, FeatureService):
        held = found.service_pii(definition.name)
        if not held:
            return [f"  {'pii':<13} no: none of its features is PII"]
        return [f"  {'pii':<13} yes: {len(held)} PII feature{'s' if len(held) > 1 else ''}",
                *(f"    {ref}  ({found.of(ref).reason})" for ref in held)]
    return []


def governance_data(definition: Any, traces: Mapping[str, FeatureTrace],
                    found: Classification) -> dict[str, Any]:
    """The same as data: ``lineage`` (feature -> its columns) and ``classification``."""
    if isinstance(definition, FeatureView):
        refs = [f"{definition.name}:{name}" for name in definition.feature_names]
        return {"lineage": {ref: _columns(traces[ref]) for ref in refs},
                "classification": {ref: found.of(ref).to_dict() for ref in refs}}
    if isinstance(definition, FeatureService):
        held = found.service_pii(definition.name)
        return {"classification": {"pii": bool(held), "pii_features": list(held)}}
    return {}


def _columns(trace: FeatureTrace) -> dict[str, list[str]]:
    return {"upstream_columns": sorted(str(c) for c in trace.origins.columns),
            "unresolved": sorted(trace.origins.unresolved)}


def _from(trace: FeatureTrace) -> str:
    columns = sorted(str(c) for c in trace.origins.columns)
    columns += [f"?.{name}" for name in sorted(trace.origins.unresolved)]
    return "<- " + (", ".join(columns) if columns else "(no column)")


def _verdict(found: FeatureClass) -> str:
    if found.pii:
        return f"PII: {found.reason}"
    return found.reason if found.declassified else ""
