"""The pages over the whole catalog: home (counts, recent applies and refreshes, failing checks,
stale views), search, the version history with a readable diff between any two versions, and
the audit log.
"""

from __future__ import annotations

from typing import Any

from virtualfs.errors import AccessDeniedError, NotFoundError, RequestError
from virtualfs.governance import find as find_definitions
from virtualfs.governance.search import KINDS, Query
from virtualfs.instants import utc_now
from virtualfs.refresh.due import due_views
from virtualfs.ui.on_demand import readable_on_demand
from virtualfs.ui.present import Page, Sight, href_of, run_data

RECENT = 10  # applies and refreshes on the home page
RUNS_READ = 2_000  # the newest runs read to find failing checks and stale views in one query
HITS_SHOWN = 50
AUDIT_SHOWN = 200


def home_page(sight: Sight) -> Page:
    """What a person opening the catalog wants first: how much there is, what changed lately,
    what is failing, and what is late.

    Example::

        home_page(sight).data["counts"]   # -> {"views": 2, "features": 6, ...}
    """
    catalog, views = sight.state.store.catalog, sight.visible_views()
    names = {view.name for view in views}
    runs = [run for run in catalog.state.runs(None, limit=RUNS_READ) if run.view in names]
    counts = {"views": len(views), "features": sum(len(sight.view_refs(v)) for v in views),
              "entities": len({e.name for v in views for e in v.entities}),
              "sources": len({v.source.name for v in views}),
              "services": len([s for s in sight.registry.services if _sees_service(sight, s)]),
              "datasets": len(catalog.datasets.live())}
    return Page({"project": sight.state.store.project, "version": sight.registry.version, "counts": counts,
                 "applies": [_version(v) for v in reversed(catalog.versions()[-RECENT:])],
                 "refreshes": [run_data(run) for run in runs[:RECENT]],
                 "failing_checks": _failing_checks(sight, runs), "stale_views": _stale(views, runs)})


def search_page(sight: Sight, text: str, kind: str | None = None) -> Page:
    """Definitions matching ``text`` over names, descriptions, owners and tags, best first;
    only what the viewer may see.

    Example::

        search_page(sight, "euros").data["hits"][0]["href"]   # -> "/ui/features/customer_orders:amount"
    """
    if kind not in (None, "", *KINDS):
        raise RequestError(f"search: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    hits = find_definitions(sight.registry, sight.state.store.config.dialect, Query(text, kind=kind or None))
    shown = [{**hit.to_dict(), "href": href_of(hit.kind, hit.name)} for hit in hits
             if _sees_hit(sight, hit.kind, hit.name)][:HITS_SHOWN]
    return Page({"query": text, "kind": kind or None, "hits": shown})


def versions_page(sight: Sight) -> Page:
    """Every applied catalog version, newest first."""
    return Page({"versions": [_version(v) for v in reversed(sight.state.store.catalog.versions())]})


def diff_page(sight: Sight, old: int, new: int) -> Page:
    """What changed from version ``old`` to ``new`` (either order), change by change, field by
    field, as ``virtualfs plan`` says it.

    Example::

        diff_page(sight, 1, 2).data["changes"][0]["differences"]
        # -> ["customer_orders.items: int64 -> float64"]
    """
    catalog = sight.state.store.catalog
    known = [v.version for v in catalog.versions()]
    for number in (old, new):
        if number not in known:
            raise NotFoundError(f"unknown catalog version {number}; versions are "
                                f"{', '.join(map(str, known)) or 'none (nothing applied yet)'}")
    changes = [change for change in sight.state.changes(old, new)
               if _sees_definition(sight, change["kind"], change["name"])]
    counts = {action: sum(c["action"] == action for c in changes)
              for action in ("create", "update", "delete")}
    summary = f"{counts['create']} created, {counts['update']} updated, {counts['delete']} deleted"
    return Page({"old": old, "new": new, "summary": summary, "changes": changes,
                 "versions": known})


def catalog_page(sight: Sight) -> Page:
    """Everything the viewer may see, by kind: the index to browse from."""
    views = sight.visible_views()
    registry = sight.registry
    return Page({
        "views": [{"name": v.name, "description": v.description, "owner": v.owner,
                   "features": len(sight.view_refs(v)), "entities": [e.name for e in v.entities]}
                  for v in views],
        "services": [{"name": s.name, "description": s.description, "owner": s.owner}
                     for s in registry.services.values() if _sees_service(sight, s.name)],
        "on_demand": [{"name": name, "description": registry.on_demand[name].description}
                      for name in readable_on_demand(sight)],
        "entities": sorted({e.name for v in views for e in v.entities}),
        "sources": sorted({v.source.name for v in views})})


def audit_page(sight: Sight) -> Page:
    """The newest audit entries; only for a viewer who may see everything (it names what others read)."""
    if sight.viewer.restricted:
        raise AccessDeniedError(sight.viewer.refuse("the audit log").args[0], sight.viewer.principal,
                                "audit", "access.roles")
    entries = sight.state.store.catalog.audit.entries()[-AUDIT_SHOWN:]
    return Page({"entries": [entry.to_dict() for entry in reversed(entries)]})


def _version(version: Any) -> dict[str, Any]:
    return {"version": version.version, "parent": version.parent, "created_at": version.created_at,
            "summary": version.summary}


def _failing_checks(sight: Sight, runs: list) -> list[dict[str, Any]]:
    """Per view, the failed results of its newest run that checked anything."""
    results = sight.state.store.catalog.checks.of_runs(run.run_id for run in runs)
    seen, failing = set(), []
    for run in runs:  # newest first
        if run.run_id not in results or run.view in seen:
            continue
        seen.add(run.view)
        failing += [{"view": r.view, "check": r.check, "severity": r.severity, "expected": r.expected,
                     "started_at": run.started_at} for r in results[run.run_id] if not r.passed]
    return failing


def _stale(views: list, runs: list) -> list[dict[str, Any]]:
    """Scheduled views whose schedule fired since their last successful refresh."""
    last: dict[str, Any] = {}
    for run in runs:
        if run.status == "success":
            last.setdefault(run.view, run.started_at)
    scheduled = [view for view in views if view.schedule]
    return [{"view": view.name, "schedule": view.schedule, "last_success": last.get(view.name)}
            for view in due_views(scheduled, last, utc_now())]


def _sees_service(sight: Sight, name: str) -> bool:
    from virtualfs.policy import expand_features

    return all(sight.viewer.sees(ref) for ref in expand_features(sight.registry, name))


def _sees_definition(sight: Sight, kind: str, name: str) -> bool:
    """Whether a definition of the registry's kind (``feature view``...) shows to the viewer."""
    return _sees_hit(sight, {"feature view": "view", "feature service": "service"}.get(kind, kind), name)


def _sees_hit(sight: Sight, kind: str, name: str) -> bool:
    if not sight.viewer.restricted:
        return True
    views = sight.visible_views()
    if kind == "feature":
        return sight.viewer.sees(name)
    if kind == "view":
        return any(view.name == name for view in views)
    if kind == "service":
        return _sees_service(sight, name)
    if kind == "entity":
        return any(e.name == name for view in views for e in view.entities)
    return any(view.source.name == name for view in views)
