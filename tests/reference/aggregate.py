"""A plain-pandas reference of windowed aggregations, written from DESIGN.md, not from the compiler.

For each entity row (keys ``k``, time ``t``) and each aggregation ``agg(column) over w``:

- the window holds the source rows of the same keys with ``t - w < e <= t``;
- under the known-time rule a row must also have landed: ``c <= t`` (a null ``c`` counts as
  landed at ``e``); under the event-time rule ``c`` does not matter;
- a filter keeps the rows it is true for (SQL: unknown is not true);
- ``count`` counts the column's non-null values, 0 for an empty window; ``count_distinct`` the
  distinct ones; ``sum``, ``avg``, ``min``, ``max`` and ``stddev`` (the sample standard
  deviation, needing two values) ignore nulls and give null for an empty window;
- ``last`` is the value (null included) of the window's row with the greatest ``e``, ties
  broken by the greatest ``c`` (a null ``c`` loses). Rows tied on both have no defined order:
  the reference then answers :class:`OneOf` their values;
- an entity row with a null time or key sees no rows.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from tests.reference.rules import is_candidate, missing, order, plain, utc


@dataclass(frozen=True)
class OneOf:
    """Any of ``values`` is right (``last`` over rows tied on event and created time)."""

    values: tuple


@dataclass(frozen=True)
class ReferenceAggregation:
    """One aggregation; ``keep`` is the filter written in Python (``None``: every row)."""

    output: str
    function: str
    column: str
    window: timedelta
    keep: Callable[[Mapping], bool] | None = None


@dataclass(frozen=True)
class ReferenceSource:
    rows: pd.DataFrame
    join_keys: tuple[str, ...]
    event: str
    created: str | None = None


def reference_aggregates(entities: pd.DataFrame, source: ReferenceSource,
                         aggregations: Sequence[ReferenceAggregation], rule: str,
                         timestamp_column: str = "event_timestamp") -> list[dict]:
    """One dict per entity row, in order: each aggregation's output -> its expected value."""
    rows = source.rows.to_dict("records")
    result = []
    for _, entity in entities.iterrows():
        t = utc(entity[timestamp_column])
        keys = tuple(entity[key] for key in source.join_keys)
        result.append({
            a.output: _aggregate(a, _window_rows(rows, source, keys, t, a, rule)) for a in aggregations
        })
    return result


def _window_rows(rows: list[dict], source: ReferenceSource, keys: tuple, t, aggregation, rule: str) -> list:
    if t is None or any(missing(k) for k in keys):
        return []
    chosen = []
    for row in rows:
        if tuple(row[key] for key in source.join_keys) != keys:
            continue
        e = utc(row[source.event])
        c = utc(row[source.created]) if source.created else None
        if not is_candidate(e, c, t, rule) or e <= t - aggregation.window:
            continue
        if aggregation.keep is not None and not aggregation.keep(row):
            continue
        chosen.append((e, c, row[aggregation.column]))
    return chosen


def _aggregate(aggregation: ReferenceAggregation, chosen: list):
    if aggregation.function == "last":
        return _last(chosen)
    values = [plain(v) for _, _, v in chosen if not missing(v)]
    if aggregation.function == "count":
        return len(values)
    if aggregation.function == "count_distinct":
        return len(set(values))
    if not values:
        return None
    if aggregation.function == "stddev":
        return statistics.stdev(values) if len(values) > 1 else None
    return {"sum": sum, "avg": statistics.fmean, "min": min, "max": max}[aggregation.function](values)


def _last(chosen: list):
    if not chosen:
        return None
    orders = [order(e, c) for e, c, _ in chosen]
    best = max(orders)
    tied = {plain(v) for (e, c, v), o in zip(chosen, orders, strict=True) if o == best}
    return next(iter(tied)) if len(tied) == 1 else OneOf(tuple(tied))
