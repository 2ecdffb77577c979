"""Hypothesis strategies for windowed aggregations that find the edges.

Times sit on a grid of seconds (a few nudged by one microsecond), and windows are a few seconds
long, so events exactly at ``t``, exactly at ``t - w`` and one microsecond inside either edge are
common, as are empty windows. Created times fall before, at and after the event (some null,
some after the label time: late rows). Keys come from a small domain with one that has no
history; some keys and times are null; values repeat and are often null. Entity rows come
unsorted and duplicated. Floats are multiples of 1/4, so sums are exact in any order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pandas as pd
from hypothesis import strategies as st

from tests.reference.aggregate import ReferenceAggregation

BASE = datetime(2024, 3, 31, 0, 59, 30, tzinfo=timezone.utc)
WINDOWS = (1, 3, 5, 8, 12)  # seconds; see TEST_POLICY in helpers for how each is tiled
NUMERIC = ("amount", "qty")


def present(value) -> bool:
    """Not null: None, pandas' NA and NaT, and a float NaN are all SQL nulls here."""
    return not (value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value))


# (SQL, the same condition in Python: SQL's unknown is not true)
FILTERS: tuple[tuple[str, Callable[[Mapping], bool]], ...] = (
    ("status = 'a'", lambda r: present(r["status"]) and r["status"] == "a"),
    ("amount > 0", lambda r: present(r["amount"]) and r["amount"] > 0),
    ("qty IS NOT NULL AND status <> 'c'",
     lambda r: present(r["qty"]) and present(r["status"]) and r["status"] != "c"),
    ("status IN ('a', 'b') OR amount BETWEEN -1 AND 1",
     lambda r: (present(r["status"]) and r["status"] in ("a", "b"))
     or (present(r["amount"]) and -1 <= r["amount"] <= 1)),
)
COLUMNS = {
    "count": ("amount", "qty", "status"), "count_distinct": ("qty", "status"),
    "sum": NUMERIC, "avg": NUMERIC, "stddev": NUMERIC,
    "min": ("amount", "qty", "status"), "max": ("amount", "qty", "status"),
    "last": ("amount", "qty", "status"),
}


@dataclass(frozen=True)
class AggregateSpec:
    function: str
    column: str
    window: int  # seconds
    filter: int | None  # index into FILTERS

    def reference(self, output: str) -> ReferenceAggregation:
        keep = None if self.filter is None else FILTERS[self.filter][1]
        return ReferenceAggregation(output, self.function, self.column, timedelta(seconds=self.window), keep)


@dataclass(frozen=True)
class AggregateCase:
    rows: pd.DataFrame  # customer_id, event_ts, [created_ts], amount, qty, status
    has_created: bool
    naive: bool  # source times stored as naive TIMESTAMP
    entities: pd.DataFrame  # customer_id, event_timestamp
    specs: tuple[AggregateSpec, ...]
    rule: str


def instant(second: int | None, nudge: int = 0) -> datetime | None:
    return None if second is None else BASE + timedelta(seconds=second, microseconds=nudge)


def _maybe(strategy: st.SearchStrategy, null_weight: int = 6) -> st.SearchStrategy:
    return st.one_of(st.none(), strategy) if null_weight <= 1 else st.tuples(
        st.integers(1, null_weight), strategy).map(lambda pair: pair[1] if pair[0] > 1 else None)


NUDGES = st.sampled_from([0, 0, 0, 0, 1, -1, 500_000])  # a half second: rows sharing a tile


@st.composite
def source_rows(draw, has_created: bool) -> pd.DataFrame:
    row = st.tuples(
        _maybe(st.integers(1, 3), 15), _maybe(st.integers(0, 24), 20), NUDGES,
        _maybe(st.sampled_from([-2, 0, 0, 1, 2, 3, 20]), 5),
        _maybe(st.integers(-12, 12).map(lambda x: x / 4)), _maybe(st.integers(-3, 5)),
        _maybe(st.sampled_from(["a", "b", "c"])),
    )
    rows = draw(st.lists(row, max_size=18))
    records = [{
        "customer_id": key, "event_ts": instant(event, nudge),
        "created_ts": None if event is None or lag is None else instant(event + lag, nudge),
        "amount": amount, "qty": qty, "status": status,
    } for key, event, nudge, lag, amount, qty, status in rows]
    columns = ["customer_id", "event_ts", "created_ts", "amount", "qty", "status"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame = frame.astype({"customer_id": "Int64", "amount": "Float64", "qty": "Int64", "status": "string"})
    for column in ("event_ts", "created_ts"):
        frame[column] = pd.to_datetime(frame[column], utc=True).astype("datetime64[us, UTC]")
    return frame if has_created else frame.drop(columns=["created_ts"])


@st.composite
def entity_frames(draw, edges: list[datetime]) -> pd.DataFrame:
    """Entity rows at grid times, or exactly at an event time or one window after one."""
    grid = st.tuples(_maybe(st.integers(-2, 28), 20), NUDGES).map(lambda pair: instant(*pair))
    times = st.one_of(grid, st.sampled_from(edges)) if edges else grid
    rows = draw(st.lists(st.tuples(_maybe(st.integers(1, 4), 15), times), min_size=1, max_size=8))
    rows += draw(st.lists(st.sampled_from(rows), max_size=2))  # duplicate rows
    return pd.DataFrame({
        "customer_id": pd.array([r[0] for r in rows], dtype="Int64"),
        "event_timestamp": pd.to_datetime([r[1] for r in rows], utc=True).astype("datetime64[us, UTC]"),
    })


@st.composite
def specs(draw) -> AggregateSpec:
    function = draw(st.sampled_from(sorted(COLUMNS)))
    return AggregateSpec(function, draw(st.sampled_from(COLUMNS[function])), draw(st.sampled_from(WINDOWS)),
                         draw(st.none() | st.integers(0, len(FILTERS) - 1)))


@st.composite
def aggregate_cases(draw) -> AggregateCase:
    has_created = draw(st.booleans())
    rows = draw(source_rows(has_created))
    chosen = tuple(draw(st.lists(specs(), min_size=1, max_size=6)))
    times = [t for column in ("event_ts", "created_ts") if column in rows for t in rows[column].dropna()]
    edges = [t.to_pydatetime() + timedelta(seconds=shift) for t in times
             for shift in (0, *(spec.window for spec in chosen))]
    return AggregateCase(rows, has_created, draw(st.booleans()), draw(entity_frames(edges)), chosen,
                         draw(st.sampled_from(["known", "event"])))
