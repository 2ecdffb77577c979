"""Snowflake specifics: fakesnow detection, connection parameters, faults."""

from __future__ import annotations

import pyarrow as pa
import pytest
from snowflake.connector.errors import DatabaseError
from sqlglot import exp

from tests.backends import SNOWFLAKE_OPTIONS, fakesnow_patched
from virtualfs.config import BackendConfig
from virtualfs.dialects.identifiers import frame_column
from virtualfs.errors import UnsupportedError, WarehouseError
from virtualfs.warehouses import open_warehouse
from virtualfs.warehouses.snowflake import EMULATED, NATIVE, SnowflakeWarehouse


def test_open_warehouse_under_fakesnow_declares_match_condition_unsupported():
    with fakesnow_patched():
        warehouse = open_warehouse(BackendConfig("snowflake", SNOWFLAKE_OPTIONS))

        assert isinstance(warehouse, SnowflakeWarehouse)
        assert warehouse.emulated
        assert warehouse.capabilities == EMULATED
        assert not warehouse.capabilities.supports_match_condition
        warehouse.close()


def test_real_snowflake_declares_match_condition_and_qualify():
    assert NATIVE.supports_match_condition and NATIVE.supports_qualify
    assert not NATIVE.supports_asof_join
    assert EMULATED.supports_qualify


def test_session_runs_in_utc(snowflake):
    query = exp.select(exp.func("current_timestamp").as_(frame_column("now")))

    assert snowflake.fetch_arrow(query).schema.field("now").type == pa.timestamp("us", "UTC")


def test_connect_passes_key_pair_auth_and_session_settings(monkeypatch, tmp_path):
    key = tmp_path / "rsa_key.p8"
    key.write_text("not read here")
    seen = {}

    def connect(**params):
        seen.update(params)
        raise DatabaseError("stop here")

    monkeypatch.setattr("snowflake.connector.connect", connect)
    options = {"account": "acct", "user": "svc", "private_key_path": str(key), "password": "passphrase",
               "role": "analyst", "warehouse": "wh", "database": "db", "schema": "s", "feature_schema": "f"}

    with pytest.raises(WarehouseError, match="^snowflake acct db.s: stop here"):
        SnowflakeWarehouse.from_config(options)

    assert seen["private_key_file"] == str(key) and seen["private_key_file_pwd"] == "passphrase"
    assert "password" not in seen and "feature_schema" not in seen
    assert seen["role"] == "analyst" and seen["warehouse"] == "wh"
    assert seen["session_parameters"]["TIMEZONE"] == "UTC"


def test_missing_private_key_file_is_a_warehouse_error(tmp_path):
    with pytest.raises(WarehouseError, match="private_key_path .*rsa_key.p8 is not a file"):
        SnowflakeWarehouse.from_config({"account": "acct", "user": "svc",
                                        "private_key_path": str(tmp_path / "rsa_key.p8")})


def test_unreachable_host_is_a_warehouse_error_naming_it_without_the_password():
    options = {"account": "acct", "user": "u", "password": "s3cret-pw", "host": "127.0.0.1", "port": 1,
               "protocol": "http"}

    with pytest.raises(WarehouseError) as raised:
        SnowflakeWarehouse.from_config(options)

    message = str(raised.value)
    assert message.startswith("snowflake acct at 127.0.0.1:1: ")
    assert "s3cret" not in message


def test_error_message_keeps_the_object_named_on_later_lines(snowflake):
    with pytest.raises(WarehouseError, match="(?i)no_such_table") as raised:
        snowflake.execute(exp.select("*").from_("no_such_table"))

    assert "\n" not in str(raised.value)



def test_execute_atomic_refuses_ddl_that_would_commit_implicitly(snowflake):
    table = exp.table_(exp.to_identifier("t", quoted=True))

    with pytest.raises(UnsupportedError, match="CREATE commits implicitly"):
        snowflake.execute_atomic([exp.Create(this=table, kind="TABLE", expression=exp.select("1"))])
