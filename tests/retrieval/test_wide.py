"""A 50-view request runs end to end on DuckDB, split into parts joined back on the row id."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
import sqlglot

from tests.reference.pit import ReferenceView, reference_frame
from tests.retrieval.helpers import ENTITIES, create_source, entities, orders_frame, python_values
from virtualfs import Feature, FeatureView, Source
from virtualfs.compile.pit import AsofJoin, WindowRank
from virtualfs.errors import WarehouseError
from virtualfs.registry import Registry
from virtualfs.retrieval import get_historical_features
from virtualfs.warehouses.duckdb import DuckDBWarehouse

VIEWS = 50


@pytest.fixture(scope="module")
def wide():
    """A DuckDB warehouse with one orders table and 50 views over it, each with its own TTL."""
    warehouse = DuckDBWarehouse()
    rows = orders_frame([(c, f"2024-05-01 {h:02d}:{m:02d}", f"2024-05-01 {h:02d}:{m + 7:02d}", float(c * 100 + h))
                         for c in range(1, 4) for h in range(8, 13) for m in (0, 30)])
    create_source(warehouse, "orders", rows, naive=("ordered_at", "loaded_at"))
    views = [FeatureView(f"orders_{i}", [ENTITIES["customer_id"]],
                         Source("orders", table="orders", timestamp="ordered_at", created="loaded_at"),
                         [Feature("total", "float64")], ttl=f"{20 + i}m") for i in range(VIEWS)]
    yield warehouse, Registry.from_objects(views), rows
    warehouse.close()


@pytest.mark.parametrize("strategy", [AsofJoin(), WindowRank()], ids=repr)
def test_pit_fifty_views_split_into_parts_match_reference(wide, strategy) -> None:
    warehouse, registry, rows = wide
    frame = entities(*[(c, f"2024-05-01 {h:02d}:{m:02d}") for c in (3, 1, 2, 4) for h in (8, 10, 12) for m in (5, 37)])
    job = get_historical_features(warehouse, registry, frame, [f"orders_{i}:total" for i in range(VIEWS)],
                                  full_feature_names=True)
    job = dataclasses.replace(job, strategy=strategy)
    assert job.sql.count("CREATE TEMPORARY TABLE") >= 2  # split, as a warehouse needs it
    references = [ReferenceView(rows, ("customer_id",), "ordered_at", "loaded_at",
                                (("total", f"orders_{i}__total"),), pd.Timedelta(minutes=20 + i))
                  for i in range(VIEWS)]
    assert python_values(job.to_pandas()) == python_values(reference_frame(frame, references, "known"))


def test_failed_wide_request_leaves_no_temporary_tables(wide) -> None:
    warehouse, registry, _ = wide
    broken = FeatureView("broken", [ENTITIES["customer_id"]],
                         Source("gone", table="dropped_table", timestamp="ordered_at"), [Feature("total", "float64")])
    views = [*registry.views.values(), broken]
    job = get_historical_features(warehouse, Registry.from_objects(views), entities((1, "2024-05-01 12:00")),
                                  [f"{v.name}:total" for v in views], full_feature_names=True)
    with pytest.raises(WarehouseError, match="dropped_table"):
        job.to_pandas()
    left = warehouse.fetch_arrow(sqlglot.parse_one("SELECT table_name FROM duckdb_tables() WHERE temporary"))
    assert left.column("table_name").to_pylist() == []
