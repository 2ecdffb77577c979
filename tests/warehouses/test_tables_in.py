"""``Warehouse.tables_in`` on every warehouse: the tables of one schema, as stored, and nothing else;
what it lists can be dropped by that name."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa
import pytest
from sqlglot import exp

from tests.backends import create_user_table
from virtualfs.compile.feature_schema import FeatureSchema
from virtualfs.compile.refresh import build_create_schema, build_drop
from virtualfs.errors import WarehouseError
from virtualfs.warehouses.base import Warehouse

ROWS = pa.table({"x": pa.array([1], pa.int64())})
# The database each test warehouse opens in: a feature schema may name it (database.schema).
DATABASES = {"duckdb": "memory", "postgres": "test", "snowflake": "vfs_test", "spark": "spark_catalog"}


@contextmanager
def feature_schema(warehouse: Warehouse, qualified: bool = False) -> Iterator[FeatureSchema]:
    """A schema of its own (others share the PostgreSQL server), dropped afterwards."""
    name = f"vfs_gc_{uuid.uuid4().hex[:8]}"
    text = f"{DATABASES[warehouse.dialect]}.{name}" if qualified else name
    schema = FeatureSchema.of(text, "shop")
    warehouse.execute(build_create_schema(schema, warehouse.dialect))
    try:
        yield schema
    finally:
        warehouse.execute(exp.Drop(this=schema.schema(warehouse.dialect), kind="SCHEMA", exists=True, cascade=True))


def make_table(warehouse: Warehouse, schema: FeatureSchema, name: str) -> str:
    """Table ``name`` made as a refresh makes its tables; its name as the warehouse stores it."""
    table = schema.table(name, warehouse.dialect)
    warehouse.execute(exp.Create(this=table, kind="TABLE", expression=exp.select(exp.alias_(exp.Literal.number(1), "x"))))
    return schema.stored_name(name, warehouse.dialect)


def test_tables_in_lists_the_schemas_tables_as_stored(warehouse):
    create_user_table(warehouse, "orders", ROWS)  # in the default schema: not listed
    with feature_schema(warehouse) as schema:
        long_name = "shop__" + "a_very_long_view_name_" * 4
        made = [make_table(warehouse, schema, n) for n in ("shop__orders", "other__orders", long_name)]
        view = exp.Create(this=schema.table("shop__a_view", warehouse.dialect), kind="VIEW",
                          expression=exp.select(exp.alias_(exp.Literal.number(1), "x")))
        warehouse.execute(view)
        listed = warehouse.tables_in(schema.parts)
        assert listed == sorted(made)
        assert len(schema.stored_name(long_name, warehouse.dialect)) == 63  # fitted, listed as fitted


def test_a_listed_table_is_dropped_by_its_listed_name(warehouse):
    with feature_schema(warehouse) as schema:
        keep = make_table(warehouse, schema, "shop__orders")
        doomed = make_table(warehouse, schema, "shop__" + "old_" * 20)
        warehouse.execute(build_drop(schema.stored_table(doomed, warehouse.dialect)))
        assert warehouse.tables_in(schema.parts) == [keep]


@pytest.mark.notimpl(["postgres", "ibis-postgres"], raises=WarehouseError,
                     reason="CREATE SCHEMA takes no database name: a feature schema there is one name")
def test_tables_in_a_schema_named_with_its_database(warehouse):
    with feature_schema(warehouse, qualified=True) as schema:
        made = make_table(warehouse, schema, "shop__orders")
        assert warehouse.tables_in(schema.parts) == [made]


def test_tables_in_a_missing_schema_is_none(warehouse):
    assert warehouse.tables_in(("vfs_gc_missing",)) == []


def test_tables_in_ignores_a_same_named_schema_of_another_attached_database(duckdb_warehouse):
    with feature_schema(duckdb_warehouse) as schema:
        made = make_table(duckdb_warehouse, schema, "shop__orders")
        duckdb_warehouse.connection.execute("ATTACH ':memory:' AS other")
        other = FeatureSchema(("other", *schema.parts), "shop")
        duckdb_warehouse.execute(build_create_schema(other, "duckdb"))
        make_table(duckdb_warehouse, other, "shop__gone")
        assert duckdb_warehouse.tables_in(schema.parts) == [made]
        assert duckdb_warehouse.tables_in(other.parts) == ["shop__gone"]
