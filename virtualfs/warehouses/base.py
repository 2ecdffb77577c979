"""The Warehouse protocol every adapter implements (what its dialect can do is in ``dialects``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from sqlglot import exp

from virtualfs.dialects import Capabilities
from virtualfs.dialects.identifiers import warehouse_column
from virtualfs.errors import UnsupportedError, WarehouseError

if TYPE_CHECKING:
    import pyarrow as pa


@runtime_checkable
class IndexedWarehouse(Protocol):
    """A warehouse with secondary indexes, which the PIT compiler can probe row by row."""

    dialect: str

    def indexed_columns(self, table: exp.Table) -> list[tuple[str, ...]]:
        """Each usable index of ``table`` as its column names in index order (as stored)."""
        ...


@runtime_checkable
class IbisConnectable(Protocol):
    """A warehouse whose session ibis can share (``RetrievalJob.to_ibis``): the same connection,
    so the temporary tables a training frame reads are visible to ibis too."""

    def ibis_connection(self) -> Any:
        """An ibis backend over this adapter's own connection (made once, then reused)."""
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
        with ``virtualfs.dialects.identifiers.resolve_column``. Types are the canonical Arrow types
        of ``virtualfs.dialects.types``.
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

    def tables_in(self, schema: Sequence[str]) -> list[str]:
        """The names of the tables (not views) in ``schema`` (``[database,] schema`` as
        configured, folded here like every name), as the warehouse stores them, sorted."""
        ...

    def close(self) -> None:
        ...


@contextmanager
def uploaded(warehouse: Warehouse, name: str, table: pa.Table) -> Iterator[exp.Table]:
    """``table`` uploaded as temporary table ``name`` for one block, dropped after, also on error.

    Example::

        with uploaded(warehouse, "_vfs_entities", frame) as entities:
            result = warehouse.fetch_arrow(build_query(entities))
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


def fetch_scalar(warehouse: Warehouse, query: exp.Select) -> Any:
    """The first column of the first row ``query`` returns, or None when it returns none."""
    table = warehouse.fetch_arrow(query)
    return table.column(0)[0].as_py() if table.num_rows else None


def build_tables_in(schema: Sequence[str], dialect: str, per_database: bool = False) -> exp.Select:
    """``SELECT table_name FROM information_schema.tables WHERE table_schema = '<schema>' ...``:
    the names are literal nodes, never text spliced into SQL. ``per_database``: each database
    has its own information schema (Snowflake), read from the one the schema is in.
    """
    def name(text: str) -> exp.Identifier:
        return warehouse_column(text, dialect)

    *database, schema_name = (name(part).this for part in schema)
    home = exp.to_identifier(database[0], quoted=True) if database and per_database else None
    source = exp.Table(this=name("tables"), db=name("information_schema"), catalog=home)
    conditions = [exp.column(name("table_schema")).eq(exp.Literal.string(schema_name)),
                  exp.column(name("table_type")).eq(exp.Literal.string("BASE TABLE"))]
    # without a database, the session's: not a same-named schema of another attached database
    home_name = exp.Literal.string(database[0]) if database else exp.Anonymous(this="CURRENT_DATABASE")
    conditions.append(exp.column(name("table_catalog")).eq(home_name))
    return exp.select(exp.alias_(exp.column(name("table_name")), "_vfs_name")).from_(source).where(
        exp.and_(*conditions))


def list_tables(warehouse: Warehouse, schema: Sequence[str], per_database: bool = False) -> list[str]:
    """``tables_in`` through ``build_tables_in``, for the adapters."""
    listed = warehouse.fetch_arrow(build_tables_in(schema, warehouse.dialect, per_database))
    return sorted(str(value) for value in listed.column(0).to_pylist())


def count_rows(warehouse: Warehouse, table: exp.Table) -> int:
    """How many rows ``table`` holds."""
    counted = exp.select(exp.alias_(exp.Count(this=exp.Star()), "_vfs_n")).from_(table.copy())
    return int(fetch_scalar(warehouse, counted) or 0)


def import_ibis() -> Any:
    """The ``ibis`` module, an optional extra: never imported before something asks for it."""
    try:
        import ibis
    except ImportError:
        raise UnsupportedError("this needs ibis, an optional extra: pip install 'virtualfs[ibis]'") from None
    return ibis
