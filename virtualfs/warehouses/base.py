"""The Warehouse protocol every adapter implements, and the capabilities it declares."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import pyarrow as pa
    from sqlglot import exp


@dataclass(frozen=True)
class Capabilities:
    """What a dialect can run; the compiler picks its PIT strategy from these flags."""

    supports_asof_join: bool = False
    supports_match_condition: bool = False
    supports_qualify: bool = False
    supports_lateral: bool = False
    supports_distinct_on: bool = False
    supports_temp_tables: bool = True
    max_query_length: int = 1_000_000
    max_joins_per_query: int = 40


@runtime_checkable
class Warehouse(Protocol):
    """A connection to one warehouse. Trees go in; Arrow comes out."""

    dialect: str
    capabilities: Capabilities

    def schema_of(self, relation: exp.Expression) -> pa.Schema:
        """The columns (names as the warehouse reports them) and Arrow types of a relation."""
        ...

    def upload(self, name: str, table: pa.Table) -> exp.Table:
        """Bulk-load ``table`` into a temporary table; return a reference to it."""
        ...

    def execute(self, statement: exp.Expression) -> None:
        ...

    def fetch_arrow(self, query: exp.Expression) -> pa.Table:
        ...

    def fetch_batches(self, query: exp.Expression, batch_rows: int = 100_000) -> Iterator[pa.RecordBatch]:
        ...

    def close(self) -> None:
        ...
