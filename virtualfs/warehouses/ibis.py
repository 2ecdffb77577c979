"""Any engine ibis connects to, through one adapter: ``warehouse: {type: ibis, backend: NAME, ...}``.

virtualfs still compiles every statement itself, with sqlglot, in the dialect that matches the
backend (``virtualfs.config.IBIS_DIALECTS``); ibis only connects, runs that SQL text unchanged
(``raw_sql`` for statements, ``sql(...).to_pyarrow()`` for results, no transpiling) and types the
result, which is then conformed to the canonical Arrow types like on every other warehouse.
Entity frames are uploaded with ``create_table(..., temp=True)``, ibis's own path for each
backend (an Arrow scan on DuckDB; batched ``INSERT``s on PostgreSQL, slower than the native
adapter's ``COPY`` for large frames).

Tested here on DuckDB and PostgreSQL (the cross-warehouse suites, ``tests/backends.py``); every
other backend only has its golden SQL (``dialects/<dialect>/``) and ibis's own driver.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import ibis
import pyarrow as pa
from sqlglot import exp

from virtualfs.config import IBIS_DIALECTS, SECRET_KEYS
from virtualfs.dialects import capabilities_of, dialect
from virtualfs.dialects.identifiers import temp_table
from virtualfs.dialects.render import to_sql
from virtualfs.errors import ConfigError, VirtualfsError, WarehouseError
from virtualfs.warehouses.arrow import conform, conform_batch, prepare_upload
from virtualfs.warehouses.base import list_tables, probe


class IbisWarehouse:
    """An ibis connection (``ibis.<backend>.connect(**arguments)``, or ``ibis.connect(url)``).

    Example::

        IbisWarehouse.from_config({"backend": "postgres", "host": "127.0.0.1", "database": "test"})
    """

    def __init__(self, connection: Any, sql_dialect: str, secrets: Sequence[str] = ()) -> None:
        self.connection = connection
        self.dialect = sql_dialect
        self.capabilities = capabilities_of(sql_dialect)
        self.where = f"{sql_dialect} (through ibis)"
        self._secrets = tuple(s for s in secrets if s)
        self._max_name = dialect(sql_dialect).max_identifier_bytes

    @classmethod
    def from_config(cls, options: dict) -> IbisWarehouse:
        """Open from a ``warehouse:`` section: ``backend`` and that backend's connection
        arguments (``url`` instead of them: ``ibis.connect(url)``); ``feature_schema`` is ours."""
        arguments = {k: v for k, v in options.items() if k not in {"backend", "feature_schema"}}
        backend = options.get("backend")
        if backend not in IBIS_DIALECTS:
            known = ", ".join(IBIS_DIALECTS)
            raise ConfigError(f"warehouse (ibis): backend {backend!r} is not one of {known}")
        secrets = [str(v) for k, v in arguments.items() if k.startswith(SECRET_KEYS)]
        connection = _connect(backend, arguments, secrets)
        return cls(connection, IBIS_DIALECTS[backend], secrets)

    def schema_of(self, relation: exp.Expression) -> pa.Schema:
        return self.fetch_arrow(probe(relation)).schema

    def upload(self, name: str, table: pa.Table) -> exp.Table:
        target = temp_table(name, max_length=self._max_name)
        table, _ = prepare_upload(table, self.dialect)
        with self._errors():
            self.connection.create_table(name, obj=table, temp=True, overwrite=True)
        return target

    def execute(self, statement: exp.Expression) -> None:
        with self._errors():
            result = self.connection.raw_sql(to_sql(statement, self.dialect))
            # a DB-API cursor to release; DuckDB's backend returns its connection itself instead
            if result is not None and result is not getattr(self.connection, "con", None):
                result.close()

    def execute_atomic(self, statements: list[exp.Expression]) -> None:
        self.execute(exp.Transaction())
        try:
            for statement in statements:
                self.execute(statement)
        except BaseException:
            with suppress(WarehouseError):  # never hide the error that failed the transaction
                self.execute(exp.Rollback())
            raise
        self.execute(exp.Commit())

    def fetch_arrow(self, query: exp.Expression) -> pa.Table:
        with self._errors():
            return conform(self._table(query).to_pyarrow())

    def fetch_batches(self, query: exp.Expression, batch_rows: int = 100_000) -> Iterator[pa.RecordBatch]:
        with self._errors():
            reader = self._table(query).to_pyarrow_batches(chunk_size=batch_rows)
            for batch in reader:
                yield conform_batch(batch)

    def _table(self, query: exp.Expression) -> Any:
        """``query`` as a lazy ibis table on this connection (its SQL text as rendered here)."""
        with self._errors():
            return self.connection.sql(to_sql(query, self.dialect))

    def ibis_connection(self) -> Any:
        """The ibis backend itself (``RetrievalJob.to_ibis`` builds on it)."""
        return self.connection

    def tables_in(self, schema: Sequence[str]) -> list[str]:
        return list_tables(self, schema)

    def close(self) -> None:
        with self._errors():
            self.connection.disconnect()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        # ibis reaches some twenty drivers, each with its own error tree (duckdb.Error,
        # psycopg.Error, ...) besides ibis's and sqlglot's: whatever one raises is a WarehouseError
        try:
            yield
        except VirtualfsError:
            raise
        except Exception as error:
            raise WarehouseError(f"{self.where}: {_first_line(error, self._secrets)}") from None


def _connect(backend: str, arguments: dict[str, Any], secrets: Sequence[str]) -> Any:
    """``ibis.<backend>.connect(**arguments)``; an argument the backend does not take is a
    ConfigError naming it, a refused connection a WarehouseError (secrets masked)."""
    url = arguments.pop("url", None)
    try:
        connector = getattr(ibis, backend)
    except ImportError as error:  # the backend's driver is an extra of ibis-framework
        raise ConfigError(f"warehouse (ibis): backend {backend!r} needs its driver: pip install "
                          f"'ibis-framework[{backend}]' ({error})") from None
    _check_arguments(backend, connector, arguments)
    try:
        connection = ibis.connect(url, **arguments) if url else connector.connect(**arguments)
    except Exception as error:
        raise WarehouseError(f"ibis {backend}: cannot connect: {_first_line(error, secrets)}") from None
    if connection.name != backend:
        connection.disconnect()
        raise ConfigError(f"warehouse (ibis): url is a {connection.name} URL, but backend is {backend!r}")
    return connection


def _check_arguments(backend: str, connector: Any, arguments: dict[str, Any]) -> None:
    """Unknown keys are errors when the backend's ``connect`` names all it takes."""
    parameters = inspect.signature(connector.connect).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return  # the rest goes to the driver, which refuses what it does not know
    unknown = sorted(set(arguments) - set(parameters))
    if unknown:
        raise ConfigError(f"warehouse (ibis {backend}): unknown key {unknown[0]!r}; expected one of "
                          f"{', '.join(sorted(set(parameters) | {'url', 'backend', 'feature_schema'}))}")


def _first_line(error: Exception, secrets: Sequence[str]) -> str:
    lines = str(error).strip().splitlines()
    message = lines[0] if lines else type(error).__name__
    for secret in secrets:
        message = message.replace(secret, "***")
    return message
