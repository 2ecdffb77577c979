"""DuckDB, the embedded default warehouse."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from virtualfs.dialects import capabilities_of
from virtualfs.dialects.identifiers import temp_table
from virtualfs.dialects.render import to_sql
from virtualfs.errors import WarehouseError
from virtualfs.warehouses.arrow import conform, conform_batch, prepare_upload
from virtualfs.warehouses.base import import_ibis, list_tables, probe

# The embedded warehouse shares its process with Python and pandas, so by default it keeps to a
# quarter of the machine's memory and at most 3 GiB, spilling the rest to disk: a training frame
# over two 50M-row sources then stays within 4 GB in all (bench/offline.py --scale large) instead
# of DuckDB's own default of 80% of the machine, which a laptop's notebook cannot spare.
DEFAULT_MEMORY_CAP = 3 * 2**30


def default_memory_limit() -> str:
    """A quarter of physical memory, at most 3 GiB, in DuckDB's units.

    >>> default_memory_limit().endswith("MiB")
    True
    """
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not a POSIX system: take the cap
        physical = 4 * DEFAULT_MEMORY_CAP
    return f"{min(physical // 4, DEFAULT_MEMORY_CAP) // 2**20}MiB"


def _setting(name: str, value: object) -> exp.Set:
    """``SET name = value``, the value a literal."""
    literal = exp.Literal.number(value) if isinstance(value, int) else exp.Literal.string(str(value))
    return exp.Set(expressions=[exp.SetItem(this=exp.EQ(this=exp.column(name), expression=literal))])


class DuckDBWarehouse:
    """A DuckDB database file (or ``:memory:``).

    ``memory_limit`` bounds DuckDB's own memory (default :func:`default_memory_limit`); what does
    not fit spills to ``temp_directory`` (default: ``<path>.tmp`` beside a file, a folder of the
    system's temporary directory for ``:memory:``, removed on close). ``threads``: DuckDB's
    worker threads (default: one per core).
    """

    dialect = "duckdb"
    capabilities = capabilities_of("duckdb")

    def __init__(self, path: str = ":memory:", read_only: bool = False, create: bool = False,
                 memory_limit: str | None = None, temp_directory: str | None = None,
                 threads: int | None = None) -> None:
        if path != ":memory:" and not Path(path).is_file():
            # opening a warehouse to read it never makes one: a mistyped path would otherwise
            # leave an empty database behind and fail later with "table ... does not exist"
            if not create:
                raise WarehouseError(f"duckdb: warehouse file not found: {path}")
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._spill = None
        if temp_directory is None and path == ":memory:":
            # DuckDB's default for an in-memory database is ".tmp" in the working directory
            temp_directory = self._spill = os.path.join(
                tempfile.gettempdir(), f"virtualfs-duckdb-{os.getpid()}-{id(self):x}")
        try:
            self.connection = duckdb.connect(path, read_only=read_only)
        except duckdb.Error as error:
            raise WarehouseError(f"duckdb {path}: cannot open: {error}") from None
        # Set on the open database rather than passed to connect(): DuckDB refuses a second
        # connection to a file opened with another configuration (a notebook's own
        # duckdb.connect(path) beside the store's), while settings apply to every connection.
        settings: dict[str, object] = {"memory_limit": memory_limit or default_memory_limit()}
        if temp_directory is not None:
            settings["temp_directory"] = str(temp_directory)
        if threads is not None:
            settings["threads"] = threads
        try:
            for name, value in settings.items():
                self.execute(_setting(name, value))
        except WarehouseError:
            self.connection.close()
            raise
        self.path = path
        self._ibis: Any = None
        # naive timestamps are UTC: compare them with zoned ones in UTC, not in the machine's zone
        self.execute(exp.Set(expressions=[exp.SetItem(this=exp.EQ(
            this=exp.column("TimeZone"), expression=exp.Literal.string("UTC")))]))

    @classmethod
    def from_config(cls, options: dict) -> DuckDBWarehouse:
        return cls(options.get("path", ":memory:"), memory_limit=options.get("memory_limit"),
                   temp_directory=options.get("temp_directory"), threads=options.get("threads"))

    def schema_of(self, relation: exp.Expression) -> pa.Schema:
        return self.fetch_arrow(probe(relation)).schema

    def upload(self, name: str, table: pa.Table) -> exp.Table:
        target = temp_table(name)
        table, _ = prepare_upload(table, self.dialect)
        view = f"_vfs_upload_{id(table):x}"
        self.connection.register(view, table)
        try:
            create = exp.Create(
                this=target, kind="TABLE", replace=True,
                properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
                expression=exp.select("*").from_(exp.to_table(view)),
            )
            self.execute(create)
        finally:
            self.connection.unregister(view)
        return target

    def execute(self, statement: exp.Expression) -> None:
        self._run(statement)

    def execute_atomic(self, statements: list[exp.Expression]) -> None:
        self.connection.begin()
        try:
            for statement in statements:
                self._run(statement)
        except BaseException:
            self.connection.rollback()
            raise
        self.connection.commit()

    def fetch_arrow(self, query: exp.Expression) -> pa.Table:
        return conform(self._run(query).to_arrow_table())

    def fetch_batches(self, query: exp.Expression, batch_rows: int = 100_000) -> Iterator[pa.RecordBatch]:
        for batch in self._run(query).to_arrow_reader(batch_rows):
            yield conform_batch(batch)

    def tables_in(self, schema: Sequence[str]) -> list[str]:
        return list_tables(self, schema)

    def ibis_connection(self) -> Any:
        if self._ibis is None:
            self._ibis = import_ibis().duckdb.from_connection(self.connection)
        return self._ibis

    def close(self) -> None:
        self.connection.close()
        if self._spill is not None:
            shutil.rmtree(self._spill, ignore_errors=True)

    def _run(self, tree: exp.Expression) -> duckdb.DuckDBPyConnection:
        sql = to_sql(tree, self.dialect)
        try:
            return self.connection.execute(sql)
        except duckdb.Error as error:
            raise WarehouseError(f"duckdb: {str(error).splitlines()[0]}") from None

