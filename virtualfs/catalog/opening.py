"""Opening a catalog database: its tables are created only where they do not exist yet, safely
when several processes open a new catalog at once (``serve --workers N`` on a fresh repository),
and a file that is not a catalog is refused rather than silently started over.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.schema import CreateIndex, CreateTable

from virtualfs.catalog import tables
from virtualfs.errors import CatalogError

SQLITE_HEADER = b"SQLite format 3\x00"
# Held while PostgreSQL catalog tables are created: any fixed 64-bit number ("vfscatlg").
_CREATE_LOCK_KEY = 0x7666_7363_6174_6C67


def open_catalog_engine(url: str) -> sa.Engine:
    """An engine on the catalog at ``url``, its tables created if (and only if) missing."""
    path = sqlite_file(url)
    if path is not None:
        if path.exists():
            check_sqlite_file(path)
        else:
            create_sqlite_catalog(path)
    try:
        engine = _engine(url)
        with engine.connect() as connection:
            present = set(sa.inspect(connection).get_table_names())
        if path is not None:
            check_holds_catalog(path, present)
        if not {t.name for t in tables.metadata.sorted_tables} <= present:
            with engine.begin() as connection:
                create_tables(connection)
    except sa.exc.SQLAlchemyError as error:
        raise CatalogError(f"catalog {safe_url(url)}: cannot open: {first_line(error)}") from None
    return engine


def create_tables(connection: sa.Connection) -> None:
    """Every catalog table and index that does not exist yet; creating them twice is harmless."""
    if connection.dialect.name == "postgresql":
        # IF NOT EXISTS alone still races on PostgreSQL (two creators insert the same pg_type
        # row), so creators take turns; the lock is released when this transaction ends.
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_CREATE_LOCK_KEY)))
    for table in tables.metadata.sorted_tables:
        connection.execute(CreateTable(table, if_not_exists=True))
        for index in table.indexes:
            connection.execute(CreateIndex(index, if_not_exists=True))


def create_sqlite_catalog(path: Path) -> None:
    """A new catalog at ``path``, built under a private name and then linked into place: another
    process sees no file or a whole catalog, never an empty one, and the first link wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    private = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.new")
    engine = _engine(f"sqlite:///{private}")
    try:
        with engine.begin() as connection:
            create_tables(connection)
        engine.dispose()  # the last connection closed folds the write-ahead log into the file
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            os.link(private, path)
    except sa.exc.SQLAlchemyError as error:
        raise CatalogError(f"catalog {path}: cannot be created: {first_line(error)}") from None
    except OSError as error:
        raise CatalogError(f"catalog {path}: cannot be created: {error}") from None
    finally:
        engine.dispose()
        for leftover in (private, *(private.with_name(private.name + s) for s in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)


def check_sqlite_file(path: Path) -> None:
    """``path`` is a SQLite database: an empty or foreign file is not a catalog to start over in."""
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as error:
        raise CatalogError(f"catalog {path}: cannot be read: {error}") from None
    if not header:
        raise CatalogError(
            f"catalog {path}: the file is empty, and an empty file is not a catalog; restore the "
            "catalog from a backup, or delete the file to start a new one")
    if header != SQLITE_HEADER:
        raise CatalogError(f"catalog {path}: not a SQLite database; expected a virtualfs catalog")


def check_holds_catalog(path: Path, present: set[str]) -> None:
    """A SQLite database with tables, none of them ours, belongs to something else."""
    ours = {t.name for t in tables.metadata.sorted_tables}
    if present and not present & ours:
        shown = ", ".join(sorted(present)[:5])
        raise CatalogError(
            f"catalog {path}: a SQLite database without virtualfs catalog tables (it has {shown}); "
            "point catalog.url at a new file")


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite catalog URL (None for other databases and in-memory SQLite)."""
    parsed = sa.engine.make_url(url)
    memory = parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory"
    if parsed.get_backend_name() != "sqlite" or memory or "uri" in parsed.query:
        return None
    return Path(parsed.database)


def safe_url(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def first_line(error: Exception) -> str:
    return str(error).splitlines()[0]


def _engine(url: str) -> sa.Engine:
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    # Wait for a concurrent apply's write lock instead of failing at once.
    engine = sa.create_engine(url, connect_args={"timeout": 30})
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection, _record) -> None:
    # WAL: readers never wait for a writer, and a commit is an append rather than two fsyncs.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
