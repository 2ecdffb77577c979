"""The binary value encoding every online store holds: one row's features plus its times.

Layout (big-endian; the view's feature order; the key's schema tag pins the shape)::

    u8      format version (1)
    u64     event time    } microseconds since the epoch (UTC) + 2**63: order-preserving, so
    u64     created time  } comparing bytes 1..16 compares (event, created); no created -> 0
    bytes   null bitmap, one bit per feature
    slots   one per feature: int64 q, float64 d, bool ?, timestamp q (microseconds), string I (length)
    bytes   the UTF-8 text of the string features, in order

Encoding is column-wise (numpy + Arrow) because materialization writes millions of rows;
decoding is one ``struct.unpack_from`` per value, then one list comprehension per column,
because serving reads a few hundred at most and must stay in pure Python.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, NamedTuple

from virtualfs.definitions import DType, FeatureView
from virtualfs.online.stored import stored_dtypes, tag_values, untag

if TYPE_CHECKING:
    import pyarrow as pa

VERSION = 1
OFFSET = 1 << 63
NO_CREATED = -OFFSET  # a source without a created time: every row ties on it
HEADER = struct.Struct(">BQQ")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# None: an aggregation typed by its source column, stored as type-tagged text (compile.aggregate.stored)
_SLOT = {DType.INT64: "q", DType.FLOAT64: "d", DType.BOOL: "?", DType.TIMESTAMP: "q", DType.STRING: "I",
         None: "I"}
_NUMPY_SLOT = {DType.INT64: ">i8", DType.FLOAT64: ">f8", DType.BOOL: "u1", DType.TIMESTAMP: ">i8",
               DType.STRING: ">u4", None: ">u4"}


class Decoded(NamedTuple):
    """One stored row: its times (microseconds since the epoch, UTC) and feature values."""

    event_us: int
    created_us: int
    values: list


@dataclass(frozen=True)
class DecodedColumns:
    """Stored values decoded column-wise: per value its event time, per feature index a column."""

    events: list[int | None]
    columns: dict[int, list]


@dataclass(frozen=True)
class EncodedValues:
    """A batch of encoded rows, with their times (int64 numpy arrays of microseconds)."""

    values: list[bytes]
    events: Sequence[int]
    createds: Sequence[int]


def to_datetime(micros: int) -> datetime:
    """Microseconds since the epoch -> an aware UTC datetime."""
    return EPOCH + timedelta(microseconds=micros)


def to_micros(value: datetime) -> int:
    """An aware or naive (taken as UTC) datetime -> microseconds since the epoch."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    delta = value - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class ViewCodec:
    """Encodes and decodes the stored rows of one view. Build once per view and reuse."""

    def __init__(self, view: FeatureView) -> None:
        self.dtypes = stored_dtypes(view)
        self.null_bytes = (len(self.dtypes) + 7) // 8
        slots = "".join(_SLOT[d] for d in self.dtypes)
        self._struct = struct.Struct(f">BQQ{self.null_bytes}s{slots}")
        self._unpack = self._struct.unpack_from
        self._no_nulls = bytes(self.null_bytes)
        self._strings = [i for i, d in enumerate(self.dtypes) if d is DType.STRING or d is None]
        self._tagged = [i for i, d in enumerate(self.dtypes) if d is None]
        self._times = [i for i, d in enumerate(self.dtypes) if d is DType.TIMESTAMP]
        # string i's bytes start after the strings before it: their length slots, per feature
        self._earlier_strings = {i: [j + 4 for j in self._strings if j < i] for i in self._strings}

    def decode(self, data: bytes) -> Decoded:
        """One stored value back to Python values (timestamps as aware UTC datetimes)."""
        fields = self._unpack(data)
        return Decoded(fields[1] - OFFSET, fields[2] - OFFSET, self._values(data, fields))

    def decode_columns(self, values: Sequence[bytes | None],
                       wanted: Sequence[int]) -> DecodedColumns:
        """Many stored values (None: absent) at once, as columns of the ``wanted`` features.

        The serving hot path: one ``unpack`` per value, then one list comprehension per column,
        rather than per-value lists and fix-ups. Absent values give None everywhere.
        """
        rows = [None if data is None else self._unpack(data) for data in values]
        events = [None if row is None else row[1] - OFFSET for row in rows]
        columns = {index: self._column(index, rows, values) for index in wanted}
        if any(row is not None and row[3] != self._no_nulls for row in rows):
            _null_columns(columns, rows, self._no_nulls)
        return DecodedColumns(events, columns)

    def _column(self, index: int, rows: list, values: Sequence[bytes | None]) -> list:
        column = self._stored_column(index, rows, values)
        if self.dtypes[index] is None:
            return [None if value is None else untag(value) for value in column]
        return column

    def _stored_column(self, index: int, rows: list, values: Sequence[bytes | None]) -> list:
        slot, dtype = index + 4, self.dtypes[index]
        if dtype is DType.TIMESTAMP:
            return [None if row is None else EPOCH + timedelta(0, 0, row[slot]) for row in rows]
        if dtype is not DType.STRING and dtype is not None:
            return [None if row is None else row[slot] for row in rows]
        size, earlier = self._struct.size, self._earlier_strings[index]
        if not earlier:
            return [None if row is None else data[size:size + row[slot]].decode()
                    for row, data in zip(rows, values, strict=True)]
        column = []
        for row, data in zip(rows, values, strict=True):
            start = 0 if row is None else size + sum(row[other] for other in earlier)
            column.append(None if row is None else data[start:start + row[slot]].decode())
        return column

    def _values(self, data: bytes, fields: tuple) -> list:
        values = list(fields[4:])
        if self._strings:
            offset = self._struct.size
            for index in self._strings:
                end = offset + values[index]
                values[index] = data[offset:end].decode()
                offset = end
        for index in self._times:
            values[index] = EPOCH + timedelta(0, 0, values[index])
        for index in self._tagged:
            values[index] = untag(values[index])
        if fields[3] != self._no_nulls:
            _apply_nulls(values, fields[3])
        return values

    def encode_row(self, event_us: int, created_us: int, values: Sequence[object]) -> bytes:
        """One row encoded in pure Python: what :meth:`encode` makes of a batch of one, without
        Arrow's per-call cost (a push of a few rows). Tagged values (aggregations) are not taken.

        >>> from virtualfs.definitions import Entity, Feature, FeatureView, Source
        >>> view = FeatureView("v", [Entity("e", ["k"])], Source("s", table="t", timestamp="e"),
        ...                    [Feature("x", "int64"), Feature("s", "string")])
        >>> codec = ViewCodec(view)
        >>> codec.decode(codec.encode_row(5, NO_CREATED, [None, "hé"])).values
        [None, 'hé']
        """
        nulls = bytearray(self.null_bytes)
        slots, text = [], []
        for index, (dtype, value) in enumerate(zip(self.dtypes, values, strict=True)):
            if dtype is None:
                raise ValueError("encode_row takes plain features only (no aggregations)")
            if value is None:
                nulls[index >> 3] |= 1 << (index & 7)
                slots.append(False if dtype is DType.BOOL else 0)
            elif dtype is DType.STRING:
                data = str(value).encode()
                slots.append(len(data))
                text.append(data)
            elif dtype is DType.TIMESTAMP:
                slots.append(to_micros(value))  # type: ignore[arg-type]
            else:
                slots.append(value)
        head = self._struct.pack(VERSION, event_us + OFFSET, created_us + OFFSET, bytes(nulls), *slots)
        return head + b"".join(text) if text else head

    def encode(self, events: pa.Array, createds: pa.Array | None,
               features: Sequence[pa.Array]) -> EncodedValues:
        """Encode a batch column-wise: event and created times, then one array per feature."""
        import numpy as np

        if events.null_count:
            raise ValueError("every stored row needs an event time; found nulls")
        count = len(events)
        event_us = _micros(events)
        created_us = _micros(createds, default=NO_CREATED) if createds is not None else None
        layout = np.zeros(count, dtype=self._numpy_dtype())
        layout["version"] = VERSION
        layout["event"] = event_us.astype(np.int64).view(np.uint64) ^ np.uint64(OFFSET)
        if created_us is not None:
            layout["created"] = created_us.view(np.uint64) ^ np.uint64(OFFSET)
        strings = self._fill_slots(layout, features)
        values = _join_rows(layout, strings)
        if created_us is None:
            created_us = np.full(count, NO_CREATED, dtype=np.int64)
        return EncodedValues(values, event_us, created_us)

    def _numpy_dtype(self):
        import numpy as np

        fields = [("version", "u1"), ("event", ">u8"), ("created", ">u8"),
                  ("nulls", "u1", (self.null_bytes,))]
        fields += [(f"f{i}", _NUMPY_SLOT[d]) for i, d in enumerate(self.dtypes)]
        return np.dtype(fields)

    def _fill_slots(self, layout, features: Sequence[pa.Array]) -> list[pa.Array]:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        strings = []
        for index, (dtype, column) in enumerate(zip(self.dtypes, features, strict=True)):
            if column.null_count:
                bit = np.uint8(1 << (index % 8))
                layout["nulls"][:, index // 8] |= column.is_null().to_numpy(zero_copy_only=False) * bit
            if dtype is DType.STRING or dtype is None:
                text = tag_values(column) if dtype is None else pc.cast(column, pa.string())
                text = text.cast(pa.binary()).fill_null(b"")
                layout[f"f{index}"] = pc.binary_length(text).to_numpy(zero_copy_only=False)
                strings.append(text)
            elif dtype is DType.TIMESTAMP:
                layout[f"f{index}"] = _micros(column, default=0)
            else:
                typed = pc.cast(column, dtype.to_arrow()).fill_null(False if dtype is DType.BOOL else 0)
                layout[f"f{index}"] = typed.to_numpy(zero_copy_only=False)
        return strings


def _null_columns(columns: dict[int, list], rows: list, no_nulls: bytes) -> None:
    for position, row in enumerate(rows):
        if row is not None and row[3] != no_nulls:
            for index, column in columns.items():
                if row[3][index >> 3] & (1 << (index & 7)):
                    column[position] = None


def _apply_nulls(values: list, bitmap: bytes) -> None:
    for index in range(len(values)):
        if bitmap[index >> 3] & (1 << (index & 7)):
            values[index] = None


def _micros(column: pa.Array, default: int | None = None):
    """Timestamps (any unit, naive taken as UTC, or dates) -> int64 microseconds as numpy."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_timestamp(column.type) and column.type.tz is not None:
        column = column.cast(pa.timestamp(column.type.unit))  # keeps the UTC instant
    micros = pc.cast(column, pa.timestamp("us"), safe=False).cast(pa.int64())
    if default is not None:
        micros = micros.fill_null(default)
    return micros.to_numpy(zero_copy_only=False)


def _join_rows(layout, strings: list[pa.Array]) -> list[bytes]:
    """Cut the fixed-width buffer into rows and append each row's string bytes, in Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    width = layout.dtype.itemsize
    fixed = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(width), len(layout), [None, pa.py_buffer(layout.tobytes())]
    )
    if not strings:
        return fixed.to_pylist()
    return pc.binary_join_element_wise(fixed.cast(pa.binary()), *strings, b"").to_pylist()
