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

from tests.reference.rules import is_candidate, missing, order, plain, utc


@dataclass(frozen=True)
class ReferenceView:
    """One view: its source rows (a DataFrame) and which columns mean what."""

    rows: pd.DataFrame
    join_keys: tuple[str, ...]
    event: str
    created: str | None
    features: tuple[tuple[str, str], ...]  # (source column, output column)
    ttl: timedelta | None = None


def winner(view: ReferenceView, keys: tuple, t, rule: str = "known") -> pd.Series | None:
    """The source row an entity row with ``keys`` at ``t`` sees (None: no candidate, or past the TTL)."""
    return _winner(view, keys, utc(t), rule)


def reference_frame(entities: pd.DataFrame, views: Sequence[ReferenceView], rule: str,
                    timestamp_column: str = "event_timestamp") -> pd.DataFrame:
    """The expected training frame: ``entities`` plus one column per feature, as Python values."""
    result = {column: list(entities[column]) for column in entities.columns}
    times = [utc(value) for value in entities[timestamp_column]]
    for view in views:
        winners = [_winner(view, _keys_of(entities, i, view), t, rule) for i, t in enumerate(times)]
        for column, output in view.features:
            result[output] = [None if w is None else plain(w[column]) for w in winners]
    return pd.DataFrame(result)


def _keys_of(entities: pd.DataFrame, index: int, view: ReferenceView) -> tuple:
    return tuple(entities[key].iloc[index] for key in view.join_keys)


def _winner(view: ReferenceView, keys: tuple, t: pd.Timestamp | None, rule: str) -> pd.Series | None:
    if t is None or any(missing(k) for k in keys):
        return None
    best, best_order = None, None
    for _, row in view.rows.iterrows():
        row_keys = tuple(row[key] for key in view.join_keys)
        if any(missing(k) for k in row_keys) or row_keys != keys:
            continue
        e = utc(row[view.event])
        c = utc(row[view.created]) if view.created else None
        if not is_candidate(e, c, t, rule):
            continue
        if best_order is None or order(e, c) > best_order:
            best, best_order = row, order(e, c)
    if best is None:
        return None
    if view.ttl is not None and best_order[0] < t - view.ttl:
        return None
    return best
