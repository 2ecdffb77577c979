"""Apache Spark through PySpark: a local session in this process, or a cluster by Spark Connect.

- Entity frames go in as Arrow (``createDataFrame`` from a pyarrow Table) and become temporary
  views; results come out with ``toArrow()``, in the session time zone, which is forced to UTC.
- What the SQL may use follows the connected version: Spark 4.3 and later can run
  ``LEFT ASOF JOIN ... MATCH_CONDITION`` (turned on here with ``spark.sql.join.asofJoin.enabled``)
  and ``QUALIFY`` (see ``virtualfs.dialects.spark``). The window join stays the default: it was
  faster on Spark (``virtualfs.compile.pit.PREFERENCE``).
- Spark's own tables take no DELETE and Spark has no transactions: ``execute_atomic`` and
  ``CREATE OR REPLACE`` build the new rows into a staging table and swap it in (what that
  promises is in ``virtualfs.warehouses.spark_swap``).
- A temporary table created from a query (``CREATE TEMPORARY TABLE t AS ...``) becomes a
  checkpointed temporary view: computed once, like a table, so its row numbers never change.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import pyarrow as pa
from pyspark.errors import PySparkException
from pyspark.logger import PySparkLogger
from pyspark.sql import SparkSession
from sqlglot import exp

from virtualfs.dialects import Capabilities
from virtualfs.dialects.identifiers import temp_table, warehouse_column
from virtualfs.dialects.render import to_sql
from virtualfs.dialects.spark import BEFORE_4_3, FROM_4_3
from virtualfs.errors import UnsupportedError, WarehouseError
from virtualfs.warehouses.arrow import conform, prepare_upload
from virtualfs.warehouses.base import import_ibis, probe
from virtualfs.warehouses.spark_swap import Swap, plan_replace, plan_swaps

# A small local session starts faster and wastes less on small frames; a user's conf wins.
LOCAL_DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.adaptive.enabled": "true",
}
# Always set: naive timestamps are UTC. ASOF joins need turning on (4.3 and later).
SESSION_SETTINGS = {"spark.sql.session.timeZone": "UTC"}
ASOF_SETTINGS = {"spark.sql.join.asofJoin.enabled": "true"}
_ASOF_VERSION = (4, 3)
# pyspark logs every failed query with its JVM stack trace on stderr; here the failure reaches the
# caller as a one-line WarehouseError instead
for _logger in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
    PySparkLogger.getLogger(_logger).setLevel(logging.CRITICAL)
# The database each session last switched to: warehouses sharing a session (the tests) switch back.
_current: dict[int, tuple[str, ...]] = {}


class SparkWarehouse:
    """A Spark session; unqualified table names resolve in the configured catalog and database.

    Example::

        SparkWarehouse.from_config({"master": "local[2]", "database": "analytics"})
        SparkWarehouse.from_config({"remote": "sc://spark.internal:15002"})
    """

    dialect = "spark"

    def __init__(self, session: SparkSession, catalog: str | None = None, database: str | None = None,
                 owns_session: bool = False) -> None:
        self.session = session
        self.owns_session = owns_session
        self.capabilities = capabilities_for(session.version)
        self.where = f"spark {session.version}"
        self._views: set[str] = set()
        self._ibis: Any = None
        asof = self.capabilities.supports_left_asof_match
        settings = {**SESSION_SETTINGS, **(ASOF_SETTINGS if asof else {})}
        with self._errors():
            for key, value in settings.items():
                session.conf.set(key, value)
            self.home = self._home(catalog, database)
        self._enter()

    @classmethod
    def from_config(cls, options: Mapping[str, Any]) -> SparkWarehouse:
        """Open from a ``warehouse:`` section: ``master`` (default ``local[2]``) or ``remote``
        (``sc://host:port``), ``catalog``, ``database`` and ``conf`` (Spark settings)."""
        # a local session already running in this process is joined, and left running on close
        shared = options.get("remote") is None and SparkSession.getActiveSession() is not None
        session = open_session(options.get("master"), options.get("remote"), options.get("conf") or {})
        try:
            return cls(session, options.get("catalog"), options.get("database"), owns_session=not shared)
        except BaseException:
            if not shared:
                session.stop()
            raise

    def schema_of(self, relation: exp.Expression) -> pa.Schema:
        from pyspark.sql.pandas.types import to_arrow_schema

        with self._errors():
            schema = self._frame(probe(relation)).schema
            fields = [to_arrow_schema(type(schema)([field]), timezone="UTC")[0] for field in schema]
        return conform(pa.Table.from_batches([], pa.schema(fields))).schema

    def upload(self, name: str, table: pa.Table) -> exp.Table:
        target = temp_table(name)
        table, _ = prepare_upload(table, self.dialect)
        self._enter()
        with self._errors():
            frame = self.session.createDataFrame(table)
            frame.createOrReplaceTempView(name)
        self._views.add(name)
        return target

    def execute(self, statement: exp.Expression) -> None:
        replaces = isinstance(statement, exp.Create) and bool(statement.args.get("replace"))
        if isinstance(statement, exp.Delete):
            self._swap_in(plan_swaps([statement]))
        elif replaces and statement.kind == "TABLE":
            self._swap_in([plan_replace(statement)])
        elif _is_temporary_query(statement):
            self._checkpointed_view(statement)
        else:
            self._frame(statement)

    def execute_atomic(self, statements: list[exp.Expression]) -> None:
        """All or nothing, as far as Spark allows: see ``virtualfs.warehouses.spark_swap``."""
        self._swap_in(plan_swaps(statements))

    def fetch_arrow(self, query: exp.Expression) -> pa.Table:
        with self._errors():
            return conform(self._frame(query).toArrow())

    def fetch_batches(self, query: exp.Expression, batch_rows: int = 100_000) -> Iterator[pa.RecordBatch]:
        """The result in slices; Spark collects it to the driver first (``toArrow``)."""
        yield from self.fetch_arrow(query).to_batches(max_chunksize=batch_rows)

    def tables_in(self, schema: Sequence[str]) -> list[str]:
        parts = [warehouse_column(part, self.dialect).this for part in schema]
        self._enter()
        with self._errors():
            if not self.session.catalog.databaseExists(".".join(parts)):
                return []
            listed = self.session.catalog.listTables(".".join(parts))
        return sorted(t.name for t in listed if not t.isTemporary and t.tableType != "VIEW")

    def ibis_connection(self) -> Any:
        """ibis's pyspark backend on this very session (its temporary views included)."""
        if self._ibis is None:
            self._ibis = import_ibis().pyspark.connect(self.session)
        return self._ibis

    def close(self) -> None:
        """Drop the temporary views this warehouse made; stop the session if it opened it."""
        with suppress(PySparkException):
            for name in sorted(self._views):
                self.session.catalog.dropTempView(name)
        self._views.clear()
        _current.pop(id(self.session), None)
        if self.owns_session:
            self.session.stop()

    def _frame(self, tree: exp.Expression) -> Any:
        sql = to_sql(tree, self.dialect)
        self._enter()
        with self._errors():
            return self.session.sql(sql)

    def _swap_in(self, swaps: list[Swap]) -> None:
        try:
            for swap in swaps:
                self._frame(swap.drop_staged())
                self._frame(swap.build())
        except BaseException:
            for swap in swaps:
                with suppress(WarehouseError):
                    self._frame(swap.drop_staged())
            raise
        for swap in swaps:
            for statement in swap.swap():
                self._frame(statement)

    def _checkpointed_view(self, create: exp.Create) -> None:
        name = create.this.name
        with self._errors():
            self._frame(create.expression).localCheckpoint(eager=True).createOrReplaceTempView(name)
        self._views.add(name)

    def _home(self, catalog: str | None, database: str | None) -> tuple[str, ...]:
        if catalog is not None:
            self.session.catalog.setCurrentCatalog(catalog)
        if database is not None:
            name = warehouse_column(database, self.dialect).this
            if not self.session.catalog.databaseExists(name):
                raise WarehouseError(f"{self.where}: database {database!r} does not exist")
            self.session.catalog.setCurrentDatabase(name)
        return (self.session.catalog.currentCatalog(), self.session.catalog.currentDatabase())

    def _enter(self) -> None:
        """Make this warehouse's catalog and database the session's current ones (a session may
        be shared by several warehouses, each in its own database)."""
        if _current.get(id(self.session)) == self.home:
            return
        with self._errors():
            self.session.catalog.setCurrentCatalog(self.home[0])
            self.session.catalog.setCurrentDatabase(self.home[1])
        _current[id(self.session)] = self.home

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except PySparkException as error:
            lines = str(error).strip().splitlines()
            raise WarehouseError(f"{self.where}: {lines[0] if lines else type(error).__name__}") from None


def open_session(master: str | None, remote: str | None, conf: Mapping[str, Any]) -> SparkSession:
    """A session: in this process on ``master`` (``local[2]`` by default), or by Spark Connect at
    ``remote``. A local session binds to the loopback interface unless ``SPARK_LOCAL_IP`` says
    otherwise."""
    if master and remote:
        raise WarehouseError("spark: give master (a local session) or remote (Spark Connect), not both")
    if remote:
        # Connect's own builder: a client session of its own, even beside a local session
        from pyspark.sql.connect.session import SparkSession as ConnectSession

        builder, settings = ConnectSession.builder.remote(remote), dict(conf)
    else:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = SparkSession.builder.master(master or "local[2]").appName("virtualfs")
        settings = {**LOCAL_DEFAULTS, **conf}
    for key, value in {**settings, **SESSION_SETTINGS}.items():
        builder = builder.config(key, str(value))
    try:
        return builder.create() if remote else builder.getOrCreate()
    except (PySparkException, RuntimeError, OSError) as error:
        where = f"spark {remote or master or 'local[2]'}"
        raise WarehouseError(f"{where}: cannot start a session: {str(error).splitlines()[0]}") from None


def _is_temporary_query(statement: exp.Expression) -> bool:
    properties = statement.args.get("properties")
    return (isinstance(statement, exp.Create) and isinstance(statement.expression, exp.Query)
            and properties is not None and properties.find(exp.TemporaryProperty) is not None)


def capabilities_for(version: str) -> Capabilities:
    """What a Spark of ``version`` runs: ``LEFT ASOF JOIN`` and ``QUALIFY`` from 4.3 on.

    >>> capabilities_for("4.0.5").supports_left_asof_match
    False
    """
    return FROM_4_3 if _version(version) >= _ASOF_VERSION else BEFORE_4_3


def _version(text: str) -> tuple[int, int]:
    major, minor, *_ = (text.split("-")[0] + ".0.0").split(".")
    try:
        return int(major), int(minor)
    except ValueError:
        raise UnsupportedError(f"spark: cannot read the version {text!r}") from None
