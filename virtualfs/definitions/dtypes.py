"""The feature value types and how they map to Arrow."""

from __future__ import annotations

from enum import Enum


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
