"""The content hash: computed in the warehouse, the same on every warehouse for the same rows
(checked against a plain-Python reference of the documented encoding, and across warehouses
through the whole save), blind to row order, and changed by any one value."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pyarrow as pa
import pytest
from sqlglot import exp

from tests.backends import WAREHOUSES, create_user_table, make_warehouse
from tests.datasets.helpers import T0, at, orders_view, project, spend_view
from tests.reference.content import content_hash
from virtualfs.datasets.tables import column_kind, fingerprint
from virtualfs.dialects.identifiers import warehouse_table

FLOATS = [0.75, 0.1, -0.1, 1 / 3, 2.0, 4.0, -2.5e10, 1e-300, 5e-324, 2.0 ** -1022, 1.7976931348623157e308,
          123456789.123456789, 0.0, None, float("inf"), float("-inf"), 6.02214076e23]
TEXTS = ["a", "a|b", "3:x", "", "é", "e\u0301", "日本語", None, "N", "|", "x" * 40, "0", "tab\there",
         "line\nbreak", "'; drop table t; --", "🙂", "z"]


def values() -> pa.Table:
    count = len(FLOATS)
    moment = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=timezone.utc)
    return pa.table({
        "i": pa.array([None if k == 3 else (-1) ** k * 10 ** k for k in range(count)], pa.int64()),
        "x": pa.array(FLOATS, pa.float64()),
        "s": pa.array(TEXTS, pa.string()),
        "b": pa.array([None if k == 5 else k % 2 == 0 for k in range(count)], pa.bool_()),
        "t": pa.array([None if k == 7 else moment - timedelta(days=400 * k, microseconds=k) for k in range(count)],
                      pa.timestamp("us", tz="UTC")),
        "d": pa.array([date(1969 + k, 12, 31) for k in range(count)], pa.date32()),
    })


def warehouse_hash(warehouse, table: pa.Table, name: str) -> tuple[str, int]:
    created = create_user_table(warehouse, name, table)
    try:
        found = fingerprint(warehouse, created)
    finally:
        warehouse.execute(exp.Drop(this=warehouse_table(name, warehouse.dialect), kind="TABLE"))
    return found.content_hash, found.rows


def reference_hash(table: pa.Table) -> str:
    kinds = [column_kind(field.type) for field in table.schema]
    return content_hash([tuple(row.values()) for row in table.to_pylist()], kinds)


def test_content_hash_is_the_reference_encoding_on_every_warehouse(warehouse):
    table = values()
    assert warehouse_hash(warehouse, table, "hashed_values") == (reference_hash(table), table.num_rows)


def test_content_hash_ignores_row_order_and_sees_every_value(warehouse):
    table = values()
    shuffled = table.take(random.Random(3).sample(range(table.num_rows), table.num_rows))
    original, _ = warehouse_hash(warehouse, table, "hashed_values")
    assert warehouse_hash(warehouse, shuffled, "hashed_shuffled")[0] == original
    for column, row, value in [("x", 1, 0.1 + 2 ** -56), ("s", 0, "b"), ("i", 3, 0), ("t", 0, None),
                               ("b", 0, False), ("d", 2, date(1971, 12, 30))]:
        changed = table.set_column(table.schema.get_field_index(column), column,
                                   pa.array([value if k == row else v for k, v in enumerate(table.column(column).to_pylist())],
                                            table.schema.field(column).type))
        assert warehouse_hash(warehouse, changed, "hashed_changed")[0] != original, (column, row, value)
    doubled = pa.concat_tables([table, table.slice(0, 1)])
    assert warehouse_hash(warehouse, doubled, "hashed_doubled")[0] != original  # a duplicate counts


def test_a_saved_dataset_has_the_same_content_hash_on_every_warehouse(tmp_path):
    """The same sources and request on DuckDB, PostgreSQL and Snowflake: the same rows, bit for
    bit (averages included: exact sums of amounts in cents), so the same hash."""
    rows = [(c, at(d), at(d + 0.5), round(1.1 * c + d / 7, 2), d) for c in (1, 2, 3) for d in range(12)]
    entity_rows = pd.DataFrame({"customer_id": [1, 2, 3, 1, 2, 4],
                                "event_timestamp": [T0 + timedelta(days=d) for d in (5, 7.2, 11, 12, 3, 6)],
                                "label": ["a", "b", "a", None, "c", "b"]})
    features = ["orders:amount", "orders:items", "spend:sum_amount", "spend:avg_amount", "spend:count_amount"]
    hashes = {}
    for name in WAREHOUSES:
        with make_warehouse(name) as warehouse, project(warehouse, tmp_path, rows) as p:
            p.apply(orders_view(p.orders), spend_view(p.orders))
            saved = p.frame(entity_rows, features).save("train")
            hashes[name] = (saved.info.content_hash, saved.info.entities.fingerprint, saved.info.rows)
    assert len(set(hashes.values())) == 1, hashes


@pytest.mark.parametrize("name", ["duckdb"])
def test_an_empty_dataset_hashes_to_zero(name, tmp_path):
    with make_warehouse(name) as warehouse, project(warehouse, tmp_path, []) as p:
        p.apply(orders_view(p.orders))
        empty = pd.DataFrame({"customer_id": pd.Series([], dtype="int64"),
                              "event_timestamp": pd.Series([], dtype="datetime64[us, UTC]")})
        saved = p.frame(empty, ["orders:amount"]).save("empty")
    assert (saved.info.rows, saved.info.content_hash) == (0, "0" * 16)
