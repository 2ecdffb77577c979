"""Keys and values: one encoding for every store, checked without any store."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.online.helpers import CUSTOMER, DTYPES, PRODUCT, UTC, orders_view, typed_view
from virtualfs import Feature, FeatureView, Source
from virtualfs.definitions import DType
from virtualfs.online.codec import NO_CREATED, ViewCodec, to_micros
from virtualfs.online.keys import arrow_keys, entity_key, key_text, schema_tag, view_prefix

INT64 = st.integers(-(2**63), 2**63 - 1)
TIMES = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC))
KEY_VALUES = st.one_of(st.integers(-(10**12), 10**12), st.text(max_size=8))


@pytest.mark.parametrize(("value", "text"), [
    (42, "42"), (-7, "-7"), ("42", "42"), ("a|b", "a\\|b"), ("{x}", "\\{x\\}"), ("a\\", "a\\\\"),
    (np.int64(5), "5"), ("é", "é"),
])
def test_key_text_is_canonical_and_escaped(value, text):
    assert key_text(value) == text


@pytest.mark.parametrize("value", [True, 1.0, None, b"1", [1], datetime(2026, 1, 1)])
def test_key_text_refuses_other_types(value):
    with pytest.raises(TypeError, match="expected an integer or a string"):
        key_text(value)


def test_key_has_project_view_schema_tag_and_hash_tag():
    view = orders_view()
    key = entity_key(view_prefix("shop", view), [42])
    assert key == f"shop:customer_orders#{schema_tag(view)}:{{42}}"


@given(st.tuples(KEY_VALUES, KEY_VALUES), st.tuples(KEY_VALUES, KEY_VALUES))
def test_compound_keys_differ_when_values_differ(left, right):
    as_text = [tuple(str(v) for v in left), tuple(str(v) for v in right)]
    keys = [entity_key("p:{", left), entity_key("p:{", right)]
    assert (keys[0] == keys[1]) == (as_text[0] == as_text[1])


@settings(deadline=None)  # the first Arrow compute call loads its kernels
@given(st.lists(st.tuples(st.integers(-(10**15), 10**15), st.text(max_size=6)), min_size=1, max_size=20))
def test_arrow_keys_equal_python_keys(values):
    ints, texts = zip(*values, strict=True)
    columns = [pa.array(list(ints), pa.int64()), pa.array(list(texts), pa.string())]
    built = arrow_keys("shop:v#0:{", columns, "test").to_pylist()
    assert built == [entity_key("shop:v#0:{", pair) for pair in values]


def test_schema_tag_follows_stored_shape_only():
    view = orders_view()
    assert schema_tag(dataclasses.replace(view, ttl=timedelta(days=3), description="x")) == schema_tag(view)
    changed = dataclasses.replace(view, features=(*view.features, Feature("extra", "int64")))
    assert schema_tag(changed) != schema_tag(view)
    retyped = dataclasses.replace(view, features=(Feature("amount", "string"), *view.features[1:]))
    assert schema_tag(retyped) != schema_tag(view)


def _value(dtype: str):
    return {
        "int64": INT64, "float64": st.floats(allow_nan=False), "string": st.text(max_size=20),
        "bool": st.booleans(), "timestamp": TIMES,
    }[dtype]


ROWS = st.lists(
    st.fixed_dictionaries({
        "event": TIMES, "created": st.none() | TIMES,
        **{name: st.none() | _value(dtype) for name, dtype in DTYPES.items()},
    }),
    min_size=1, max_size=30,
)


@settings(deadline=None)
@given(ROWS)
def test_codec_round_trips_every_dtype_and_null(rows):
    view = typed_view()
    codec = ViewCodec(view)
    stamp = pa.timestamp("us", tz="UTC")
    features = [pa.array([r[f.name] for r in rows], f.dtype.to_arrow()) for f in view.features]
    encoded = codec.encode(pa.array([r["event"] for r in rows], stamp),
                           pa.array([r["created"] for r in rows], stamp), features)
    for row, value, event, created in zip(rows, encoded.values, encoded.events, encoded.createds, strict=True):
        decoded = codec.decode(value)
        assert decoded.event_us == event == to_micros(row["event"])
        expected_created = NO_CREATED if row["created"] is None else to_micros(row["created"])
        assert decoded.created_us == created == expected_created
        assert decoded.values == [row[name] for name in DTYPES]
        assert [type(v) for v in decoded.values] == [type(row[name]) for name in DTYPES]


@settings(deadline=None)
@given(TIMES, st.none() | TIMES, TIMES, st.none() | TIMES)
def test_header_bytes_order_like_event_then_created(e1, c1, e2, c2):
    view = FeatureView("v", [CUSTOMER, PRODUCT], Source("s", table="t", timestamp="e", created="c"),
                       [Feature("x", "int64")])
    codec = ViewCodec(view)
    stamp = pa.timestamp("us", tz="UTC")
    encoded = codec.encode(pa.array([e1, e2], stamp), pa.array([c1, c2], stamp), [pa.array([1, 2])])
    first, second = encoded.values
    times = list(zip(encoded.events, encoded.createds, strict=True))
    assert (first[1:17] < second[1:17]) == (times[0] < times[1])


def test_codec_reads_naive_and_nanosecond_times_as_utc():
    view = typed_view()
    codec = ViewCodec(view)
    naive = pa.array([datetime(2026, 1, 1, 12)], pa.timestamp("ns"))
    features = [pa.array([None], f.dtype.to_arrow()) for f in view.features]
    decoded = codec.decode(codec.encode(naive, None, features).values[0])
    assert decoded.event_us == to_micros(datetime(2026, 1, 1, 12, tzinfo=UTC))
    assert decoded.created_us == NO_CREATED
    assert decoded.values == [None] * len(DTYPES)


def test_codec_refuses_rows_without_event_time():
    view = orders_view()
    columns = [pa.array([1.0]), pa.array([1]), pa.array(["x"])]
    with pytest.raises(ValueError, match="event time"):
        ViewCodec(view).encode(pa.array([None], pa.timestamp("us")), None, columns)


TWO_STRINGS = {"s1": "string", "i": "int64", "s2": "string", "t": "timestamp", "b": "bool", "f": "float64"}


@settings(deadline=None)
@given(st.lists(
    st.none() | st.fixed_dictionaries({
        "event": TIMES, **{name: st.none() | _value(dtype) for name, dtype in TWO_STRINGS.items()}
    }),
    min_size=1, max_size=20,
), st.lists(st.sampled_from(range(len(TWO_STRINGS))), unique=True, min_size=1))
def test_column_decoding_equals_value_decoding(rows, wanted):
    view = FeatureView("v", [CUSTOMER], Source("s", table="t", timestamp="e"),
                       [Feature(name, dtype) for name, dtype in TWO_STRINGS.items()])
    codec = ViewCodec(view)
    present = [row for row in rows if row is not None]
    stamp = pa.timestamp("us", tz="UTC")
    features = [pa.array([r[name] for r in present], DType(dtype).to_arrow()) for name, dtype in TWO_STRINGS.items()]
    encoded = iter(codec.encode(pa.array([r["event"] for r in present], stamp), None, features).values)
    values = [None if row is None else next(encoded) for row in rows]
    decoded = codec.decode_columns(values, wanted)
    singles = [None if value is None else codec.decode(value) for value in values]
    assert decoded.events == [None if d is None else d.event_us for d in singles]
    for index in wanted:
        assert decoded.columns[index] == [None if d is None else d.values[index] for d in singles]
