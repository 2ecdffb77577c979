"""The saved dataset pages: every live dataset, and one dataset's manifest (what was asked, how
it was computed, what came out), the profile its manifest keeps (drawn), and whether it was
recreated identically (the audit log's ``dataset.recreate`` entries).
"""

from __future__ import annotations

from typing import Any

from virtualfs.datasets.manifest import Manifest
from virtualfs.ui.highlight import highlight_sql
from virtualfs.ui.present import Page, Sight, find
from virtualfs.ui.values import MASKED, drawn, feature_from_dict


def datasets_page(sight: Sight) -> Page:
    """The live saved datasets this viewer may read every feature of."""
    records = sight.state.store.catalog.datasets.live()
    return Page({"datasets": [{"name": r.name, "revision": r.revision, "recorded_at": r.recorded_at,
                               "description": r.manifest.get("description", ""),
                               "rows": r.manifest.get("rows"), "features": len(r.manifest["features"])}
                              for r in records if _readable(sight, r.manifest)]})


def dataset_page(sight: Sight, name: str) -> Page:
    """One saved dataset; a masked PII feature is labelled and its statistics left out.

    Example::

        dataset_page(sight, "churn_train").data["manifest"]["rows"]   # -> 3
    """
    records = {r.name: r for r in sight.state.store.catalog.datasets.live()}
    shown = [n for n, r in records.items() if _readable(sight, r.manifest)]
    record = find(sight, "saved dataset", records, name, shown)
    manifest = Manifest.from_data(record.manifest)
    columns = dict(zip(manifest.feature_columns(), manifest.features, strict=True))
    pii = set(sight.state.classification(sight.registry).pii_features())
    profiles, charts = _profiles(sight, record.manifest, columns)
    data = {"name": name, "revision": record.revision, "recorded_at": record.recorded_at,
            "manifest": {**record.manifest, "statistics": None},
            "features": [{"column": column, "ref": ref, "pii": ref in pii,
                          "masked": not sight.viewer.sees_values(ref)} for column, ref in columns.items()],
            "profile": profiles, "recreated": _recreated(sight, name)}
    return Page(data, {"charts": charts, "sql": highlight_sql(manifest.sql, manifest.warehouse)})


def _profiles(sight: Sight, manifest: dict[str, Any], columns: dict[str, str]) -> tuple[list, dict]:
    """Each feature column's kept profile (numbers and chart), or why it is not shown."""
    kept = (manifest.get("statistics") or {}).get("profile") or {}
    profiles, charts = [], {}
    for feature in kept.get("features", []):
        ref = columns.get(feature["feature"], feature["feature"])
        if not sight.viewer.sees_values(ref):
            profiles.append({"column": feature["feature"], "masked": True, "note": MASKED})
            continue
        data, chart = drawn(feature_from_dict(feature), feature["feature"])
        profiles.append({"column": feature["feature"], **data})
        charts[feature["feature"]] = chart
    if "unavailable" in kept:
        profiles.append({"unavailable": kept["unavailable"]})
    return profiles, charts


def _recreated(sight: Sight, name: str) -> dict[str, Any] | None:
    """The last recreate of dataset ``name``: when, by whom, and whether it came out identical."""
    logged = sight.state.store.catalog.audit.entries(action="dataset.recreate")
    entries = [entry for entry in logged if entry.target == name]
    if not entries:
        return None
    last = entries[-1]
    return {"at": last.at, "principal": last.principal, "outcome": last.outcome,
            "identical": (last.detail or {}).get("identical")}


def readable_datasets(sight: Sight) -> list[str]:
    """The live datasets every feature of which this viewer may see."""
    return [r.name for r in sight.state.store.catalog.datasets.live() if _readable(sight, r.manifest)]


def _readable(sight: Sight, manifest: dict[str, Any]) -> bool:
    return all(sight.viewer.sees(ref) for ref in manifest["features"])
