"""The warehouses every cross-warehouse suite runs on, as context managers.

- ``duckdb``: in memory;
- ``postgres``: the real server on 127.0.0.1:5432, in a schema of its own, dropped afterwards
  (a missing server fails under CI and skips elsewhere, see ``tests/services.py``);
- ``snowflake``: the official connector on fakesnow (Snowflake emulated on DuckDB);
- ``ibis-duckdb``, ``ibis-postgres``: the ibis adapter (``warehouse: {type: ibis, backend: ...}``)
  on an in-memory DuckDB and on the same PostgreSQL server, in a schema of its own.
- ``spark``: one local Spark session for the whole run (starting one takes about ten seconds),
  each warehouse in a database of its own, dropped afterwards.

Example::

    with make_warehouse("postgres") as warehouse:
        orders = create_user_table(warehouse, "orders", frame)
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import pyarrow as pa
from sqlglot import exp

from tests.services import POSTGRES_HOST, POSTGRES_PORT, require_service
from virtualfs.dialects.identifiers import frame_column, warehouse_column, warehouse_table
from virtualfs.warehouses.base import Warehouse, uploaded

WAREHOUSES = ("duckdb", "postgres", "snowflake", "ibis-duckdb", "ibis-postgres", "spark")
# The SQL dialects those warehouses speak (suites that only compile run once per dialect).
DIALECTS = ("duckdb", "postgres", "snowflake", "spark")
POSTGRES_OPTIONS = {"host": POSTGRES_HOST, "port": POSTGRES_PORT, "user": "postgres", "database": "test"}
SNOWFLAKE_OPTIONS = {"account": "vfs_test", "user": "vfs", "password": "unused", "database": "vfs_test",
                     "schema": "features"}
# Small data, two cores: few partitions, no UI, quiet logs (errors reach the tests as exceptions).
SPARK_CONF = {"spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2",
              "spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false", "spark.log.level": "FATAL",
              "spark.sql.adaptive.enabled": "false", "spark.sql.codegen.wholeStage": "false"}

_schemas = itertools.count()
_fakesnow_depth = 0


@contextmanager
def make_warehouse(name: str) -> Iterator[Warehouse]:
    """An empty warehouse of kind ``name`` (one of ``WAREHOUSES``), closed afterwards."""
    opener = {"duckdb": _duckdb, "postgres": _postgres, "snowflake": _snowflake,
              "ibis-duckdb": _ibis_duckdb, "ibis-postgres": _ibis_postgres, "spark": _spark}[name]
    with opener() as warehouse:
        yield warehouse


def create_user_table(warehouse: Warehouse, name: str, table: pa.Table) -> exp.Table:
    """A permanent table made the way a user makes one by hand: ``CREATE TABLE orders (...)``
    with unquoted names, so each warehouse folds them by its own rules."""
    target = warehouse_table(name, warehouse.dialect)
    with uploaded(warehouse, "_vfs_seed", table) as staged:
        columns = [
            exp.alias_(exp.column(frame_column(c)), warehouse_column(c, warehouse.dialect))
            for c in table.column_names
        ]
        warehouse.execute(exp.Create(this=target, kind="TABLE", expression=exp.select(*columns).from_(staged)))
    return target


@contextmanager
def _duckdb() -> Iterator[Warehouse]:
    from virtualfs.warehouses.duckdb import DuckDBWarehouse

    warehouse = DuckDBWarehouse()
    try:
        yield warehouse
    finally:
        warehouse.close()


@contextmanager
def _postgres() -> Iterator[Warehouse]:
    from virtualfs.warehouses.postgres import PostgresWarehouse

    with _postgres_schema() as schema:
        warehouse = PostgresWarehouse.from_config({**POSTGRES_OPTIONS, "schema": schema})
        try:
            yield warehouse
        finally:
            warehouse.close()


@contextmanager
def _postgres_schema() -> Iterator[str]:
    """A schema of its own on the PostgreSQL server, dropped with all it holds afterwards."""
    from virtualfs.warehouses.postgres import PostgresWarehouse

    require_service("PostgreSQL", POSTGRES_HOST, POSTGRES_PORT)
    schema = exp.to_identifier(f"vfs_test_{os.getpid()}_{next(_schemas)}", quoted=True)
    admin = PostgresWarehouse.from_config(POSTGRES_OPTIONS)
    admin.execute(exp.Create(this=schema, kind="SCHEMA"))
    try:
        yield schema.name
    finally:
        admin.execute(exp.Drop(this=schema, kind="SCHEMA", exists=True, cascade=True))
        admin.close()


@contextmanager
def _ibis_duckdb() -> Iterator[Warehouse]:
    with _ibis({"backend": "duckdb"}) as warehouse:
        yield warehouse


@contextmanager
def _ibis_postgres() -> Iterator[Warehouse]:
    with _postgres_schema() as schema, _ibis({"backend": "postgres", **POSTGRES_OPTIONS, "schema": schema}) as w:
        yield w


@contextmanager
def _ibis(options: dict) -> Iterator[Warehouse]:
    from virtualfs.warehouses.ibis import IbisWarehouse

    warehouse = IbisWarehouse.from_config(options)
    try:
        yield warehouse
    finally:
        warehouse.close()


@contextmanager
def _snowflake() -> Iterator[Warehouse]:
    from virtualfs.warehouses.snowflake import SnowflakeWarehouse

    with fakesnow_patched():
        warehouse = SnowflakeWarehouse.from_config(SNOWFLAKE_OPTIONS)
        try:
            yield warehouse
        finally:
            warehouse.close()


@contextmanager
def _spark() -> Iterator[Warehouse]:
    from virtualfs.warehouses.spark import SparkWarehouse

    session = spark_session()
    database = exp.to_identifier(f"vfs_test_{os.getpid()}_{next(_schemas)}", quoted=True)
    session.sql(exp.Create(this=database, kind="SCHEMA").sql("spark"))
    try:
        warehouse = SparkWarehouse(session, database=database.name)
        try:
            yield warehouse
        finally:
            warehouse.close()
    finally:
        session.sql(exp.Drop(this=database, kind="SCHEMA", exists=True, cascade=True).sql("spark"))
        session.catalog.setCurrentDatabase("default")  # not the dropped one, for the next to open


@cache
def spark_session() -> Any:
    """The one local Spark session of a test run, its tables in a temporary folder."""
    from virtualfs.warehouses.spark import open_session

    folder = tempfile.mkdtemp(prefix="vfs_spark_")
    session = open_session("local[2]", None, {**SPARK_CONF, "spark.sql.warehouse.dir": folder})
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    atexit.register(session.stop)
    return session


@contextmanager
def fakesnow_patched() -> Iterator[None]:
    """fakesnow's patch of ``snowflake.connector``; re-entrant (fakesnow's own is not)."""
    import fakesnow

    global _fakesnow_depth
    if _fakesnow_depth:
        _fakesnow_depth += 1
        try:
            yield
        finally:
            _fakesnow_depth -= 1
        return
    with fakesnow.patch():
        _fakesnow_depth = 1
        try:
            yield
        finally:
            _fakesnow_depth = 0
