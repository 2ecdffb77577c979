"""How a view's aggregations are stored online: after its plain features, each typed.

``count``/``count_distinct`` are int64 and ``avg``/``stddev`` float64 by definition; ``sum``,
``min``, ``max`` and ``last`` take the type of their source column, which the definitions do not
state and a server reading the store cannot ask the warehouse for. Those values carry their type
with them: stored as text tagged by type (``i42``, ``f0.5``, ``sabc``, ``b1``, ``t<microseconds>``),
exact for every dtype (floats are written in their shortest round-trip form).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from virtualfs.definitions import DType, FeatureView
from virtualfs.definitions.aggregation import FUNCTIONS

if TYPE_CHECKING:
    import pyarrow as pa

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_TAGS = {DType.INT64: "i", DType.FLOAT64: "f", DType.STRING: "s", DType.BOOL: "b", DType.TIMESTAMP: "t"}


def stored_features(view: FeatureView) -> tuple[str, ...]:
    """The names a view keeps online, in stored order: plain features, then aggregations."""
    return view.feature_names


def stored_dtypes(view: FeatureView) -> tuple[DType | None, ...]:
    """Each stored value's dtype; ``None`` for an aggregation stored tagged (typed by its column)."""
    return (*(f.dtype for f in view.features), *(FUNCTIONS[a.function][1] for a in view.aggregations))


def tag_values(column: pa.Array) -> pa.Array:
    """A column of any dtype as tagged text (nulls stay null), computed column-wise.

    >>> import pyarrow as pa
    >>> tag_values(pa.array([1, None, 3])).to_pylist()
    ['i1', None, 'i3']
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from virtualfs.definitions.dtypes import dtype_of_arrow

    dtype = dtype_of_arrow(column.type) or DType.STRING
    if dtype is DType.TIMESTAMP:
        if column.type.tz is not None:
            column = column.cast(pa.timestamp(column.type.unit))  # keeps the UTC instant
        column = pc.cast(column, pa.timestamp("us"), safe=False).cast(pa.int64())
    elif dtype is DType.BOOL:
        column = column.cast(pa.int8())
    return pc.binary_join_element_wise(pa.scalar(_TAGS[dtype]), pc.cast(column, pa.string()), "")


def untag(text: str) -> object:
    """The value of one tagged text; the empty text (a null's placeholder) is None.

    >>> untag("f0.5"), untag("b1"), untag("t0")
    (0.5, True, datetime.datetime(1970, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))
    """
    if not text:
        return None
    tag, body = text[0], text[1:]
    if tag == "i":
        return int(body)
    if tag == "f":
        return float(body)
    if tag == "b":
        return body == "1"
    if tag == "t":
        return EPOCH + timedelta(microseconds=int(body))
    return body
