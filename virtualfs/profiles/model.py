"""What a profile holds: per feature its counts, range, moments, quantiles and distribution.

Pure data, read back from the one query per view (``profiles.read``); the pictures are drawn
by ``profiles.html`` and ``profiles.png`` from these fields alone.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from virtualfs.compile.profile import QUANTILES
from virtualfs.definitions import DType
from virtualfs.errors import NotFoundError
from virtualfs.registry import suggest

if TYPE_CHECKING:
    import pandas as pd

QUANTILE_NAMES = tuple(name for name, _ in QUANTILES)
SUMMARY_COLUMNS = ("feature", "dtype", "rows", "count", "null_fraction", "distinct", "min", "max", "mean",
                   "stddev", *QUANTILE_NAMES)


@dataclass(frozen=True)
class Histogram:
    """Counts of values in bins: bin ``k`` holds ``edges[k] <= x < edges[k + 1]``, the last bin
    also its upper edge. ``below`` / ``above``: values outside the edges (when the bins are
    another profile's, for drift)."""

    edges: tuple[float, ...]
    counts: tuple[int, ...]
    width: float
    below: int = 0
    above: int = 0


@dataclass(frozen=True)
class FeatureProfile:
    """The statistics of one feature. ``rows`` counts every row, ``count`` the non-null values;
    ``mean`` of a boolean is its share of true values. ``top_values``: the most frequent
    values with their counts (strings and booleans); ``days``: rows per UTC day (timestamps)."""

    feature: str
    dtype: DType
    rows: int
    count: int
    distinct: int | None
    min: Any = None
    max: Any = None
    mean: float | None = None
    stddev: float | None = None
    quantiles: tuple[float | None, ...] = ()
    histogram: Histogram | None = None
    top_values: tuple[tuple[Any, int], ...] = ()
    days: tuple[tuple[date, int], ...] = ()

    @property
    def null_fraction(self) -> float | None:
        """The share of rows whose value is null (None without rows)."""
        return (self.rows - self.count) / self.rows if self.rows else None

    def quantile(self, name: str) -> float | None:
        """Quantile ``name`` (``p01`` ... ``p99``), None when not computed."""
        return dict(zip(QUANTILE_NAMES, self.quantiles, strict=False)).get(name)

    def summary(self) -> dict[str, Any]:
        """One row of ``Profile.to_pandas``."""
        row = {"feature": self.feature, "dtype": self.dtype.value, "rows": self.rows, "count": self.count,
               "null_fraction": self.null_fraction, "distinct": self.distinct, "min": self.min,
               "max": self.max, "mean": self.mean, "stddev": self.stddev}
        return {**row, **{name: self.quantile(name) for name in QUANTILE_NAMES}}

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-ready (times and days as ISO text)."""
        found = {key: _plain(value) for key, value in self.summary().items()}
        if self.histogram is not None:
            h = self.histogram
            found["histogram"] = {"edges": list(h.edges), "counts": list(h.counts), "width": h.width,
                                  "below": h.below, "above": h.above}
        if self.top_values:
            found["top_values"] = [{"value": _plain(v), "count": n} for v, n in self.top_values]
        if self.days:
            found["days"] = [{"day": d.isoformat(), "count": n} for d, n in self.days]
        return found


@dataclass(frozen=True)
class Profile:
    """The statistics of a target's features, computed in the warehouse.

    ``target`` says what was profiled, ``start``/``end`` the event-time window (None: open),
    ``distinct_method``/``quantile_method`` how the warehouse counted and interpolated.
    ``request`` re-runs it (``FeatureStore.compare_profiles`` counts a profile in another's bins).

    Example::

        profile = store.profile("customer_orders", start, end)
        profile.to_pandas(); profile.to_html("orders.html"); profile.to_png("orders.png")
    """

    target: str
    features: tuple[FeatureProfile, ...]
    dialect: str
    distinct_method: str
    quantile_method: str
    start: datetime | None = None
    end: datetime | None = None
    request: Any = field(default=None, compare=False, repr=False)

    def feature(self, name: str) -> FeatureProfile:
        """The profile of feature ``name`` (``view:feature`` for a view's)."""
        for feature in self.features:
            if feature.feature == name:
                return feature
        names = [f.feature for f in self.features]
        raise NotFoundError(f"profile of {self.target}: no feature {name!r}{suggest(name, names)}")

    def to_pandas(self) -> pd.DataFrame:
        """One row per feature: ``feature, dtype, rows, count, null_fraction, distinct, min, max,
        mean, stddev, p01 ... p99``, then ``distinct_method`` and ``quantile_method``."""
        import pandas as pd

        methods = {"distinct_method": self.distinct_method, "quantile_method": self.quantile_method}
        rows = [{**f.summary(), **methods} for f in self.features]
        return pd.DataFrame(rows, columns=[*SUMMARY_COLUMNS, "distinct_method", "quantile_method"])

    def to_dict(self) -> dict[str, Any]:
        """The whole profile as plain JSON-ready values."""
        return {"target": self.target, "dialect": self.dialect, "start": _plain(self.start),
                "end": _plain(self.end), "distinct_method": self.distinct_method,
                "quantile_method": self.quantile_method, "features": [f.to_dict() for f in self.features]}

    def to_html(self, path: str | os.PathLike[str]) -> None:
        """Write one self-contained HTML page: per feature a chart (inline SVG) and its numbers."""
        from virtualfs.profiles.html import render_html

        _write(path, render_html(self))

    def to_png(self, path: str | os.PathLike[str], features: str | Sequence[str] | None = None) -> None:
        """Write a PNG of one feature (``features="view:amount"``), several, or all (a grid)."""
        from virtualfs.profiles.png import render_png

        every = [f.feature for f in self.features]
        chosen = [features] if isinstance(features, str) else list(features or every)
        render_png([self.feature(name) for name in chosen], self, path)


def _write(path: str | os.PathLike[str], text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value
