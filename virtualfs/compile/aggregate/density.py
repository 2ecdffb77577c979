"""How many entity rows each key has, and the time they span: known when the rows are in memory.

The tiled formulation routes each key in the query (``tiles.py``): to tiles when its entity rows
are many for the time they span, otherwise to raw rows read in window-wide buckets. Keeping the
tile steps in a query costs passes over the source even when no key is routed to them; with the
entity rows in hand the compiler can see that beforehand and leave them out. Either way the
numbers are the same; only the work differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True, eq=False)
class KeyDensity:
    """Per distinct key of the entity rows: its number of rows and their time span (microseconds)."""

    counts: np.ndarray
    spans_us: np.ndarray

    @classmethod
    def of(cls, rows: pa.Table, key_columns: Sequence[str], time_column: str) -> KeyDensity:
        """Count and span per key of ``rows`` (null times are not counted)."""
        times = rows.column(time_column)
        if pa.types.is_timestamp(times.type):
            # sub-microsecond digits do not matter to a density estimate
            times = pc.cast(times, pa.timestamp("us", times.type.tz), safe=False).cast(pa.int64())
        table = pa.table({**{f"k{i}": rows.column(c) for i, c in enumerate(key_columns)}, "t": times})
        grouped = table.group_by([f"k{i}" for i in range(len(key_columns))]).aggregate(
            [("t", "count"), ("t", "min"), ("t", "max")])
        counts = grouped.column("t_count").to_numpy(zero_copy_only=False).astype(np.float64)
        low = grouped.column("t_min").to_numpy(zero_copy_only=False).astype(np.float64)
        high = grouped.column("t_max").to_numpy(zero_copy_only=False).astype(np.float64)
        return cls(counts, np.nan_to_num(high - low))

    def dense_share(self, window: timedelta, ratio: float) -> float:
        """The share of entity rows whose key passes the query's routing test for tiles,
        ``rows x w >= ratio x (span + w)``."""
        w = float(window // timedelta(microseconds=1))
        total = float(self.counts.sum())
        if total == 0:
            return 0.0
        dense = self.counts * w >= ratio * (self.spans_us + w)
        return float(self.counts[dense].sum()) / total
