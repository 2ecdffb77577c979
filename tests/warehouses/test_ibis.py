"""The ibis warehouse's config and connection (its conformance runs with every warehouse's:
``ibis-duckdb`` and ``ibis-postgres`` in ``tests.backends.WAREHOUSES``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlglot import exp

from tests.backends import POSTGRES_OPTIONS
from tests.services import POSTGRES_HOST, POSTGRES_PORT, require_service
from virtualfs.config import parse_config
from virtualfs.errors import ConfigError, WarehouseError
from virtualfs.warehouses import open_warehouse
from virtualfs.warehouses.base import fetch_scalar
from virtualfs.warehouses.ibis import IbisWarehouse


def config(tmp_path: Path, **warehouse):
    return parse_config({"project": "shop", "warehouse": {"type": "ibis", **warehouse}}, tmp_path)


@pytest.mark.parametrize(("backend", "dialect"), [("duckdb", "duckdb"), ("postgres", "postgres"),
                                                  ("snowflake", "snowflake"), ("bigquery", "bigquery"),
                                                  ("trino", "trino"), ("databricks", "databricks")])
def test_the_dialect_is_the_backends_without_connecting(tmp_path, backend, dialect):
    assert config(tmp_path, backend=backend, password="${VFS_UNSET_PASSWORD}").dialect == dialect


@pytest.mark.parametrize(("warehouse", "message"), [
    ({}, "backend None is not one of duckdb, postgres"),
    ({"backend": "clickhouse"}, "backend 'clickhouse' is not one of .* SQL dialect for"),
])
def test_a_backend_without_a_dialect_is_refused_at_load(tmp_path, warehouse, message):
    with pytest.raises(ConfigError, match=message):
        config(tmp_path, **warehouse)


def test_a_duckdb_database_path_is_relative_to_the_repository(tmp_path, monkeypatch):
    monkeypatch.chdir("/")
    found = config(tmp_path, backend="duckdb", database="data/w.duckdb").warehouse
    assert Path(found.get("database")) == tmp_path.resolve() / "data" / "w.duckdb"
    assert config(tmp_path, backend="duckdb", database=":memory:").warehouse.get("database") == ":memory:"


def test_secrets_are_masked_in_the_config_and_in_a_refused_connection(tmp_path):
    section = config(tmp_path, backend="postgres", host="127.0.0.1", port=1, password="hunter2").warehouse
    assert "hunter2" not in repr(section)
    with pytest.raises(WarehouseError) as raised:
        open_warehouse(section)
    assert str(raised.value).startswith("ibis postgres: cannot connect") and "hunter2" not in str(raised.value)


def test_an_unknown_connection_argument_is_an_error_naming_it():
    with pytest.raises(WarehouseError, match="no_such_option"):
        IbisWarehouse.from_config({"backend": "postgres", **POSTGRES_OPTIONS, "no_such_option": 1})


def test_a_url_of_another_backend_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="url is a duckdb URL, but backend is 'postgres'"):
        IbisWarehouse.from_config({"backend": "postgres", "url": "duckdb://"})


def test_open_warehouse_gives_the_ibis_adapter_through_a_url():
    require_service("PostgreSQL", POSTGRES_HOST, POSTGRES_PORT)
    url = f"postgres://postgres@{POSTGRES_HOST}:{POSTGRES_PORT}/test"
    warehouse = open_warehouse(parse_config({"project": "shop", "warehouse": {
        "type": "ibis", "backend": "postgres", "url": url}}, Path(".")).warehouse)
    try:
        assert isinstance(warehouse, IbisWarehouse) and warehouse.dialect == "postgres"
        assert fetch_scalar(warehouse, exp.select(exp.Literal.number(7))) == 7
    finally:
        warehouse.close()


def test_execute_atomic_takes_effect_all_or_nothing():
    warehouse = IbisWarehouse.from_config({"backend": "duckdb"})
    target = exp.to_table("t")
    warehouse.execute(exp.Create(this=exp.Schema(this=target.copy(), expressions=[
        exp.ColumnDef(this=exp.to_identifier("x"), kind=exp.DataType.build("INT"))]), kind="TABLE"))
    insert = exp.insert(exp.select(exp.Literal.number(1)), target.copy())
    with pytest.raises(WarehouseError):
        warehouse.execute_atomic([insert, exp.select("*").from_("no_such_table")])
    warehouse.execute_atomic([insert.copy(), insert.copy()])
    assert fetch_scalar(warehouse, exp.select(exp.Count(this=exp.Star())).from_(target.copy())) == 2
    warehouse.close()
