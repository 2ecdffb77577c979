"""The Warehouse protocol every adapter implements, and the capabilities it declares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from sqlglot import exp

from virtualfs.errors import WarehouseError

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class Capabilities:
    """What a dialect can run; the compiler picks its PIT strategy from these flags."""

    supports_asof_join: bool = False
    supports_match_condition: bool = False
    supports_qualify: bool = False
    supports_lateral: bool = False
    supports_distinct_on: bool = False
    supports_temp_tables: bool = True
    # DDL inside a transaction (DuckDB, PostgreSQL): a rebuilt table can be renamed into place.
    supports_transactional_ddl: bool = False
    # Source scans cross joined to the entity rows' (min, max) time. PostgreSQL plans such a join
    # with default selectivities (a ninth of the table) and then builds its hash join on the wrong
    # side, so there the scans are left whole (bench/offline.py --warehouse postgres: 1.11 s -> 0.77 s).
    prunes_by_entity_bounds: bool = True
    max_query_length: int = 1_000_000
    max_joins_per_query: int = 40


@runtime_checkable
class IndexedWarehouse(Protocol):
    """A warehouse with secondary indexes, which the PIT compiler can probe row by row."""

    dialect: str

    def indexed_columns(self, table: exp.Table) -> list[tuple[str, ...]]:
        """Each usable index of ``table`` as its column names in index order (as stored)."""
        ...


@runtime_checkable
class Warehouse(Protocol):
    """A connection to one warehouse. Trees go in; Arrow comes out."""

    dialect: str
    capabilities: Capabilities

    def schema_of(self, relation: exp.Expression) -> pa.Schema:
        """The columns and Arrow types of a table or query.

        Names come back as the warehouse stores them (Snowflake: ``ORDERS.EVENT_TS`` created
        unquoted reports ``EVENT_TS``; Postgres: ``event_ts``); map them back to defined names
        with ``virtualfs.warehouses.names.resolve_column``. Types are the canonical Arrow types
        of ``virtualfs.warehouses.types``.
        """
        ...

    def upload(self, name: str, table: pa.Table) -> exp.Table:
        """Bulk-load ``table`` into temporary table ``name`` (replaced if present), columns in
        their exact case; return a reference to it. Naive timestamps are uploaded as UTC."""
        ...

    def execute(self, statement: exp.Expression) -> None:
        ...

    def execute_atomic(self, statements: list[exp.Expression]) -> None:
        """Run ``statements`` in one transaction: all of them take effect, or none."""
        ...

    def fetch_arrow(self, query: exp.Expression) -> pa.Table:
        ...

    def fetch_batches(self, query: exp.Expression, batch_rows: int = 100_000) -> Iterator[pa.RecordBatch]:
        ...

    def close(self) -> None:
        ...


@contextmanager
def uploaded(warehouse: Warehouse, name: str, table: pa.Table) -> Iterator[exp.Table]:
    """``table`` uploaded as temporary table ``name`` for one block, dropped after, also on error.

    >>> with uploaded(warehouse, "_vfs_entities", frame) as entities:  # doctest: +SKIP
    ...     result = warehouse.fetch_arrow(build_query(entities))
    """
    target = warehouse.upload(name, table)
    failed = False
    try:
        yield target
    except BaseException:
        failed = True
        raise
    finally:
        try:
            warehouse.execute(exp.Drop(this=target.copy(), kind="TABLE", exists=True))
        except WarehouseError:
            if not failed:  # never hide the error that ended the block
                raise


def probe(relation: exp.Expression) -> exp.Select:
    """``SELECT * FROM relation LIMIT 0``: a table or query's columns without its rows."""
    source = relation.subquery("_vfs_probe") if isinstance(relation, exp.Query) else relation
    return exp.select("*").from_(source).limit(0)
