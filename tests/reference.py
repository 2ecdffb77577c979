"""A plain-pandas reference of point-in-time joins, written from DESIGN.md, not from the compiler.

For each entity row (keys ``k``, time ``t``) and each view over source rows (keys, event time
``e``, created time ``c`` when the source has one):

- known-time rule: a row is a candidate once ``e <= t`` and ``c <= t``; a row whose ``c`` is
  null is taken as known at its ``e`` (as materialization does);
- event-time rule: candidates are ``e <= t``;
- the winner has the greatest ``e``, ties broken by the greatest ``c`` (a null ``c`` loses);
- with a TTL the winner must have ``e >= t - ttl``, else nulls; no candidate: nulls;
- every input row is kept, in order, with all its columns; times compare in UTC, naive = UTC.

Rows that tie on ``(e, c)`` with different values have no defined winner; the test data has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import pandas as pd


@dataclass(frozen=True)
class ReferenceView:
    """One view: its source rows (a DataFrame) and which columns mean what."""

    rows: pd.DataFrame
    join_keys: tuple[str, ...]
    event: str
    created: str | None
    features: tuple[tuple[str, str], ...]  # (source column, output column)
    ttl: timedelta | None = None


def reference_frame(entities: pd.DataFrame, views: Sequence[ReferenceView], rule: str,
                    timestamp_column: str = "event_timestamp") -> pd.DataFrame:
    """The expected training frame: ``entities`` plus one column per feature, as Python values."""
    result = {column: list(entities[column]) for column in entities.columns}
    times = [_utc(value) for value in entities[timestamp_column]]
    for view in views:
        winners = [_winner(view, _keys_of(entities, i, view), t, rule) for i, t in enumerate(times)]
        for column, output in view.features:
            result[output] = [None if w is None else _value(w[column]) for w in winners]
    return pd.DataFrame(result)


def _keys_of(entities: pd.DataFrame, index: int, view: ReferenceView) -> tuple:
    return tuple(entities[key].iloc[index] for key in view.join_keys)


def _winner(view: ReferenceView, keys: tuple, t: pd.Timestamp | None, rule: str) -> pd.Series | None:
    if t is None or any(_missing(k) for k in keys):
        return None
    best, best_order = None, None
    for _, row in view.rows.iterrows():
        row_keys = tuple(row[key] for key in view.join_keys)
        if any(_missing(k) for k in row_keys) or row_keys != keys:
            continue
        e = _utc(row[view.event])
        c = _utc(row[view.created]) if view.created else None
        if e is None or e > t:
            continue
        if rule == "known" and c is not None and c > t:
            continue
        order = (e, c is not None, c if c is not None else e)
        if best_order is None or order > best_order:
            best, best_order = row, order
    if best is None:
        return None
    if view.ttl is not None and best_order[0] < t - view.ttl:
        return None
    return best


def _utc(value) -> pd.Timestamp | None:
    if _missing(value):
        return None
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _value(value):
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp) or hasattr(value, "tzinfo"):
        return _utc(value)
    return value.item() if hasattr(value, "item") else value
