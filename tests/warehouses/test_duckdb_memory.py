"""The embedded DuckDB warehouse keeps to its memory limit by spilling, and answers the same.

A training frame over a source several times larger than the limit completes, equals the pandas
reference, and leaves what did not fit in the spill folder configured.
"""

from __future__ import annotations

import pandas as pd

from tests.reference.pit import ReferenceView, reference_frame
from tests.retrieval.helpers import python_values
from virtualfs import Entity, Feature, FeatureView, Source
from virtualfs.registry import Registry
from virtualfs.retrieval import get_historical_features
from virtualfs.warehouses.duckdb import DuckDBWarehouse, default_memory_limit

ROWS, KEYS, LABELS = 200_000, 200, 300


def _registry() -> Registry:
    customer = Entity("customer", ["customer_id"])
    source = Source("orders", table="orders", timestamp="ordered_at", created="loaded_at")
    return Registry.from_objects([FeatureView("orders", [customer], source,
                                              [Feature("amount", "float64"), Feature("note", "string")])])


def _fill(warehouse: DuckDBWarehouse) -> pd.DataFrame:
    run = warehouse.connection.execute
    run("SELECT setseed(0.5)")
    run("CREATE TABLE orders AS SELECT (random() * $keys)::BIGINT AS customer_id, "
        "TIMESTAMP '2025-01-01' + to_microseconds((random() * 90 * 86400e6)::BIGINT) AS ordered_at, "
        "round(random() * 100, 2) AS amount, repeat('x', 200) || i::VARCHAR AS note FROM range($rows) AS r(i)",
        {"keys": KEYS, "rows": ROWS})
    # rows land up to two days after they happen; some land later than a label that asks for them
    run("ALTER TABLE orders ADD COLUMN loaded_at TIMESTAMP")
    run("UPDATE orders SET loaded_at = ordered_at + to_microseconds((random() * 2 * 86400e6)::BIGINT)")
    return run("SELECT * FROM orders").df()


def test_a_frame_larger_than_the_memory_limit_spills_and_equals_the_reference(tmp_path):
    warehouse = DuckDBWarehouse(memory_limit="40MB", temp_directory=str(tmp_path / "spill"), threads=1)
    try:
        rows = _fill(warehouse)
        entities = pd.DataFrame({
            "customer_id": [i % (KEYS + 5) for i in range(LABELS)],  # a few keys with no rows
            "event_timestamp": pd.date_range("2025-01-02", "2025-04-05", periods=LABELS)})
        frame = get_historical_features(warehouse, _registry(), entities, ["orders:*"]).to_pandas()
        (spilled,) = warehouse.connection.execute("SELECT sum(size) FROM duckdb_temporary_files()").fetchone()
        assert spilled > 10e6  # what did not fit lives on disk, in the folder configured
        assert any((tmp_path / "spill").iterdir())
    finally:
        warehouse.close()
    view_args = (("customer_id",), "ordered_at", "loaded_at", (("amount", "amount"), ("note", "note")))
    # the reference scans every row for every label: fed one key at a time, it stays quick
    expected = pd.concat([
        reference_frame(labels, [ReferenceView(rows[rows["customer_id"] == key], *view_args)], "known")
        .set_index(labels.index) for key, labels in entities.groupby("customer_id")]).sort_index()
    expected = python_values(expected)
    assert frame["amount"].notna().sum() > LABELS // 2
    assert python_values(frame) == expected


def test_the_default_limit_is_a_quarter_of_memory_at_most_3_gib():
    limit = default_memory_limit()
    assert limit.endswith("MiB") and 0 < int(limit[:-3]) <= 3 * 1024
    warehouse = DuckDBWarehouse()
    try:
        (setting,) = warehouse.connection.execute("SELECT current_setting('memory_limit')").fetchone()
    finally:
        warehouse.close()
    assert setting.replace(" ", "").replace(".0", "") in (limit, f"{int(limit[:-3]) / 1024:g}GiB")
