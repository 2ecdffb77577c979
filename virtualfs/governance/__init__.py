"""Governance: find definitions, trace columns, and know which features hold personal data.

- ``search`` (``FeatureStore.search``, ``virtualfs search``): definitions ranked by a few words
  over names, descriptions, owners and tags (``search.py``);
- ``lineage_of`` (``FeatureStore.lineage``, ``virtualfs lineage``): a feature's warehouse columns
  through its source's SQL (``columns.py``, ``lineage.py``), and what carries it downstream;
- ``classify`` (``FeatureStore.classification``): PII that follows lineage (``classify.py``),
  what ``describe``, ``search`` and the server's catalog show, and what access policies use.

Read from the catalog only: no warehouse is opened; names fold as the warehouse's dialect folds.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from virtualfs.copies import online_mark
from virtualfs.errors import RequestError
from virtualfs.governance.classify import Classification, FeatureClass, classify
from virtualfs.governance.lineage import (
    DIRECTIONS,
    Carriers,
    FeatureTrace,
    carriers_of,
    computed_from,
    named_features,
    trace_feature,
    trace_registry,
    warehouse_column_ref,
)
from virtualfs.governance.model import Lineage, SearchHit
from virtualfs.governance.search import Query, documents, search
from virtualfs.online.keys import stored_parts
from virtualfs.registry import Registry

if TYPE_CHECKING:
    from virtualfs.catalog import Catalog

__all__ = ["Carriers", "Classification", "FeatureClass", "Lineage", "SearchHit", "classify",
           "find", "lineage_of", "online_carriers"]


# The search documents of the last registry searched: classifying a catalog traces every
# feature's lineage through its source's SQL (about a second for 500 views), while a store asks
# the same applied registry object again and again (search as you type), so it is done once.
_documents_of: list[tuple[Registry, str, list]] = []


def find(registry: Registry, dialect: str, query: Query) -> list[SearchHit]:
    """The definitions of ``registry`` that match ``query``, best first, PII marked."""
    if not (_documents_of and _documents_of[0][0] is registry and _documents_of[0][1] == dialect):
        _documents_of[:] = [(registry, dialect, documents(registry, classify(registry, dialect)))]
    return search(_documents_of[0][2], query)


def lineage_of(registry: Registry, ref: str, dialect: str, carriers: Carriers,
               direction: str = "both") -> Lineage:
    """The lineage of ``ref``: a feature (``view:feature``), every feature of ``view:*``, a view
    or a service, or — going down — a warehouse column (``table.column``): the features
    computed from it and what carries them."""
    if direction not in DIRECTIONS:
        raise RequestError(f"direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
    graph = _Graph(registry, carriers)
    column = warehouse_column_ref(ref, dialect)
    if column is not None:
        graph.kinds[ref] = "column"
        if direction != "up":
            for trace in computed_from(column, trace_registry(registry, dialect).values()):
                read = trace.origins.columns | trace.origins.possible()
                graph.into(trace, {str(found) for found in read if column.matches(found)})
                graph.carried(trace, including=True)
        return graph.lineage(ref, direction)
    for view, member in named_features(registry, ref):
        trace = trace_feature(view, member, dialect)
        if direction != "down":
            graph.upstream(trace)
        if direction != "up":
            graph.carried(trace, including=False)
    return graph.lineage(ref, direction)


def online_carriers(catalog: Catalog, online_identity: str, store_name: str, registry: Registry,
                    datasets: Mapping[str, tuple[str, ...]] | None = None) -> Carriers:
    """What carries features as the catalog records it: the views materialized in the online
    store in their current definition (one read of the watermark records), and ``datasets``."""
    held = {(record.view, record.key, record.identity) for record in catalog.marks.records()}
    marks = _online_marks(registry, online_identity)
    online = frozenset(name for name, parts in marks.items()
                       if any((name, mark.key, mark.identity) in held for mark in parts))
    return Carriers(online, store_name, MappingProxyType(dict(datasets or {})))


# The online marks of the last registry asked: each is a fingerprint of its view's definition
# (about half a second for 500 views), the same for a registry object whatever the catalog records.
_marks_of: list[tuple[Registry, str, Mapping[str, list]]] = []


def _online_marks(registry: Registry, online_identity: str) -> Mapping[str, list]:
    kept = _marks_of[0] if _marks_of else None
    if kept is None or kept[0] is not registry or kept[1] != online_identity:
        marks = {view.name: [online_mark(part, online_identity) for part in stored_parts(view)]
                 for view in registry.views.values()}
        kept = (registry, online_identity, MappingProxyType(marks))
        _marks_of[:] = [kept]
    return kept[2]


class _Graph:
    """A lineage being drawn: columns -> source -> feature -> carriers."""

    def __init__(self, registry: Registry, carriers: Carriers) -> None:
        self.registry, self.carriers = registry, carriers
        self.edges: set[tuple[str, str]] = set()
        self.kinds: dict[str, str] = {}
        self.up: set[str] = set()
        self.down: set[str] = set()
        self.unresolved: set[str] = set()
        self.possible: set[str] = set()

    def upstream(self, trace: FeatureTrace) -> None:
        found = {str(column) for column in trace.origins.columns}
        maybe = {str(column) for column in trace.origins.possible()}
        self.into(trace, found | maybe)
        self.up |= found
        self.unresolved |= trace.origins.unresolved
        self.possible |= maybe

    def into(self, trace: FeatureTrace, columns: set[str]) -> None:
        """Edges from ``columns`` through the feature's source to the feature."""
        source = f"source/{trace.source}"
        self.edges |= {(column, source) for column in columns} | {(source, trace.ref)}
        self.kinds.update({column: "column" for column in columns})
        self.kinds.update({source: "source", trace.ref: "feature"})

    def carried(self, trace: FeatureTrace, including: bool) -> None:
        """What carries the feature (and, ``including``, the feature itself) is downstream."""
        held = carriers_of(trace.ref, self.registry, self.carriers)
        self.down |= held | ({trace.ref} if including else set())
        self.edges |= {(trace.ref, each) for each in held}
        self.kinds.update({each: each.partition("/")[0] for each in held})
        self.kinds.setdefault(trace.ref, "feature")

    def lineage(self, ref: str, direction: str) -> Lineage:
        return Lineage(ref, direction, frozenset(self.up), frozenset(self.down), frozenset(self.unresolved),
                       frozenset(self.possible), frozenset(self.edges), MappingProxyType(self.kinds))
