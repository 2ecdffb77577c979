"""Naive timestamps are UTC on DuckDB even on a machine whose clock is in another zone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_ZONE_CHECK = """
from tests.retrieval.helpers import ENTITIES, entities
from virtualfs import Feature, FeatureView, Source
from virtualfs.registry import Registry
from virtualfs.retrieval import get_historical_features
from virtualfs.warehouses.duckdb import DuckDBWarehouse

warehouse = DuckDBWarehouse()
warehouse.connection.execute(
    "CREATE TABLE orders AS SELECT 1 AS customer_id, TIMESTAMP '2024-05-01 11:00' AS ordered_at, "
    "TIMESTAMP '2024-05-01 11:00' AS loaded_at, 1.0 AS total"
)
view = FeatureView("orders", [ENTITIES["customer_id"]],
                   Source("orders", table="orders", timestamp="ordered_at", created="loaded_at"),
                   [Feature("total", "float64")])
zoned = entities((1, "2024-05-01 11:00"), (1, "2024-05-01 10:59"))
zoned["event_timestamp"] = zoned["event_timestamp"].dt.tz_localize("UTC")
job = get_historical_features(warehouse, Registry.from_objects([view]), zoned, ["orders:total"])
print(job.to_pandas()["total"].tolist())
"""


def test_pit_comparisons_are_in_utc_whatever_the_machine_zone() -> None:
    # DuckDB reads the machine's zone when it starts, so the check runs in a process of its own
    env = {**os.environ, "TZ": "America/New_York"}
    done = subprocess.run([sys.executable, "-c", _ZONE_CHECK], env=env, capture_output=True, text=True,
                          cwd=Path(__file__).parents[2], check=True)
    assert done.stdout.strip() == "[1.0, nan]"
