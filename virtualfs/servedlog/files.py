"""Laptop sinks for the served log: a folder of Parquet files, or a SQLite file.

Each write is one new Parquet file (written beside, then renamed into place: a reader never sees
half a file) or one SQLite transaction. Both read back as an Arrow table of ``log_schema`` for the
rows with ``since <= requested_at < until`` (and one service, when asked).
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from virtualfs.errors import ConfigError
from virtualfs.servedlog.records import COLUMNS, log_schema, to_table

if TYPE_CHECKING:
    import pyarrow as pa

# The SQLite table: times as microseconds since the epoch (UTC), everything else as text/integers.
# Constant text: no name or value of a user's is ever part of it (values are bound parameters).
SQLITE_TABLE = "served_log"
_CREATE = ("CREATE TABLE IF NOT EXISTS served_log (request_id TEXT, entity_row INTEGER, "
           "requested_at INTEGER, service TEXT, entity TEXT, request_data TEXT, feature TEXT, value TEXT, "
           "status TEXT, event_time INTEGER)")
_INSERT = "INSERT INTO served_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_SELECT = ("SELECT request_id, entity_row, requested_at, service, entity, request_data, feature, value, "
           "status, event_time FROM served_log WHERE requested_at >= ? AND requested_at < ? "
           "AND (? IS NULL OR service = ?) ORDER BY requested_at, request_id, entity_row")
_FOREVER = (-(2**62), 2**62)


class ParquetSink:
    """A folder of Parquet files, one per batch."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def write(self, columns: dict[str, list]) -> None:
        import pyarrow.parquet as pq

        table = to_table(columns)
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        final = self.folder / f"served-{stamp}-{uuid.uuid4().hex[:8]}.parquet"
        partial = final.with_suffix(".partial")
        pq.write_table(table, partial)
        os.replace(partial, final)

    def read(self, since: datetime | None, until: datetime | None, service: str | None) -> pa.Table:
        import pyarrow.dataset as ds

        files = sorted(str(p) for p in self.folder.glob("*.parquet")) if self.folder.is_dir() else []
        if not files:
            return log_schema().empty_table()
        dataset = ds.dataset(files, schema=log_schema(), format="parquet")
        table = dataset.to_table(filter=_arrow_window(since, until, service))
        return table.sort_by([("requested_at", "ascending"), ("request_id", "ascending"),
                              ("entity_row", "ascending")])

    def close(self) -> None:
        pass


class SQLiteSink:
    """A SQLite file holding table ``served_log``; the writer's connection is its own."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._connection: sqlite3.Connection | None = None

    def write(self, columns: dict[str, list]) -> None:
        connection = self._open()
        rows = zip(*(_sqlite_column(columns[name]) for name in COLUMNS), strict=True)
        with connection:  # one transaction: the batch or nothing
            connection.executemany(_INSERT, rows)

    def read(self, since: datetime | None, until: datetime | None, service: str | None) -> pa.Table:
        import pyarrow as pa

        if not self.path.is_file():
            return log_schema().empty_table()
        low, high = (_micros(since) if since else _FOREVER[0]), (_micros(until) if until else _FOREVER[1])
        with sqlite3.connect(self.path) as connection:
            connection.execute(_CREATE)
            rows = connection.execute(_SELECT, (low, high, service, service)).fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [[] for _ in COLUMNS]
        schema = log_schema()
        arrays = {}
        for name, values in zip(COLUMNS, columns, strict=True):
            kind = schema.field(name).type
            arrays[name] = pa.array(values, pa.int64()).cast(kind) if pa.types.is_timestamp(kind) \
                else pa.array(values, kind)
        return pa.table(arrays, schema=schema)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _open(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                connection = sqlite3.connect(self.path, check_same_thread=False, timeout=5)
                connection.execute(_CREATE)
            except sqlite3.Error as error:
                raise ConfigError(f"served log: cannot open SQLite file {self.path}: {error}") from None
            self._connection = connection
        return self._connection


def _sqlite_column(values: list) -> list:
    """Times as microseconds since the epoch; everything else as it is."""
    if any(isinstance(value, datetime) for value in values):
        return [None if value is None else _micros(value) for value in values]
    return values


def _micros(moment: datetime) -> int:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    delta = moment - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _arrow_window(since: datetime | None, until: datetime | None, service: str | None) -> object:
    import pyarrow as pa
    import pyarrow.dataset as ds

    stamp = pa.timestamp("us", tz="UTC")
    parts = []
    if since is not None:
        parts.append(ds.field("requested_at") >= pa.scalar(_aware(since), stamp))
    if until is not None:
        parts.append(ds.field("requested_at") < pa.scalar(_aware(until), stamp))
    if service is not None:
        parts.append(ds.field("service") == service)
    condition = None
    for part in parts:
        condition = part if condition is None else condition & part
    return condition


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
