"""Snowflake through snowflake-connector-python: ``write_pandas`` in, Arrow out.

Tests run this module through the official connector against fakesnow (Snowflake emulated on
DuckDB). Where fakesnow falls short, real Snowflake keeps the real construct:

- ``ASOF JOIN ... MATCH_CONDITION`` does not parse on fakesnow, so a connection that turns out
  to be fakesnow's declares ``supports_match_condition=False`` and the compiler falls back to
  its window strategy; real Snowflake declares it supported.
- ``fetch_arrow_all``/``fetch_arrow_batches`` are missing on fakesnow; results are then read
  as rows and typed from the cursor description (see ``_fetch_table``).
- fakesnow's ``write_pandas(auto_create_table=True)`` upper-cases column names and ignores
  ``table_type="temporary"``, so the temporary table is created here and ``write_pandas`` only
  loads it (on both).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pyarrow as pa
import snowflake.connector
import snowflake.connector.pandas_tools as pandas_tools
from snowflake.connector.constants import FIELD_ID_TO_NAME
from sqlglot import exp

from virtualfs.dialects import capabilities_of
from virtualfs.dialects.identifiers import temp_table
from virtualfs.dialects.render import to_sql
from virtualfs.dialects.types import arrow_type_of
from virtualfs.errors import UnsupportedError, WarehouseError
from virtualfs.warehouses.arrow import conform, prepare_upload, result_schema, rows_to_table
from virtualfs.warehouses.base import import_ibis, list_tables, probe

NATIVE = capabilities_of("snowflake")
EMULATED = dataclasses.replace(NATIVE, supports_match_condition=False)
# UTC: naive timestamps are UTC; ARROW: fetch_arrow_* refuse a session set to JSON results
_SESSION = {"TIMEZONE": "UTC", "QUERY_TAG": "virtualfs", "PYTHON_CONNECTOR_QUERY_RESULT_FORMAT": "ARROW"}
_CONNECT_KEYS = {"account", "user", "password", "role", "warehouse", "database", "schema",
                 "host", "port", "protocol"}


class SnowflakeWarehouse:
    """A Snowflake account; unqualified names resolve in the configured database and schema.

    ``emulated`` is true on a fakesnow connection, and ``capabilities`` follow it.
    """

    dialect = "snowflake"

    def __init__(self, **params: Any) -> None:
        self.where = _describe(params)
        self._secret = params.get("password") or params.get("private_key_file_pwd")
        try:
            self.connection = snowflake.connector.connect(
                **params, session_parameters=dict(_SESSION), login_timeout=60,
            )
        except (snowflake.connector.errors.Error, OSError, ValueError) as error:
            raise self._error(error) from None
        self.emulated = type(self.connection).__module__.split(".")[0] == "fakesnow"
        self.capabilities = EMULATED if self.emulated else NATIVE
        self._ibis: Any = None

    @classmethod
    def from_config(cls, options: dict) -> SnowflakeWarehouse:
        """Open from a ``warehouse:`` section; with ``private_key_path`` (key-pair auth) a
        ``password``, if given, is the key's passphrase."""
        params = {k: v for k, v in options.items() if k in _CONNECT_KEYS and v is not None}
        key_path = options.get("private_key_path")
        if key_path:
            if not Path(key_path).is_file():
                raise WarehouseError(f"{_describe(params)}: private_key_path {key_path} is not a file")
            params["private_key_file"] = str(key_path)
            if "password" in params:
                params["private_key_file_pwd"] = params.pop("password")
        return cls(**params)

    def schema_of(self, relation: exp.Expression) -> pa.Schema:
        with self._errors(), self.connection.cursor() as cursor:
            return _result_schema(cursor.describe(to_sql(probe(relation), self.dialect)))

    def upload(self, name: str, table: pa.Table) -> exp.Table:
        target = temp_table(name)
        table, columns = prepare_upload(table, self.dialect)
        self.execute(exp.Create(
            this=exp.Schema(this=target.copy(), expressions=columns), kind="TABLE", replace=True,
            properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
        ))
        if table.num_rows == 0:
            return target
        with self._errors():
            # looked up at call time so that fakesnow's patch of write_pandas applies
            success, _, _, _ = pandas_tools.write_pandas(
                self.connection, _frame(table), name, quote_identifiers=True,
                use_logical_type=True, auto_create_table=False,
            )
        if not success:
            raise WarehouseError(f"{self.where}: loading temporary table {name!r} failed")
        return target

    def execute(self, statement: exp.Expression) -> None:
        with self._errors(), self.connection.cursor() as cursor:
            if isinstance(statement, exp.Create) and statement.kind == "SCHEMA":
                self._create_schema_keeping_current(cursor, statement)
            else:
                cursor.execute(to_sql(statement, self.dialect))

    def _create_schema_keeping_current(self, cursor: Any, statement: exp.Create) -> None:
        # CREATE SCHEMA also makes the new schema the session's current one, after which the
        # user's unqualified table names would resolve there; switch back to where they were.
        current = cursor.execute(to_sql(exp.select(exp.func("CURRENT_SCHEMA")), self.dialect)).fetchone()[0]
        cursor.execute(to_sql(statement, self.dialect))
        if current:
            use = exp.Use(kind=exp.Var(this="SCHEMA"), this=exp.to_table(current, quoted=True))
            for identifier in use.find_all(exp.Identifier):
                identifier.set("quoted", True)
            cursor.execute(to_sql(use, self.dialect))

    def execute_atomic(self, statements: list[exp.Expression]) -> None:
        """One transaction. Snowflake commits DDL implicitly, so only DML can be made atomic."""
        ddl = [s for s in statements if isinstance(s, (exp.Create, exp.Drop, exp.Alter))]
        if ddl:
            raise UnsupportedError(
                f"snowflake: {ddl[0].key.upper()} commits implicitly and cannot run inside a transaction"
            )
        with self._errors(), self.connection.cursor() as cursor:
            cursor.execute(to_sql(exp.Transaction(), self.dialect))
            try:
                for statement in statements:
                    cursor.execute(to_sql(statement, self.dialect))
            except BaseException:
                with suppress(snowflake.connector.errors.Error):  # never hide the first error
                    cursor.execute(to_sql(exp.Rollback(), self.dialect))
                raise
            cursor.execute(to_sql(exp.Commit(), self.dialect))

    def fetch_arrow(self, query: exp.Expression) -> pa.Table:
        with self._errors(), self.connection.cursor() as cursor:
            cursor.execute(to_sql(query, self.dialect))
            return _fetch_table(cursor, _result_schema(cursor.description))

    def fetch_batches(self, query: exp.Expression, batch_rows: int = 100_000) -> Iterator[pa.RecordBatch]:
        with self._errors(), self.connection.cursor() as cursor:
            cursor.execute(to_sql(query, self.dialect))
            schema = _result_schema(cursor.description)
            if hasattr(cursor, "fetch_arrow_batches"):
                for table in cursor.fetch_arrow_batches():
                    yield from conform(table, schema).to_batches(max_chunksize=batch_rows)
                return
            # fakesnow: no Arrow batches (see _fetch_table), so rows in slices of batch_rows
            while rows := cursor.fetchmany(batch_rows):
                yield rows_to_table(rows, schema).to_batches()[0]

    def tables_in(self, schema: Sequence[str]) -> list[str]:
        return list_tables(self, schema, per_database=True)

    def ibis_connection(self) -> Any:
        """ibis's snowflake backend on this very connection, without the UDFs it would otherwise
        create in the session. Not tested here: ibis's Snowflake backend does not run on fakesnow."""
        if self.emulated:
            raise UnsupportedError("snowflake: ibis's Snowflake backend does not run on fakesnow (an "
                                   "emulated connection); to_ibis needs a real Snowflake account")
        if self._ibis is None:
            self._ibis = import_ibis().snowflake.from_connection(self.connection, create_object_udfs=False)
        return self._ibis

    def close(self) -> None:
        self.connection.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except snowflake.connector.errors.Error as error:
            raise self._error(error) from None

    def _error(self, error: Exception) -> WarehouseError:
        # Snowflake puts the object at fault on the message's second line: keep every line
        message = " ".join(str(error).split()) or type(error).__name__
        if self._secret:
            message = message.replace(str(self._secret), "***")
        return WarehouseError(f"{self.where}: {message}")


def _fetch_table(cursor: Any, schema: pa.Schema) -> pa.Table:
    if hasattr(cursor, "fetch_arrow_all"):
        return conform(cursor.fetch_arrow_all(force_return_table=True), schema)
    # fakesnow has no fetch_arrow_all. Its fetch_pandas_all turns a nullable integer column
    # into float64, which loses integers beyond 2**53, so read the rows (exact) instead.
    return rows_to_table(cursor.fetchall(), schema)


def _result_schema(description: list[Any]) -> pa.Schema:
    names = [column.name for column in description]
    types = [
        arrow_type_of(FIELD_ID_TO_NAME[column.type_code], "snowflake", column.scale)
        for column in description
    ]
    return result_schema(names, types)


def _frame(table: pa.Table) -> Any:
    """The frame ``write_pandas`` loads: nullable integers, booleans and strings stay so."""
    import pandas as pd

    nullable = {
        pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(), pa.bool_(): pd.BooleanDtype(),
        pa.string(): pd.StringDtype(),
    }
    return table.to_pandas(types_mapper=nullable.get)


def _describe(params: dict[str, Any]) -> str:
    """``snowflake <account> [at host:port] [database.schema]``, never a secret."""
    where = f"snowflake {params.get('account', '?')}"
    if params.get("host"):
        where += f" at {params['host']}:{params.get('port', 443)}"
    if params.get("database"):
        where += f" {params['database']}.{params.get('schema', 'PUBLIC')}"
    return where
