"""PII that follows lineage: which features hold personal data, and why.

Sources classify the columns they read (``Source(columns={"customers.email": {"pii": True}})``;
a bare name is a column of that source's output). A warehouse column classified PII by any
source is PII wherever it is read. A feature is PII when it is computed from a PII column (its
lineage, ``lineage.trace_feature``), or possibly so (a column its query reads without a table,
in a query over a table with that PII column: PII until the query says otherwise), or when it
says ``pii=True``; ``pii=False`` declassifies it whatever its lineage. A service holding a PII
feature is marked so.

This is the one answer to "is this PII?" that reads, masking and grants ask.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from virtualfs.errors import NotFoundError
from virtualfs.governance.columns import WarehouseColumn, key_column
from virtualfs.governance.lineage import FeatureTrace, trace_registry
from virtualfs.policy import expand_features
from virtualfs.registry import Registry, suggest


@dataclass(frozen=True)
class FeatureClass:
    """Whether feature ``ref`` is PII and why: ``declared`` is its own ``pii=`` (None: inferred);
    ``pii_columns`` the PII warehouse columns it is computed from, ``possible_pii_columns`` those
    it may be (see the module), ``pii_outputs`` the source output columns declared PII it reads
    (``source.column``)."""

    ref: str
    pii: bool
    declared: bool | None = None
    pii_columns: frozenset[str] = frozenset()
    possible_pii_columns: frozenset[str] = frozenset()
    pii_outputs: frozenset[str] = frozenset()

    @property
    def inferred(self) -> bool:
        """What lineage alone says."""
        return bool(self.pii_columns or self.possible_pii_columns or self.pii_outputs)

    @property
    def declassified(self) -> bool:
        """Declared ``pii=False`` although lineage says PII: an explicit, reviewed exception."""
        return self.declared is False and self.inferred

    @property
    def reason(self) -> str:
        """Why, in a few words.

        >>> FeatureClass("v:f", True, pii_columns=frozenset({"customers.email"})).reason
        'computed from PII column customers.email'
        """
        found = self._found()
        if self.declared is True:
            return "declared pii=True" + (f"; computed from {found}" if found else "")
        if self.declared is False:
            return f"declassified (pii=False) although computed from {found}" if found else \
                "declared pii=False"
        return f"computed from {found}" if found else "no PII column upstream"

    def _found(self) -> str:
        parts = [f"PII column {', '.join(sorted(self.pii_columns))}" if self.pii_columns else "",
                 f"PII source column {', '.join(sorted(self.pii_outputs))}" if self.pii_outputs else "",
                 f"possibly PII column {', '.join(sorted(self.possible_pii_columns))} (qualify the column "
                 "in the query to tell)" if self.possible_pii_columns else ""]
        return "; ".join(part for part in parts if part)

    def to_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "pii": self.pii, "declared": self.declared,
                "declassified": self.declassified, "pii_columns": sorted(self.pii_columns),
                "possible_pii_columns": sorted(self.possible_pii_columns),
                "pii_outputs": sorted(self.pii_outputs), "reason": self.reason}


@dataclass(frozen=True)
class Classification:
    """Every feature of a registry classified (``features``, by ``view:feature``), and every
    service's PII features (``services``, by name; empty: the service holds none)."""

    features: Mapping[str, FeatureClass]
    services: Mapping[str, tuple[str, ...]]

    def of(self, ref: str) -> FeatureClass:
        """The classification of feature ``ref`` (``view:feature``)."""
        try:
            return self.features[ref]
        except KeyError:
            raise NotFoundError(f"no feature {ref!r}{suggest(ref, self.features)}") from None

    def is_pii(self, ref: str) -> bool:
        return self.of(ref).pii

    def pii_features(self) -> list[str]:
        return [ref for ref, found in self.features.items() if found.pii]

    def view_pii(self, view: str) -> list[str]:
        """The PII features of view ``view``."""
        return [ref for ref in self.pii_features() if ref.split(":", 1)[0] == view]

    def service_pii(self, service: str) -> tuple[str, ...]:
        return self.services.get(service, ())

    def to_dict(self) -> dict[str, Any]:
        return {"features": {ref: found.to_dict() for ref, found in self.features.items()},
                "services": {name: {"pii": bool(refs), "pii_features": list(refs)}
                             for name, refs in self.services.items()}}


def classify(registry: Registry, dialect: str) -> Classification:
    """Classify every feature and service of ``registry``, names folded as ``dialect`` folds them.

    Example::

        found = classify(store.registry(), "duckdb")
        found.is_pii("customer_profile:country"), found.of("customer_profile:country").reason
        # -> (True, 'computed from PII column customers.country')
    """
    return classify_traces(registry, trace_registry(registry, dialect), dialect)


def classify_traces(registry: Registry, traces: Mapping[str, FeatureTrace], dialect: str) -> Classification:
    """:func:`classify` over traces already made."""
    columns, outputs = _pii_columns(registry, dialect)
    features = {ref: _feature_class(trace, columns, outputs) for ref, trace in traces.items()}
    # a service holding an on-demand feature holds what it is computed from (``expand_features``)
    held = {name: expand_features(registry, list(s.features)) for name, s in registry.services.items()}
    services = {name: tuple(ref for ref in refs if ref in features and features[ref].pii)
                for name, refs in held.items()}
    return Classification(MappingProxyType(features), MappingProxyType(services))


def _pii_columns(registry: Registry, dialect: str) -> tuple[list[WarehouseColumn], dict[str, set[str]]]:
    """The warehouse columns any source classifies PII, and each source's PII output columns."""
    columns: list[WarehouseColumn] = []
    outputs: dict[str, set[str]] = {}
    for source in registry.sources.values():
        for key, column in source.columns.items():
            if not column.pii:
                continue
            found = key_column(source, key, dialect)
            if isinstance(found, WarehouseColumn):
                columns.append(found)
            else:
                outputs.setdefault(source.name, set()).add(found)
    return columns, outputs


def _feature_class(trace: FeatureTrace, columns: list[WarehouseColumn],
                   outputs: Mapping[str, set[str]]) -> FeatureClass:
    certain = frozenset(str(c) for c in trace.origins.columns if any(c.matches(p) for p in columns))
    possible = frozenset(str(c) for c in trace.origins.possible() if any(c.matches(p) for p in columns))
    declared_pii = outputs.get(trace.source, set())
    read = frozenset(f"{trace.source}.{name}" for name in trace.inputs if name in declared_pii)
    declared = trace.member.pii
    inferred = bool(certain or possible or read)
    return FeatureClass(trace.ref, inferred if declared is None else declared, declared, certain,
                        possible - certain, read)

