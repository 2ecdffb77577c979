"""Online/offline consistency, measured: the served log (``virtualfs.servedlog``) replayed through
the point-in-time compiler as of each request's time (known-time rule, ``replay``), compared per
feature (``compare``) into a :class:`ConsistencyReport` (``report``; ``text``, ``html``).

This is how a team finds a refresh schedule that left the online store behind (``stale``, and
by how long), keys that never reached it (``missing_online``), or a transform that differs
between training and serving (``different``).

Example::

    report = store.consistency_report(since=datetime(2026, 12, 4), until=datetime(2026, 12, 5))
    report.to_pandas()
    report.to_html("consistency.html")
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from virtualfs.consistency.compare import OUTCOMES, STALE, Observation, outcome
from virtualfs.consistency.replay import Replayed, defined_features, replay
from virtualfs.consistency.report import WORST, ConsistencyReport, FeatureConsistency, Mismatch
from virtualfs.servedlog.records import decode_value

if TYPE_CHECKING:
    import pyarrow as pa

    from virtualfs.registry import Registry
    from virtualfs.warehouses.base import Warehouse

__all__ = ["ConsistencyReport", "FeatureConsistency", "Mismatch", "consistency_report", "defined_features"]


def consistency_report(warehouse: Warehouse, registry: Registry, logged: pa.Table,
                       since: datetime | None = None, until: datetime | None = None,
                       service: str | None = None) -> ConsistencyReport:
    """Compare the logged rows ``logged`` (``servedlog.log_schema``) with offline answers from
    ``warehouse`` under ``registry``'s definitions."""
    answers = replay(warehouse, registry, logged) if logged.num_rows else {}
    by_feature: dict[str, list[Mismatch | str]] = {}
    staleness: dict[str, list] = {}
    for row in logged.to_pylist():
        ref = row["feature"]
        if ref in answers:
            result = _compare(row, answers[ref])
            by_feature.setdefault(ref, []).append(result)
            if isinstance(result, Mismatch) and result.staleness is not None:
                staleness.setdefault(ref, []).append(result.staleness)
    features = tuple(_feature(ref, results, staleness.get(ref, []))
                     for ref, results in sorted(by_feature.items()))
    undefined = tuple(sorted(set(logged.column("feature").to_pylist()) - answers.keys()))
    requests = len(set(logged.column("request_id").to_pylist()))
    return ConsistencyReport(since, until, service, requests, features, undefined)


def _compare(row: dict, replayed: Replayed) -> Mismatch | str:
    """``equal``, or the mismatch this logged row is."""
    key = (row["entity"], row["requested_at"], row["request_data"] if replayed.by_request else None)
    name = row["feature"].partition(":")[2]
    offline, offline_event = replayed.values[key][name], replayed.events[key]
    online = decode_value(row["value"])
    seen = Observation(row["requested_at"], online, row["event_time"], offline, offline_event,
                       aggregate=replayed.aggregate)
    found, lag = outcome(seen)
    if found == "equal":
        return found
    return Mismatch(row["feature"], found, row["entity"], row["requested_at"], online, offline,
                    row["event_time"], offline_event, lag)


def _feature(ref: str, results: list[Mismatch | str], staleness: list) -> FeatureConsistency:
    counts = dict.fromkeys(OUTCOMES, 0)
    mismatches = []
    for result in results:
        counts[result if isinstance(result, str) else result.outcome] += 1
        if isinstance(result, Mismatch):
            mismatches.append(result)
    # the stalest first, then the other kinds of difference, each in the order they were served
    mismatches.sort(key=lambda m: (m.outcome != STALE, -(m.staleness.total_seconds() if m.staleness else 0)))
    return FeatureConsistency(ref, len(results), counts, tuple(staleness), tuple(mismatches[:WORST]))
