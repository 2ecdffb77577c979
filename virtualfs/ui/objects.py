"""The pages of single definitions: entity, source, feature view, feature, feature service, and
a lineage graph. Each reads what the catalog and governance already know; none recomputes it.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from virtualfs.catalog.readable import readable
from virtualfs.definitions import Aggregation, Feature, FeatureView, Source
from virtualfs.definitions.aggregation import FUNCTIONS
from virtualfs.errors import NotFoundError
from virtualfs.governance import Lineage
from virtualfs.policy import expand_features
from virtualfs.registry import suggest
from virtualfs.ui.datasets import readable_datasets
from virtualfs.ui.graph import lineage_svg
from virtualfs.ui.highlight import highlight_sql
from virtualfs.ui.on_demand import on_demand_feature, readable_on_demand
from virtualfs.ui.present import Moved, Page, Sight, find, run_data, shown
from virtualfs.ui.status import checks_data, status_data
from virtualfs.ui.values import feature_values

RUNS_SHOWN = 10


def entity_page(sight: Sight, name: str) -> Page:
    """An entity, its join keys, and the views keyed by it.

    Example::

        entity_page(sight, "customer").data["views"]   # -> ["customer_orders", ...]
    """
    views = sight.visible_views()
    keyed = {entity.name for view in views for entity in view.entities}
    entity = find(sight, "entity", sight.registry.entities, name, keyed if sight.viewer.restricted
                  else sight.registry.entities)
    return Page({"kind": "entity", "name": entity.name, "join_keys": list(entity.join_keys),
                 "description": entity.description, "owner": entity.owner, "tags": dict(entity.tags),
                 "views": [v.name for v in views if any(e.name == name for e in v.entities)]})


def source_page(sight: Sight, name: str) -> Page:
    """A source: its table or query (highlighted), times, classified columns, views reading it.

    Example::

        source_page(sight, "orders").extras["sql"]      # highlighted SELECT * FROM orders
    """
    views = sight.visible_views()
    reading = {view.source.name for view in views}
    source = find(sight, "source", sight.registry.sources, name, reading if sight.viewer.restricted
                  else sight.registry.sources)
    sql = source_sql(source, sight.state.store.config.dialect)
    data = {"kind": "source", "name": source.name, "table": source.table, "query": source.query,
            "timestamp": source.timestamp, "created": source.created, "description": source.description,
            "owner": source.owner, "tags": dict(source.tags),
            "columns": {column: readable(info) for column, info in source.columns.items()},
            "views": [v.name for v in views if v.source.name == name]}
    return Page(data, {"sql": highlight_sql(sql, sight.state.store.config.dialect)})


def source_sql(source: Source, dialect: str) -> str:
    """What a source reads, as SQL: its query, or a SELECT of its whole table (built as a tree)."""
    if source.query:
        return source.query
    return exp.select(exp.Star()).from_(exp.to_table(source.table, dialect=dialect)).sql(dialect, pretty=True)


def view_page(sight: Sight, name: str) -> Page:
    """A feature view in full: its features and aggregations (types, owners, tags, PII), source
    SQL, materialization and schedule, last runs, watermark, online freshness, checks.

    Example::

        view_page(sight, "customer_orders").data["status"]["table"]["rows"]   # -> 60
    """
    view: FeatureView = find(sight, "feature view", sight.registry.views, name,
                             (v.name for v in sight.visible_views()))
    found = sight.state.classification(sight.registry)
    status = sight.state.store.view_status(view.name)
    runs = sight.state.store.catalog.state.runs(view.name, limit=RUNS_SHOWN)
    data = {"kind": "feature view", "name": view.name, "description": view.description, "owner": view.owner,
            "tags": dict(view.tags), "entities": [e.name for e in view.entities],
            "join_keys": list(view.join_keys), "source": view.source.name, "ttl": shown(view.ttl),
            "materialize": view.materialize, "schedule": view.schedule, "lookback": shown(view.lookback),
            "features": [_member(view, m, found) for m in (*view.features, *view.aggregations)
                         if sight.viewer.sees(f"{view.name}:{m.name}")],
            "status": status_data(status), "runs": [run_data(run) for run in runs],
            "checks": checks_data(view, status.checks, sight.viewer)}
    dialect = sight.state.store.config.dialect
    return Page(data, {"sql": highlight_sql(source_sql(view.source, dialect), dialect)})


def feature_page(sight: Sight, ref: str) -> Page:
    """One feature: what it is, its statistics with a histogram (masked PII: none), and its
    lineage up to warehouse columns and down to services, the online store and datasets.

    Example::

        feature_page(sight, "customer_orders:amount").data["lineage"]["upstream_columns"]
        # -> ["orders.amount"]
    """
    moved = on_demand_feature(sight, ref)
    if moved is not None and ref.partition(":")[0] in readable_on_demand(sight):
        raise Moved(moved)
    view_name, _, feature_name = ref.partition(":")
    view = sight.registry.views.get(view_name)
    visible = [r for v in sight.visible_views() for r in sight.view_refs(v)]
    if view is None or feature_name not in view.feature_names or not sight.viewer.sees(ref):
        find(sight, "feature", {}, ref, visible)  # raises: not found, or refused
    member = next(m for m in (*view.features, *view.aggregations) if m.name == feature_name)
    found = sight.state.classification(sight.registry)
    shown, edges, kinds = visible_lineage(sight, sight.state.store.lineage(ref), ref)
    values, chart = feature_values(sight, view, ref)
    row = _member(view, member, found)
    if "profile" in values and row["dtype"].startswith("as column"):
        row["dtype"] = values["profile"]["dtype"]  # what the warehouse's column made it
    data = {**row, "view": view.name, "ref": ref,
            "entities": [e.name for e in view.entities], "statistics": values,
            "lineage": shown}
    return Page(data, {"chart": chart, "graph": lineage_svg(edges, kinds, ref)})


def service_page(sight: Sight, name: str) -> Page:
    """A feature service: the features it serves (each linked, PII marked) and who owns it.

    Example::

        service_page(sight, "churn").data["pii_features"]   # -> ["customer_profile:country"]
    """
    service = find(sight, "feature service", sight.registry.services, name, _readable_services(sight))
    found = sight.state.classification(sight.registry)
    refs = sight.viewer.visible(_service_refs(sight, service.name))
    return Page({"kind": "feature service", "name": service.name, "description": service.description,
                 "owner": service.owner, "tags": dict(service.tags), "references": list(service.features),
                 "features": [{"ref": r, "pii": r in found.features and found.is_pii(r)} for r in refs],
                 "pii_features": list(found.service_pii(service.name))})


def lineage_page(sight: Sight, ref: str) -> Page:
    """The lineage graph of a feature, a view, a service, or a warehouse column (``table.column``:
    what is computed from it).

    Example::

        lineage_page(sight, "orders.amount").data["downstream"]   # the features computed from it
    """
    store = sight.state.store
    if ref in sight.registry.views:
        find(sight, "feature view", sight.registry.views, ref, (v.name for v in sight.visible_views()))
    elif ref in sight.registry.services:
        find(sight, "feature service", sight.registry.services, ref, _readable_services(sight))
    elif ":" in ref and not sight.viewer.sees(ref):  # the same refusal as the feature's own page
        visible = [r for v in sight.visible_views() for r in sight.view_refs(v)]
        find(sight, "feature", {}, ref, visible)
    try:
        lineage = store.lineage(ref)
    except NotFoundError:
        known = [*sight.registry.views, *sight.registry.services]
        hint = suggest(ref, known)
        raise NotFoundError(f"unknown feature, view, service or column {ref!r}{hint}") from None
    focus = _focus(sight, ref)
    shown, edges, kinds = visible_lineage(sight, lineage, focus)
    return Page({**shown, "kinds": kinds}, {"graph": lineage_svg(edges, kinds, focus)})


def _focus(sight: Sight, ref: str) -> str:
    """The node a lineage is drawn around: a service's own node; none for a view (its
    features are the graph); else the feature or column itself."""
    if ref in sight.registry.services:
        return f"service/{ref}"
    return "" if ref in sight.registry.views or ref.endswith(":*") else ref


def visible_lineage(sight: Sight, lineage: Lineage,
                    focus: str) -> tuple[dict[str, Any], frozenset[tuple[str, str]], dict[str, str]]:
    """``lineage`` without what this viewer may not see — the features it may not read, the
    sources only they read, the services and datasets holding one — as data, edges and kinds."""
    sources = {f"source/{view.source.name}" for view in sight.visible_views()}
    carriers = {f"service/{name}" for name in _readable_services(sight)}
    carriers |= {f"dataset/{name}" for name in readable_datasets(sight)}
    hidden = {node for node, kind in lineage.kinds.items()
              if (kind == "feature" and not sight.viewer.sees(node))
              or (kind == "source" and node not in sources)
              or (kind in ("service", "dataset") and node not in carriers)}
    edges = frozenset((a, b) for a, b in lineage.edges if a not in hidden and b not in hidden)
    drawn = {node for edge in edges for node in edge} | ({focus} if focus else set())
    kinds = {node: kind for node, kind in lineage.kinds.items() if node in drawn}
    data = lineage.to_dict()
    for key in ("upstream_columns", "downstream", "possible_columns"):
        data[key] = [node for node in data[key] if node in drawn]
    return {**data, "edges": sorted(map(list, edges))}, edges, kinds


def _readable_services(sight: Sight) -> list[str]:
    """The services every feature of which this viewer may read (as the policy expands them)."""
    return [name for name in sight.registry.services
            if all(sight.viewer.sees(ref) for ref in expand_features(sight.registry, name))]


def _service_refs(sight: Sight, name: str) -> list[str]:
    """The features service ``name`` serves, as declared: ``view:*`` of a feature view expanded;
    any other reference (a kind of view this page does not know yet) kept as it is written."""
    refs: list[str] = []
    for declared in sight.registry.services[name].features:
        view_name, _, feature = declared.partition(":")
        view = sight.registry.views.get(view_name)
        names = view.feature_names if view is not None and feature == "*" else (feature,)
        refs += [f"{view_name}:{each}" for each in names]
    return list(dict.fromkeys(refs))


def _aggregation_dtype(view: FeatureView, aggregation: Aggregation) -> str:
    """The aggregate's type when the definitions fix it (by its function, or by the feature it
    reads); else it is its source column's, which only the warehouse knows."""
    fixed = FUNCTIONS[aggregation.function][1]
    read = next((f.dtype for f in view.features if f.name == aggregation.column), None)
    if fixed is None and read is not None:
        fixed = aggregation.output_dtype(read)
    return fixed.value if fixed is not None else f"as column {aggregation.column}"


def _member(view: FeatureView, member: Feature | Aggregation, found: Any) -> dict[str, Any]:
    """A feature or aggregation as a row: name, type, what it computes, owner, tags, PII."""
    ref = f"{view.name}:{member.name}"
    verdict = found.of(ref)
    row = {"name": member.name, "ref": ref, "description": member.description, "owner": member.owner,
           "tags": dict(member.tags), "pii": verdict.pii, "pii_reason": verdict.reason}
    if isinstance(member, Aggregation):
        return {**row, "kind": "aggregation", "dtype": _aggregation_dtype(view, member),
                "computes": f"{member.function}({member.column}) over {shown(member.window)}"}
    return {**row, "kind": "feature", "dtype": member.dtype.value, "computes": ""}
