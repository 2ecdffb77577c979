"""Hypothesis strategies for point-in-time cases that find the edges.

Times sit on a grid of minutes, so ties on event time, on created time, on the time a row
became known, and rows exactly at the label time or exactly at the TTL edge are common.
Created times fall before, at, and after the event time; some are null, some land after the
label time. Keys come from a small domain (so rows share keys) with one key that has no
history; some keys and times are null. Entity rows come unsorted, with duplicates, as naive
or zoned timestamps. Sources may be empty. Rows never tie on ``(keys, e, c)`` with different
values (the winner would be undefined); exact duplicate rows do occur.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pandas as pd
from hypothesis import strategies as st

BASE = datetime(2024, 3, 31, 0, 30, tzinfo=timezone.utc)  # a DST change in Europe that night
KEY_SETS = (("customer_id",), ("product_id",), ("customer_id", "product_id"))
ZONES = (None, "UTC", "Europe/Berlin", "America/New_York")
FEATURES = ("f_int", "f_float", "f_str", "f_bool", "f_time")


@dataclass(frozen=True)
class SourceCase:
    """One view's source rows and how the view reads them."""

    rows: pd.DataFrame
    join_keys: tuple[str, ...]
    has_created: bool
    ttl: timedelta | None
    naive: bool  # event/created stored as naive TIMESTAMP (else with time zone)


@dataclass(frozen=True)
class PitCase:
    entities: pd.DataFrame  # customer_id, product_id, event_timestamp, label
    sources: tuple[SourceCase, ...]
    as_arrow: bool


def minute(n: int | None) -> datetime | None:
    return None if n is None else BASE + timedelta(minutes=n)


def _maybe(strategy: st.SearchStrategy, null_weight: int = 8) -> st.SearchStrategy:
    """``strategy`` or, about one time in ``null_weight``, None."""
    present = st.sampled_from([True] * (null_weight - 1) + [False])
    return st.tuples(present, strategy).map(lambda pair: pair[1] if pair[0] else None)


@st.composite
def source_rows(draw, join_keys: tuple[str, ...], has_created: bool) -> pd.DataFrame:
    identity = st.tuples(
        st.tuples(*(_maybe(st.integers(0, 2), 12) for _ in join_keys)),
        _maybe(st.integers(0, 20), 15),
        _maybe(st.integers(-3, 10), 5) if has_created else st.none(),
    )
    values = st.tuples(
        _maybe(st.integers(-(2**40), 2**40)),
        _maybe(st.integers(-400, 400).map(lambda x: x / 4)),
        _maybe(st.sampled_from(["a", "b", "ü", ""])),
        _maybe(st.booleans()),
        _maybe(st.integers(0, 100)),
    )
    rows = draw(st.lists(st.tuples(identity, values), min_size=1, max_size=16, unique_by=lambda r: r[0]))
    rows += draw(st.lists(st.sampled_from(rows), max_size=2)) if rows else []  # exact duplicates
    records = []
    for (keys, event, delay), (f_int, f_float, f_str, f_bool, f_time) in rows:
        record = dict(zip(join_keys, keys, strict=True))
        record["event_at"] = minute(event)
        if has_created:
            record["created_at"] = None if event is None or delay is None else minute(event + delay)
        record.update(f_int=f_int, f_float=f_float, f_str=f_str, f_bool=f_bool, f_time=minute(f_time))
        records.append(record)
    columns = [*join_keys, "event_at", *(["created_at"] if has_created else []), *FEATURES]
    return _typed(pd.DataFrame.from_records(records, columns=columns))


@st.composite
def sources(draw) -> SourceCase:
    join_keys = draw(st.sampled_from(KEY_SETS))
    has_created = draw(st.booleans())
    ttl = draw(st.none() | st.integers(1, 10).map(lambda m: timedelta(minutes=m)))
    return SourceCase(draw(source_rows(join_keys, has_created)), join_keys, has_created, ttl,
                      draw(st.booleans()))


@st.composite
def entity_frames(draw, max_rows: int = 12) -> pd.DataFrame:
    rows = draw(st.lists(st.tuples(
        _maybe(st.integers(0, 3), 15), _maybe(st.integers(0, 3), 15),
        _maybe(st.integers(-2, 24), 20), st.integers(0, 9),
    ), min_size=1, max_size=max_rows))
    rows += draw(st.lists(st.sampled_from(rows), max_size=3)) if rows else []  # duplicate rows
    frame = pd.DataFrame({
        "customer_id": pd.array([r[0] for r in rows], dtype="Int64"),
        "product_id": pd.array([r[1] for r in rows], dtype="Int64"),
        "event_timestamp": pd.to_datetime([minute(r[2]) for r in rows], utc=True).astype("datetime64[us, UTC]"),
        "label": [r[3] for r in rows],
    })
    zone = draw(st.sampled_from(ZONES))
    times = frame["event_timestamp"]
    frame["event_timestamp"] = times.dt.tz_localize(None) if zone is None else times.dt.tz_convert(zone)
    return frame


@st.composite
def pit_cases(draw, max_views: int = 2) -> PitCase:
    views = tuple(draw(st.lists(sources(), min_size=1, max_size=max_views)))
    return PitCase(draw(entity_frames()), views, draw(st.booleans()))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    types = {"f_int": "Int64", "f_float": "Float64", "f_str": "string", "f_bool": "boolean",
             "customer_id": "Int64", "product_id": "Int64"}
    for column, dtype in types.items():
        if column in frame:
            frame[column] = frame[column].astype(dtype)
    for column in ("event_at", "created_at", "f_time"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column], utc=True).astype("datetime64[us, UTC]")
    return frame
