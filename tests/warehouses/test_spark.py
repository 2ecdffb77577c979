"""Spark beyond the shared suites: the version decides the PIT strategy, the dialect writes and
reads Spark's ``LEFT ASOF JOIN``, changes run as staged swaps, the config is checked, and a PIT
retrieval through a Spark Connect server (started here on a loopback port) equals the reference."""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyspark
import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from sqlglot import exp

from tests.backends import spark_session
from tests.reference.pit import reference_frame
from tests.retrieval.helpers import case_in_warehouse, python_values, reference_view
from tests.strategies import PitCase, pit_cases
from virtualfs.compile import names
from virtualfs.compile.historical import build_retrieval
from virtualfs.compile.pit import LeftAsofMatch, WindowRank, choose_strategy
from virtualfs.compile.request import EntityRelation, PitRequest
from virtualfs.compile.resolve import resolve_lookups
from virtualfs.config import parse_config
from virtualfs.dialects.identifiers import temp_table
from virtualfs.dialects.render import to_sql
from virtualfs.dialects.spark import BEFORE_4_3, FROM_4_3
from virtualfs.errors import ConfigError, UnsupportedError, WarehouseError
from virtualfs.repository import load_repository
from virtualfs.retrieval import get_historical_features
from virtualfs.warehouses import open_warehouse
from virtualfs.warehouses.spark import SparkWarehouse, capabilities_for
from virtualfs.warehouses.spark_swap import plan_replace, plan_swaps

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize(("version", "asof"), [
    ("4.3.0", True), ("4.4.1", True), ("5.0.0", True), ("4.0.5", False), ("4.2.0", False), ("3.5.3", False),
])
def test_connected_version_declares_the_left_asof_join(version, asof):
    capabilities = capabilities_for(version)

    assert capabilities.supports_left_asof_match is asof
    assert LeftAsofMatch().supports(capabilities) is asof
    # the window join is the default on every version: measured faster (bench/offline.py --warehouse spark)
    assert choose_strategy(capabilities).name == "window_rank"


def test_left_asof_match_compiles_to_spark_left_asof_join_on_the_known_time():
    lookups = resolve_lookups(load_repository(ROOT / "definitions"), "reorder_model")
    entities = EntityRelation(table=temp_table(names.ENTITIES), timestamp="event_timestamp",
                              keys=(("customer_id", "customer_id"), ("product_id", "product_id")),
                              carry=("customer_id", "product_id", "event_timestamp"))

    sql = build_retrieval(PitRequest(lookups, entities), "spark", FROM_4_3, LeftAsofMatch()).render("spark")

    assert ("LEFT ASOF JOIN `_vfs_best_0` AS `_vfs_v0` MATCH_CONDITION (`_vfs_entity`.`event_timestamp` >= "
            "`_vfs_v0`.`_vfs_known`) ON `_vfs_entity`.`customer_id` = `_vfs_v0`.`customer_id`") in sql
    assert " ASOF JOIN" not in sql.replace("LEFT ASOF JOIN", "")


def test_before_4_3_neither_asof_nor_qualify_is_declared():
    assert capabilities_for("4.0.5") == BEFORE_4_3
    assert not BEFORE_4_3.supports_left_asof_match and not BEFORE_4_3.supports_qualify
    assert FROM_4_3.supports_left_asof_match and not FROM_4_3.supports_match_condition


@pytest.mark.parametrize("text", [
    "SELECT * FROM a LEFT ASOF JOIN b MATCH_CONDITION (a.t >= b.e) ON a.k = b.k",
    "SELECT * FROM a LEFT ASOF JOIN b AS x MATCH_CONDITION (a.t >= x.e) ON a.k = x.k AND a.j = x.j",
    "SELECT * FROM a LEFT JOIN b ON a.k = b.k",
])
def test_spark_dialect_reads_and_writes_left_asof_join(text):
    assert sqlglot.parse_one(text, read="spark").sql("spark") == text


@pytest.mark.parametrize("text", [
    "SELECT * FROM a ASOF JOIN b MATCH_CONDITION (a.t >= b.e) ON a.k = b.k",  # Snowflake's: inner on Spark
    "SELECT * FROM a ASOF LEFT JOIN b ON a.k = b.k AND a.t >= b.e",  # DuckDB's: no MATCH_CONDITION
])
def test_spark_dialect_refuses_an_asof_join_spark_would_run_as_inner(text):
    tree = sqlglot.parse_one(text, read="snowflake" if "MATCH_CONDITION" in text else "duckdb")

    with pytest.raises(UnsupportedError, match="inner join"):
        to_sql(tree, "spark")


@pytest.mark.parametrize(("statements", "rows"), [
    (["DELETE FROM t WHERE t.e >= 5", "INSERT INTO t SELECT * FROM s"],
     "SELECT * FROM t WHERE NOT (t.e >= 5) IS TRUE UNION ALL SELECT * FROM s"),
    (["DELETE FROM d.t", "INSERT INTO d.t SELECT * FROM d.t"],
     "SELECT * FROM d.t WHERE FALSE UNION ALL SELECT * FROM (SELECT * FROM d.t WHERE FALSE) AS t"),
    (["INSERT INTO t SELECT 1", "DELETE FROM t WHERE x IN (SELECT y FROM t)"],
     "SELECT * FROM (SELECT * FROM t UNION ALL SELECT 1) AS t WHERE NOT (x IN "
     "(SELECT y FROM (SELECT * FROM t UNION ALL SELECT 1) AS t)) IS TRUE"),
])
def test_changes_become_one_query_of_the_rows_after_them(statements, rows):
    swaps = plan_swaps([sqlglot.parse_one(s, read="spark") for s in statements])

    assert len(swaps) == 1
    assert swaps[0].rows.sql("spark") == rows
    assert (swaps[0].staged.name, swaps[0].staged.db) == ("_vfs_swap_t", swaps[0].target.db)


def test_replace_and_unsupported_changes():
    swap = plan_replace(sqlglot.parse_one("CREATE OR REPLACE TABLE d.t AS SELECT 1 AS x", read="spark"))
    assert [s.sql("spark") for s in swap.swap()] == ["DROP TABLE IF EXISTS d.t", "ALTER TABLE d.`_vfs_swap_t` RENAME TO t"]

    with pytest.raises(UnsupportedError, match="UPDATE"):
        plan_swaps([sqlglot.parse_one("UPDATE t SET x = 1", read="spark")])


@pytest.mark.parametrize(("section", "message"), [
    ({"type": "spark", "master": "local[2]", "remote": "sc://h:15002"}, "not both"),
    ({"type": "spark", "remote": "http://h:15002"}, "sc://host:15002"),
    ({"type": "spark", "conf": ["spark.a"]}, "conf must be a mapping"),
    ({"type": "spark", "database": ""}, "database must be a non-empty string"),
    ({"type": "spark", "jars": "x"}, "unknown key 'jars'"),
])
def test_spark_config_is_checked(section, message, tmp_path):
    with pytest.raises(ConfigError, match=message):
        parse_config({"project": "p", "warehouse": section}, tmp_path)


def test_spark_config_keeps_its_settings(tmp_path):
    section = {"type": "spark", "master": "local[2]", "database": "features",
               "conf": {"spark.sql.shuffle.partitions": 4}, "feature_schema": "vfs"}

    config = parse_config({"project": "p", "warehouse": section}, tmp_path)

    assert dict(config.warehouse.options) == {k: v for k, v in section.items() if k != "type"}


def test_opened_from_config_beside_a_running_session_joins_it_and_leaves_it_running(tmp_path):
    session = spark_session()
    config = parse_config({"project": "p", "warehouse": {"type": "spark", "master": "local[2]"}}, tmp_path)

    warehouse = open_warehouse(config.warehouse)
    warehouse.close()

    assert warehouse.session is session and not warehouse.owns_session
    assert session.sql("SELECT 1 AS x").toArrow().to_pylist() == [{"x": 1}]


def test_missing_database_is_a_warehouse_error_naming_it():
    with pytest.raises(WarehouseError, match="database 'no_such_db' does not exist"):
        SparkWarehouse(spark_session(), database="no_such_db")


# --- Spark Connect -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def connect_server(tmp_path_factory) -> Iterator[str]:
    """A Spark Connect server on a free loopback port, stopped afterwards; its ``sc://`` URL."""
    home = Path(pyspark.__file__).parent
    folder = tmp_path_factory.mktemp("spark_connect")
    port = _free_port()
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOG_DIR": str(folder), "SPARK_PID_DIR": str(folder),
           "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_IDENT_STRING": f"vfs{port}"}
    conf = {"spark.connect.grpc.binding.address": "127.0.0.1", "spark.connect.grpc.binding.port": str(port),
            "spark.sql.session.timeZone": "UTC", "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2",
            "spark.sql.warehouse.dir": str(folder / "warehouse")}
    arguments = [item for key, value in conf.items() for item in ("--conf", f"{key}={value}")]
    subprocess.run([str(home / "sbin" / "start-connect-server.sh"), "--master", "local[2]", *arguments],
                   env=env, check=True, capture_output=True, timeout=120)
    try:
        _wait_for(port, seconds=120, logs=folder)
        yield f"sc://127.0.0.1:{port}"
    finally:
        subprocess.run([str(home / "sbin" / "stop-connect-server.sh")], env=env, capture_output=True, timeout=120)


def test_pit_through_spark_connect_matches_reference(connect_server):
    warehouse = SparkWarehouse.from_config({"remote": connect_server})
    try:
        assert warehouse.capabilities == FROM_4_3  # pyspark 4.3 on both ends

        @settings(max_examples=4, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
        @given(case=pit_cases(max_views=1))
        def matches_reference(case: PitCase) -> None:
            expected = python_values(reference_frame(
                case.entities, [reference_view(i, s) for i, s in enumerate(case.sources)], "known"))
            entities = pa.Table.from_pandas(case.entities, preserve_index=False)
            with case_in_warehouse(warehouse, case) as registry:
                job = get_historical_features(warehouse, registry, entities, ["v0:*"],
                                              full_feature_names=True, on_null_timestamp="null")
                for strategy in (LeftAsofMatch(), WindowRank()):
                    got = python_values(dataclasses.replace(job, strategy=strategy).to_pandas())
                    assert got == expected, strategy.name

        matches_reference()
        assert warehouse.fetch_arrow(exp.select(exp.Literal.number(1).as_("x"))).to_pylist() == [{"x": 1}]
    finally:
        warehouse.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, seconds: float, logs: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as client:
            if client.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    shown = "\n".join(p.read_text()[-2000:] for p in logs.glob("*.out"))
    raise AssertionError(f"Spark Connect did not listen on 127.0.0.1:{port} within {seconds} s\n{shown}")
