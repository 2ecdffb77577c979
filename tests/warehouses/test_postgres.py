"""PostgreSQL specifics: configuration, session settings, faults (against the real server)."""

from __future__ import annotations

import uuid

import pyarrow as pa
import pytest
from sqlglot import exp

from tests.backends import POSTGRES_OPTIONS, create_user_table
from tests.services import POSTGRES_HOST, POSTGRES_PORT, require_service
from virtualfs.config import BackendConfig
from virtualfs.dialects.identifiers import frame_column, warehouse_table
from virtualfs.errors import WarehouseError
from virtualfs.warehouses import open_warehouse
from virtualfs.warehouses.postgres import PostgresWarehouse


@pytest.fixture(autouse=True)
def _server() -> None:
    require_service("PostgreSQL", POSTGRES_HOST, POSTGRES_PORT)


def one(warehouse: PostgresWarehouse, expression: exp.Expression) -> object:
    return warehouse.fetch_arrow(exp.select(expression.as_(frame_column("v")))).column("v")[0].as_py()


def test_open_warehouse_from_url_config():
    config = BackendConfig("postgres", {"url": f"postgresql://postgres@{POSTGRES_HOST}:{POSTGRES_PORT}/test"})

    warehouse = open_warehouse(config)

    assert isinstance(warehouse, PostgresWarehouse)
    assert warehouse.where == f"postgres postgres@{POSTGRES_HOST}:{POSTGRES_PORT}/test"
    warehouse.close()


def test_session_runs_in_utc_with_the_configured_search_path(postgres):
    assert one(postgres, exp.func("current_setting", exp.Literal.string("TimeZone"))) == "UTC"
    assert one(postgres, exp.func("current_schema")).startswith("vfs_test_")


def test_unqualified_table_resolves_in_the_configured_schema(postgres):
    create_user_table(postgres, "orders", pa.table({"id": [1, 2]}))
    schema_name = one(postgres, exp.func("current_schema"))
    qualified = exp.table_(exp.to_identifier("orders", quoted=True), db=exp.to_identifier(schema_name, quoted=True))

    assert postgres.fetch_arrow(exp.select("*").from_(qualified)).num_rows == 2


def test_numeric_results_come_back_as_float64(postgres):
    value = exp.cast(exp.Literal.number("12.50"), exp.DataType.build("numeric(10, 2)"))

    result = postgres.fetch_arrow(exp.select(value.as_(frame_column("v"))))

    assert result.schema.field("v").type == pa.float64()
    assert result.column("v").to_pylist() == [12.5]


def test_unknown_types_come_back_as_text(postgres):
    result = postgres.fetch_arrow(exp.select(exp.cast(exp.Literal.string('{"a": 1}'), "jsonb").as_("j")))

    assert result.schema.field("j").type == pa.string()
    assert result.column("j").to_pylist() == ['{"a": 1}']


def test_unreachable_port_is_a_warehouse_error_naming_host_and_port():
    with pytest.raises(WarehouseError, match=r"^postgres postgres@127\.0\.0\.1:1/test: .*(refused|failed)"):
        PostgresWarehouse.from_config({**POSTGRES_OPTIONS, "port": 1})


def test_unknown_host_is_a_warehouse_error_naming_it():
    with pytest.raises(WarehouseError, match="no-such-host.invalid"):
        PostgresWarehouse.from_config({**POSTGRES_OPTIONS, "host": "no-such-host.invalid"})


def test_unknown_role_is_a_warehouse_error():
    with pytest.raises(WarehouseError, match='role "vfs_no_such_role" does not exist'):
        PostgresWarehouse.from_config({**POSTGRES_OPTIONS, "user": "vfs_no_such_role"})


def test_unknown_database_is_a_warehouse_error():
    with pytest.raises(WarehouseError, match='database "vfs_no_such_db" does not exist'):
        PostgresWarehouse.from_config({**POSTGRES_OPTIONS, "database": "vfs_no_such_db"})


def test_missing_schema_is_a_warehouse_error_naming_it():
    with pytest.raises(WarehouseError, match="schema 'vfs_no_such_schema' does not exist"):
        PostgresWarehouse.from_config({**POSTGRES_OPTIONS, "schema": "VFS_No_Such_Schema"})


@pytest.mark.parametrize("options", [
    {**POSTGRES_OPTIONS, "port": 1, "password": "s3cret-pw"},
    {"url": "postgresql://postgres:s3cret-pw@127.0.0.1:1/test"},
    {"url": "postgresql://postgres:s3cret pw@127.0.0.1:xx/test"},
])
def test_password_never_appears_in_an_error(options):
    with pytest.raises(WarehouseError) as raised:
        PostgresWarehouse.from_config(options)

    assert "s3cret" not in str(raised.value)


def test_missing_privileges_is_a_warehouse_error_naming_the_object(postgres):
    import psycopg
    from psycopg.sql import SQL, Identifier

    orders = create_user_table(postgres, "orders", pa.table({"id": [1]}))
    schema_name = one(postgres, exp.func("current_schema"))
    role = f"vfs_reader_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(host=POSTGRES_HOST, port=POSTGRES_PORT, user="postgres", dbname="test", autocommit=True)
    admin.execute(SQL("CREATE ROLE {} LOGIN").format(Identifier(role)))
    admin.execute(SQL("GRANT USAGE ON SCHEMA {} TO {}").format(Identifier(schema_name), Identifier(role)))
    try:
        reader = PostgresWarehouse.from_config({**POSTGRES_OPTIONS, "user": role, "schema": schema_name})
        with pytest.raises(WarehouseError, match=rf"^postgres {role}@.*permission denied for table orders"):
            reader.fetch_arrow(exp.select("*").from_(orders))
        reader.close()
    finally:
        admin.execute(SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(Identifier(schema_name), Identifier(role)))
        admin.execute(SQL("DROP ROLE {}").format(Identifier(role)))
        admin.close()


def test_upload_is_all_or_nothing(postgres):
    frame = pa.table({"s": ["ok", "bad\x00byte"]})

    with pytest.raises(WarehouseError):
        postgres.upload("_vfs_entities", frame)

    with pytest.raises(WarehouseError, match="does not exist"):
        postgres.schema_of(warehouse_table("pg_temp._vfs_entities", "postgres"))


def test_long_temporary_table_name_is_refused_not_truncated(postgres):
    from virtualfs.errors import RequestError

    with pytest.raises(RequestError, match="at most 63 bytes"):
        postgres.upload("_vfs_" + "x" * 60, pa.table({"a": [1]}))


def test_under_ci_an_unreachable_postgres_fails(monkeypatch):
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="not reachable"):
        require_service("PostgreSQL", POSTGRES_HOST, 1)


def test_outside_ci_an_unreachable_postgres_skips_saying_why(monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="not reachable on 127.0.0.1:1"):
        require_service("PostgreSQL", POSTGRES_HOST, 1)


def test_server_side_batches_leave_no_open_transaction(postgres):
    entities = postgres.upload("_vfs_entities", pa.table({"row": list(range(5))}))
    batches = postgres.fetch_batches(exp.select("*").from_(entities), batch_rows=2)

    next(batches)
    batches.close()

    assert postgres.connection.info.transaction_status.name == "IDLE"
