"""A plain-pandas reference of feature statistics, written from the issue, not from the compiler.

Over the rows with ``start <= event time < end``, for one column:

- ``rows`` every row, ``count`` the non-null values, ``null_fraction`` = 1 - count / rows;
- ``distinct`` the distinct non-null values; ``min``, ``max``;
- numbers: ``mean``, ``stddev`` (sample, ddof 1), quantiles p01 ... p99 by linear
  interpolation between the nearest ranks (numpy's default ``linear`` method, which is what
  ``PERCENTILE_CONT`` defines); a histogram is the non-null values counted in given bin edges
  (``numpy.histogram``: half-open bins, the last closed);
- booleans: ``mean`` the share of true values;
- strings and booleans: the 10 most frequent values, ties by the smaller value;
- timestamps: rows per UTC day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd

QUANTILES = {"p01": 0.01, "p05": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95, "p99": 0.99}


def window(rows: pd.DataFrame, event: str, start: datetime | None, end: datetime | None) -> pd.DataFrame:
    keep = pd.Series(True, index=rows.index)
    if start is not None:
        keep &= rows[event] >= start
    if end is not None:
        keep &= rows[event] < end
    return rows[keep]


def statistics(values: pd.Series, kind: str) -> dict:
    present = values.dropna()
    found = {"rows": len(values), "count": len(present), "distinct": present.nunique(),
             "null_fraction": 1 - len(present) / len(values) if len(values) else None}
    if kind in ("int64", "float64", "string", "timestamp") and len(present):
        found["min"], found["max"] = present.min(), present.max()
    if kind in ("int64", "float64") and len(present):
        numbers = present.astype(float).to_numpy()
        found["mean"] = numbers.mean()
        found["stddev"] = numbers.std(ddof=1) if len(numbers) > 1 else None
        found.update({name: float(np.quantile(numbers, q)) for name, q in QUANTILES.items()})
    if kind == "bool" and len(present):
        found["mean"] = present.astype(bool).mean()
    return found


def histogram(values: pd.Series, edges: Sequence[float]) -> list[int]:
    counts, _ = np.histogram(values.dropna().astype(float).to_numpy(), bins=np.asarray(edges))
    return [int(c) for c in counts]


def top_values(values: pd.Series, n: int = 10) -> list[tuple]:
    counted = values.dropna().value_counts()
    ordered = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
    return [(value, int(count)) for value, count in ordered[:n]]


def per_day(values: pd.Series) -> list[tuple]:
    days = pd.to_datetime(values.dropna(), utc=True).dt.date
    return sorted((day, int(count)) for day, count in days.value_counts().items())
