"""Served values against offline values, one logged row at a time: pure, no I/O.

Each logged row is one of:

- ``equal``: the same value (both null counts as equal; floats within :data:`REL_TOL` relative or
  :data:`ABS_TOL` absolute; timestamps as instants);
- ``missing_online``: nothing was served (not found, outside its TTL, or null) where offline has a value;
- ``stale``: a different value served that is older than the offline one — for a plain feature,
  the served row's event time is before the event time of the row the known-time rule picks
  offline (staleness: the gap between the two); for an aggregation, the served snapshot was
  taken before the request (staleness: the request time minus the snapshot time), its window
  having slid on since (to an empty window too: offline null, or a count of 0);
- ``different``: any other difference (a value offline does not have, or one as recent as the
  offline value yet not equal: a transform that differs between training and serving).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

REL_TOL, ABS_TOL = 1e-9, 1e-12
EQUAL, STALE, MISSING_ONLINE, DIFFERENT = "equal", "stale", "missing_online", "different"
OUTCOMES = (EQUAL, STALE, MISSING_ONLINE, DIFFERENT)


@dataclass(frozen=True)
class Observation:
    """One logged value and its offline counterpart. ``offline_event`` is None for aggregations."""

    requested_at: datetime
    online: Any
    online_event: datetime | None
    offline: Any
    offline_event: datetime | None
    aggregate: bool = False


def outcome(seen: Observation) -> tuple[str, timedelta | None]:
    """The row's outcome and, when stale, by how long.

    >>> at = datetime(2026, 1, 5, tzinfo=timezone.utc)
    >>> outcome(Observation(at, 1.0, at, 1.0 + 1e-12, at))
    ('equal', None)
    >>> outcome(Observation(at, 1.0, at - timedelta(days=2), 2.0, at - timedelta(hours=1)))
    ('stale', datetime.timedelta(days=1, seconds=82800))
    >>> outcome(Observation(at, None, None, 2.0, at))
    ('missing_online', None)
    >>> outcome(Observation(at, 4.5, at - timedelta(days=40), None, None, aggregate=True))
    ('stale', datetime.timedelta(days=40))
    """
    if same_value(seen.online, seen.offline):
        return EQUAL, None
    if seen.online is None:
        return MISSING_ONLINE, None
    if seen.online_event is None:
        return DIFFERENT, None
    # an aggregate's window slides on after its snapshot, to an empty one too (null offline)
    newer = seen.requested_at if seen.aggregate else seen.offline_event
    if newer is not None and seen.online_event < newer:
        return STALE, newer - seen.online_event
    return DIFFERENT, None


def same_value(online: Any, offline: Any) -> bool:
    """Whether a served value equals an offline one (see the module's tolerance).

    >>> same_value(0.1 + 0.2, 0.3), same_value(None, None), same_value(1, 1.0), same_value("a", "b")
    (True, True, True, False)
    """
    if online is None or offline is None:
        return online is None and offline is None
    if isinstance(offline, datetime):
        online = parse_instant(online)
        return online is not None and _utc(online) == _utc(offline)
    if isinstance(online, bool) or isinstance(offline, bool):
        return bool(online) == bool(offline) and type(online) is type(offline)
    if isinstance(online, (int, float)) and isinstance(offline, (int, float)):
        if isinstance(online, float) and math.isnan(online):
            return isinstance(offline, float) and math.isnan(offline)
        return math.isclose(online, offline, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return online == offline


def parse_instant(value: Any) -> datetime | None:
    """A logged timestamp (ISO text) as a datetime; None when it is not one."""
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
