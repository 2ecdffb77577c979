"""PostgreSQL through psycopg 3: entity frames in by ``COPY``, results out as typed Arrow."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import count
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
import sqlglot
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.numeric import FloatLoader
from psycopg.types.string import TextLoader
from sqlglot import exp

from virtualfs.dialects import capabilities_of
from virtualfs.dialects.identifiers import frame_column, temp_table, warehouse_column
from virtualfs.dialects.render import to_sql
from virtualfs.dialects.types import arrow_type_of, type_names
from virtualfs.errors import WarehouseError
from virtualfs.warehouses.arrow import prepare_upload, result_schema, rows_to_table
from virtualfs.warehouses.base import import_ibis, list_tables, probe

_IDENTIFIER_BYTES = 63  # NAMEDATALEN - 1: longer names are silently truncated by the server
_CSV_ROWS = 50_000
_cursor_ids = count()
# A fixed catalog query; the table name is a bound parameter, resolved by to_regclass on the
# session's search_path. Expression indexes (a 0 in indkey) have no column list and are skipped.
_INDEXED_COLUMNS = to_sql(sqlglot.parse_one("""
SELECT i.indexrelid::BIGINT, a.attname::TEXT
FROM pg_index AS i
CROSS JOIN UNNEST(i.indkey) WITH ORDINALITY AS k(attnum, n)
JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
JOIN pg_class AS c ON c.oid = i.indexrelid
JOIN pg_am AS am ON am.oid = c.relam
WHERE i.indrelid = TO_REGCLASS(%s) AND i.indisvalid AND am.amname = 'btree' AND NOT 0 = ANY(i.indkey)
ORDER BY i.indexrelid, k.n
""", dialect="postgres"), "postgres")


class PostgresWarehouse:
    """A PostgreSQL database; unqualified names resolve in the configured ``schema``.

    Example::

        PostgresWarehouse(host="127.0.0.1", user="postgres", dbname="test")
    """

    dialect = "postgres"
    capabilities = capabilities_of("postgres")

    def __init__(self, conninfo: str = "", schema: str | None = None, **params: Any) -> None:
        settings = _settings(conninfo, params)
        self._secret = settings.get("password")
        self.where = _describe(settings)
        self._ibis: Any = None
        try:
            self.connection = psycopg.connect(**settings, autocommit=True)
        except psycopg.Error as error:
            raise self._error(error) from None
        try:
            self._register_loaders()
            self._configure_session(schema)
        except BaseException:
            self.connection.close()
            raise

    @classmethod
    def from_config(cls, options: dict) -> PostgresWarehouse:
        """Open from a ``warehouse:`` section: ``url:`` and/or host, port, user, password, database."""
        params = {k: v for k, v in options.items() if k not in {"url", "schema", "feature_schema"}}
        if "database" in params:
            params["dbname"] = params.pop("database")
        return cls(options.get("url", ""), schema=options.get("schema"), **params)

    def schema_of(self, relation: exp.Expression) -> pa.Schema:
        with self._errors(), self.connection.cursor() as cursor:
            cursor.execute(to_sql(probe(relation), self.dialect))
            return self._result_schema(cursor)

    def upload(self, name: str, table: pa.Table) -> exp.Table:
        target = temp_table(name, max_length=_IDENTIFIER_BYTES, db="pg_temp")
        table, columns = prepare_upload(table, self.dialect)
        create = exp.Create(
            this=exp.Schema(this=target.copy(), expressions=columns), kind="TABLE",
            properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
        )
        with self._errors(), self.connection.transaction(), self.connection.cursor() as cursor:
            cursor.execute(to_sql(exp.Drop(this=target.copy(), kind="TABLE", exists=True), self.dialect))
            cursor.execute(to_sql(create, self.dialect))
            with cursor.copy(to_sql(_copy_csv(target, table.column_names), self.dialect)) as copy:
                for chunk in _csv_chunks(table):
                    copy.write(chunk)
        return target

    def execute(self, statement: exp.Expression) -> None:
        with self._errors():
            self.connection.execute(to_sql(statement, self.dialect))

    def execute_atomic(self, statements: list[exp.Expression]) -> None:
        with self._errors(), self.connection.transaction():
            for statement in statements:
                self.connection.execute(to_sql(statement, self.dialect))

    def fetch_arrow(self, query: exp.Expression) -> pa.Table:
        with self._errors(), self.connection.cursor() as cursor:
            cursor.execute(to_sql(query, self.dialect))
            return rows_to_table(cursor.fetchall(), self._result_schema(cursor))

    def fetch_batches(self, query: exp.Expression, batch_rows: int = 100_000) -> Iterator[pa.RecordBatch]:
        sql = to_sql(query, self.dialect)
        name = f"_vfs_batches_{next(_cursor_ids)}"
        # a server-side cursor holds the result on the server and lives inside a transaction
        with self._errors(), self.connection.transaction(), \
                self.connection.cursor(name=name) as cursor:
            cursor.execute(sql)
            schema = self._result_schema(cursor)
            while rows := cursor.fetchmany(batch_rows):
                yield rows_to_table(rows, schema).to_batches()[0]

    def indexed_columns(self, table: exp.Table) -> list[tuple[str, ...]]:
        """The plain-column btree indexes of ``table`` (names as stored), leading column first;
        none when the table does not exist or is a view."""
        with self._errors():
            rows = self.connection.execute(_INDEXED_COLUMNS, (to_sql(table, self.dialect),)).fetchall()
        indexes: dict[int, list[str]] = {}
        for index, column in rows:
            indexes.setdefault(index, []).append(column)
        return [tuple(columns) for columns in indexes.values()]

    def tables_in(self, schema: Sequence[str]) -> list[str]:
        return list_tables(self, schema)

    def ibis_connection(self) -> Any:
        """ibis's postgres backend on this very psycopg connection (its search path and
        temporary tables included)."""
        if self._ibis is None:
            self._ibis = import_ibis().postgres.from_connection(self.connection)
        return self._ibis

    def close(self) -> None:
        self.connection.close()

    def _register_loaders(self) -> None:
        """numeric is read as float64; a type without a dtype (json, arrays...) as server text."""
        adapters = self.connection.adapters
        known = type_names(self.dialect)
        for info in list(adapters.types):
            for oid in (info.oid, info.array_oid):
                if oid and (oid != info.oid or info.name not in known):
                    adapters.register_loader(oid, TextLoader)
        adapters.register_loader("numeric", FloatLoader)

    def _configure_session(self, schema: str | None) -> None:
        settings = {"TimeZone": "UTC"}  # naive timestamps are UTC, timestamptz read back in UTC
        if schema is not None:
            folded = warehouse_column(schema, self.dialect).this
            self._require_schema(folded)
            settings["search_path"] = to_sql(exp.to_identifier(folded, quoted=True), self.dialect)
        statement = exp.select(exp.Anonymous(
            this="set_config", expressions=[exp.Placeholder(), exp.Placeholder(), exp.false()],
        ))
        with self._errors():
            for item in settings.items():
                self.connection.execute(to_sql(statement, self.dialect), item)

    def _require_schema(self, schema: str) -> None:
        query = exp.select("1").from_("pg_namespace").where(exp.column("nspname").eq(exp.Placeholder()))
        with self._errors():
            found = self.connection.execute(to_sql(query, self.dialect), (schema,)).fetchone()
        if found is None:
            raise WarehouseError(f"{self.where}: schema {schema!r} does not exist")

    def _result_schema(self, cursor: psycopg.Cursor) -> pa.Schema:
        registry = self.connection.adapters.types
        description = cursor.description or []
        names = [column.name for column in description]
        types = []
        for column in description:
            info = registry.get(column.type_code)
            types.append(arrow_type_of(info.name, self.dialect) if info else None)
        return result_schema(names, types)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except psycopg.Error as error:
            raise self._error(error) from None

    def _error(self, error: psycopg.Error) -> WarehouseError:
        lines = str(error).strip().splitlines()
        message = lines[0] if lines else type(error).__name__
        if self._secret:
            message = message.replace(str(self._secret), "***")
        return WarehouseError(f"{self.where}: {message}")


def _settings(conninfo: str, params: dict[str, Any]) -> dict[str, Any]:
    """Connection keywords from a URL and/or keywords (keywords win)."""
    given = {k: v for k, v in params.items() if v is not None}
    try:
        return conninfo_to_dict(conninfo, **given)
    except psycopg.ProgrammingError:
        # the driver's message may quote the URL, password included: never repeat it
        raise WarehouseError(
            "postgres: warehouse url is not a PostgreSQL URL like postgresql://user@host:5432/database"
        ) from None


def _describe(settings: dict[str, Any]) -> str:
    """``postgres user@host:port/database``: names the warehouse, never the password."""
    user, host = settings.get("user", ""), settings.get("host", "localhost")
    return f"postgres {user}@{host}:{settings.get('port', 5432)}/{settings.get('dbname', '')}"


def _copy_csv(target: exp.Table, columns: list[str]) -> exp.Copy:
    return exp.Copy(
        this=exp.Schema(this=target.copy(), expressions=[frame_column(c) for c in columns]),
        kind=True,  # FROM
        files=[exp.Var(this="STDIN")],
        params=[exp.CopyParameter(this=exp.Var(this="FORMAT"), expression=exp.Var(this="csv"))],
    )


def _csv_chunks(table: pa.Table) -> Iterator[bytes]:
    """CSV without a header: strings always quoted, so an unquoted empty field is NULL.

    Timestamps go as naive UTC text (the session is in UTC): Arrow formats a zoned timestamp
    ten times slower than a naive one.
    """
    naive = pa.schema([
        f.with_type(pa.timestamp(f.type.unit)) if pa.types.is_timestamp(f.type) else f for f in table.schema
    ])
    options = pa_csv.WriteOptions(include_header=False)
    for batch in table.cast(naive).to_batches(max_chunksize=_CSV_ROWS):
        sink = io.BytesIO()
        pa_csv.write_csv(batch, sink, options)
        yield sink.getvalue()
