"""The feature value types and how they map to Arrow."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa


class DType(str, Enum):
    """A feature's value type. The string value is what users write: Feature("x", "int64")."""

    INT64 = "int64"
    FLOAT64 = "float64"
    STRING = "string"
    BOOL = "bool"
    TIMESTAMP = "timestamp"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, value: DType | str, what: str) -> DType:
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(d.value for d in cls)
            raise ValueError(f"{what}: unknown dtype {value!r}; expected one of {allowed}") from None

    def to_arrow(self):
        """The Arrow type a column of this dtype comes back as (timestamps tz-aware UTC)."""
        import pyarrow as pa

        return {
            DType.INT64: pa.int64(),
            DType.FLOAT64: pa.float64(),
            DType.STRING: pa.string(),
            DType.BOOL: pa.bool_(),
            DType.TIMESTAMP: pa.timestamp("us", tz="UTC"),
        }[self]


def dtype_of_arrow(arrow_type: pa.DataType) -> DType | None:
    """The feature dtype an Arrow column holds, or ``None`` (dates included: no such dtype).

    >>> import pyarrow as pa
    >>> dtype_of_arrow(pa.int32()), dtype_of_arrow(pa.decimal128(10, 2)), dtype_of_arrow(pa.date32())
    (<DType.INT64: 'int64'>, <DType.FLOAT64: 'float64'>, None)
    """
    import pyarrow as pa

    checks = (
        (pa.types.is_integer, DType.INT64),
        (lambda t: pa.types.is_floating(t) or pa.types.is_decimal(t), DType.FLOAT64),
        (lambda t: pa.types.is_string(t) or pa.types.is_large_string(t)
         or pa.types.is_string_view(t), DType.STRING),
        (pa.types.is_boolean, DType.BOOL),
        (pa.types.is_timestamp, DType.TIMESTAMP),
    )
    for check, dtype in checks:
        if check(arrow_type):
            return dtype
    return None
