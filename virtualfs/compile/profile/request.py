"""What a profile query is asked for: columns of relations, a time window, reference bins.

A :class:`ProfileRelation` is any relation of the warehouse (a source table or query, the rows
of a saved dataset, the aggregation values on a grid of times) with the columns to profile and
their dtypes. Features are numbered across the whole request (``ProfileColumn.index``); every
statistic of feature ``i`` comes back in columns named ``_vfs_s{i}_<statistic>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlglot import exp

from virtualfs.definitions import DType
from virtualfs.errors import RequestError

NUMBERS = frozenset({DType.INT64, DType.FLOAT64})
# Statistics per dtype beyond rows, count (non-null values) and distinct; all named in order.
QUANTILES = (("p01", 0.01), ("p05", 0.05), ("p25", 0.25), ("p50", 0.5), ("p75", 0.75), ("p95", 0.95),
             ("p99", 0.99))
BY_DTYPE: dict[DType, tuple[str, ...]] = {
    DType.INT64: ("min", "max", "mean", "stddev", *(q for q, _ in QUANTILES), "width", "bins"),
    DType.FLOAT64: ("min", "max", "mean", "stddev", *(q for q, _ in QUANTILES), "width", "bins"),
    DType.BOOL: ("mean",),  # the share of true values
    DType.STRING: ("min", "max"),
    DType.TIMESTAMP: ("min", "max"),
}
BINS = 20       # histogram bins of a number column (integers: at most 20 bins of whole numbers)
TOP_VALUES = 10


@dataclass(frozen=True)
class Bins:
    """Fixed histogram bins: ``count`` bins of ``width`` from ``low``; values above ``high`` (the
    last bin's closed end) or below ``low`` are counted in bins ``count`` and ``-1``."""

    low: float
    width: float
    count: int
    high: float

    def __post_init__(self) -> None:
        if not self.width > 0 or self.count < 1:
            raise RequestError(f"histogram bins need a positive width and count; got {self}")


@dataclass(frozen=True)
class ProfileColumn:
    """Feature ``index``: ``value`` (an expression over its relation's rows) of ``dtype``.

    ``bins`` / ``categories``: count into these (another profile's) instead of the column's own
    bins / top values, so two profiles compare bin by bin (drift).
    """

    index: int
    value: exp.Expression
    dtype: DType
    bins: Bins | None = None
    categories: tuple | None = None

    def statistics(self) -> tuple[str, ...]:
        """The statistics computed for this column, by name."""
        return ("rows", "count", "distinct", *BY_DTYPE[self.dtype])


@dataclass(frozen=True)
class ProfileRelation:
    """Rows to profile: ``relation`` (a table or aliased sub-query), the columns, and the time
    column a window is applied to (``None``: every row). ``ctes`` come first in the query."""

    relation: exp.Expression
    columns: tuple[ProfileColumn, ...]
    time: exp.Expression | None = None
    ctes: tuple[exp.CTE, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class ProfileRequest:
    """Relations profiled together in one query; windows are ``start <= time < end``."""

    relations: tuple[ProfileRelation, ...]
    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise RequestError(f"profile window: start {self.start} must be before end {self.end}")
        indexes = [c.index for r in self.relations for c in r.columns]
        if sorted(indexes) != list(range(len(indexes))):
            raise RequestError(f"profile columns must be numbered 0..n-1 once each; got {indexes}")

    @property
    def columns(self) -> Sequence[ProfileColumn]:
        return [c for r in self.relations for c in r.columns]


def stat_column(index: int, statistic: str) -> str:
    """The output column holding ``statistic`` of feature ``index``: ``_vfs_s3_p50``."""
    return f"_vfs_s{index}_{statistic}"
