"""Opening a catalog: several processes may create a new one at once; what is not a catalog is refused."""

from __future__ import annotations

import multiprocessing
import sqlite3
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.services import POSTGRES_HOST, POSTGRES_PORT, POSTGRES_URL, require_service
from virtualfs.catalog import Catalog
from virtualfs.errors import CatalogError

PROCESSES, ROUNDS = 6, 4


def open_when_all_are_ready(urls: list[str], barrier, results) -> None:
    """One process of the race: for each fresh catalog, wait for the others, then open it."""
    for url in urls:
        barrier.wait(timeout=120)
        try:
            catalog = Catalog(url, "shop")
            catalog.latest_version()
            catalog.close()
            results.put("ok")
        except Exception as error:  # every failure is reported, whatever its type
            results.put(f"{type(error).__name__}: {error}")


def race(urls: list[str]) -> list[str]:
    """Open each of ``urls`` from PROCESSES fresh processes at the same moment; every outcome."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(PROCESSES), context.Queue()
    processes = [context.Process(target=open_when_all_are_ready, args=(urls, barrier, results))
                 for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=300) for _ in range(PROCESSES * len(urls))]
    for process in processes:
        process.join(timeout=60)
    return outcomes


def test_processes_creating_a_new_sqlite_catalog_at_once_all_open_it(tmp_path):
    urls = [f"sqlite:///{tmp_path}/round{n}/catalog.db" for n in range(ROUNDS)]
    outcomes = race(urls)
    assert [o for o in outcomes if o != "ok"] == []
    for url in urls:
        assert Catalog(url, "shop").latest_version() is None


@pytest.fixture
def postgres_schemas():
    require_service("PostgreSQL", POSTGRES_HOST, POSTGRES_PORT)
    names = [f"vfs_race_{uuid.uuid4().hex[:8]}" for _ in range(ROUNDS)]
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        for name in names:
            connection.execute(sa.schema.CreateSchema(name))
    yield [f"{POSTGRES_URL}?options=-csearch_path%3D{name}" for name in names]
    with engine.begin() as connection:
        for name in names:
            connection.execute(sa.schema.DropSchema(name, cascade=True))
    engine.dispose()


def test_processes_creating_a_new_postgres_catalog_at_once_all_open_it(postgres_schemas):
    outcomes = race(postgres_schemas)
    assert [o for o in outcomes if o != "ok"] == []
    for url in postgres_schemas:
        assert Catalog(url, "shop").latest_version() is None


def test_new_sqlite_catalog_is_made_in_one_step_and_leaves_nothing_behind(tmp_path):
    Catalog(f"sqlite:///{tmp_path}/new/catalog.db", "shop").close()
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["catalog.db"]


def test_empty_catalog_file_is_refused_not_started_over(tmp_path):
    path = tmp_path / "catalog.db"
    path.touch()
    with pytest.raises(CatalogError, match=f"catalog {path}: the file is empty, and an empty file is not a catalog"):
        Catalog(f"sqlite:///{path}", "shop")
    assert path.stat().st_size == 0  # left as found


def test_file_that_is_not_sqlite_is_refused(tmp_path):
    path = tmp_path / "catalog.db"
    path.write_text("project: shop\n")
    with pytest.raises(CatalogError, match=f"catalog {path}: not a SQLite database"):
        Catalog(f"sqlite:///{path}", "shop")


def test_sqlite_database_of_something_else_is_refused(tmp_path):
    path = tmp_path / "catalog.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    connection.close()
    with pytest.raises(CatalogError, match=f"catalog {path}: a SQLite database without virtualfs catalog "
                                           "tables \\(it has invoices\\)"):
        Catalog(f"sqlite:///{path}", "shop")


def test_catalog_missing_a_newer_table_gets_it_and_keeps_its_versions(tmp_path):
    path = tmp_path / "catalog.db"
    Catalog(f"sqlite:///{path}", "shop").close()
    with sqlite3.connect(path) as connection:  # a catalog made before vfs_locks existed
        connection.execute("DROP TABLE vfs_locks")
        connection.execute("INSERT INTO vfs_versions VALUES ('shop', 1, NULL, '2026-01-01T00:00:00+00:00', 'x')")
    connection.close()
    catalog = Catalog(f"sqlite:///{path}", "shop")
    assert catalog.latest_version() == 1
    assert catalog.state.acquire_lock("v", "me", timedelta(minutes=1))


def test_sqlite_database_without_tables_becomes_a_catalog(tmp_path):
    path = tmp_path / "catalog.db"
    sqlite3.connect(path).execute("PRAGMA user_version = 1").connection.close()
    assert path.stat().st_size > 0
    assert Catalog(f"sqlite:///{path}", "shop").latest_version() is None


def test_catalog_made_before_check_results_gets_their_table(tmp_path):
    from virtualfs.catalog.check_results import CheckResult

    path = tmp_path / "catalog.db"
    Catalog(f"sqlite:///{path}", "shop").close()
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE vfs_check_results")
    connection.close()
    catalog = Catalog(f"sqlite:///{path}", "shop")
    result = CheckResult("v", "rows_at_least", "rows_at_least", None, "error", "window", 3, 3, "3 rows",
                         "at least 1 row", passed=True)
    catalog.checks.record("run1", [result])
    assert catalog.checks.of_runs(["run1"]) == {"run1": (result,)}
