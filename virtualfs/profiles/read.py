"""The rows of a profile query back into :class:`FeatureProfile` values.

The query returns one row of statistics (``_vfs_feature`` null) and distribution rows
(``compile.profile.query``): bins, top values and days, each tagged with its feature.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from virtualfs.compile.profile import QUANTILES, Bins, ProfileColumn, stat_column
from virtualfs.compile.profile.query import COUNT, DAY, FEATURE, FLAG, SLOT, TEXT
from virtualfs.definitions import DType
from virtualfs.profiles.model import FeatureProfile, Histogram

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class Named:
    """A profiled column and the name the profile shows it under."""

    name: str
    column: ProfileColumn


def read_features(table: pa.Table, columns: Sequence[Named]) -> list[FeatureProfile]:
    """One :class:`FeatureProfile` per column, in order."""
    import pyarrow.compute as pc

    summary = table.filter(pc.is_null(table.column(FEATURE))).slice(0, 1).to_pylist()[0]
    parts: dict[int, list[dict[str, Any]]] = {}
    for row in table.filter(pc.is_valid(table.column(FEATURE))).to_pylist():
        parts.setdefault(int(row[FEATURE]), []).append(row)
    return [_feature(named, summary, parts.get(named.column.index, [])) for named in columns]


def _feature(named: Named, summary: dict[str, Any], rows: list[dict[str, Any]]) -> FeatureProfile:
    column = named.column
    stat = {s: summary.get(stat_column(column.index, s)) for s in column.statistics()}
    found: dict[str, Any] = {"min": stat.get("min"), "max": stat.get("max"), "mean": stat.get("mean"),
                             "stddev": stat.get("stddev")}
    if "p50" in stat:
        found["quantiles"] = tuple(stat[name] for name, _ in QUANTILES)
    if column.dtype in (DType.INT64, DType.FLOAT64) and stat["count"]:
        found["histogram"] = _histogram(column, stat, rows)
    if column.dtype in (DType.STRING, DType.BOOL):
        found["top_values"] = _top_values(column, rows)
    if column.dtype == DType.TIMESTAMP:
        found["days"] = tuple(sorted((row[DAY], int(row[COUNT])) for row in rows))
    return FeatureProfile(named.name, column.dtype, int(stat["rows"] or 0), int(stat["count"] or 0),
                          None if stat["distinct"] is None else int(stat["distinct"]), **found)


def _histogram(column: ProfileColumn, stat: dict[str, Any], rows: list[dict[str, Any]]) -> Histogram:
    bins = column.bins or _own_bins(column, stat)
    counts = [0] * bins.count
    below = above = 0
    for row in rows:
        slot, n = int(row[SLOT]), int(row[COUNT])
        if slot < 0:
            below += n
        elif slot >= bins.count:
            above += n
        else:
            counts[slot] += n
    edges = [bins.low + k * bins.width for k in range(bins.count + 1)]
    edges[-1] = max(edges[-1], bins.high)  # the maximum lies in the last bin, whatever the rounding
    return Histogram(tuple(edges), tuple(counts), bins.width, below, above)


def _own_bins(column: ProfileColumn, stat: dict[str, Any]) -> Bins:
    return Bins(float(stat["min"]), float(stat["width"]), int(stat["bins"]), float(stat["max"]))


def _top_values(column: ProfileColumn, rows: list[dict[str, Any]]) -> tuple[tuple[Any, int], ...]:
    holder = TEXT if column.dtype == DType.STRING else FLAG
    found = {row[holder]: int(row[COUNT]) for row in rows}
    if column.categories is not None:  # another profile's values, in its order, zero when absent
        return tuple((value, found.get(value, 0)) for value in column.categories)
    return tuple(sorted(found.items(), key=lambda item: (-item[1], item[0])))
