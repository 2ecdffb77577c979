"""A small ride-hailing repository with PII and an access policy, on any warehouse of the suite.

Roles: ``analyst`` (alice) reads everything in the clear and may apply and refresh; ``intern``
(ivan) reads the view offline and the ``quality_model`` service online, PII masked; ``auditor``
(dora) reads the service offline, PII denied; ``guest`` (gus) reads one feature. PII: ``phone`` (a string: hashed), ``rider_id`` (an integer
named like the ``rider`` entity's key: hashed), ``tip`` (a number: null), and ``tips_7d`` (a sum
of tips: null); ``rating`` and ``rides_7d`` are not PII.
"""

from __future__ import annotations

import hashlib
import textwrap
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from tests.backends import create_user_table
from virtualfs import FeatureStore
from virtualfs.warehouses.base import Warehouse

ACCESS = """\
access:
  roles:
    analyst: {offline: ["*"], online: [driver_quality], pii: clear, apply: true, refresh: true}
    intern: {offline: [driver_quality], online: [quality_model], pii: masked}
    auditor: {offline: [quality_model], pii: denied}
    guest: {offline: ["driver_quality:rating"]}
  principals: {alice: analyst, ivan: intern, dora: auditor, gus: guest}
"""
DEFINITIONS = """\
from virtualfs import Aggregation, Entity, Feature, FeatureService, FeatureView, Source

driver = Entity("driver", ["driver_id"], owner="quality@rides.example")
rider = Entity("rider", ["rider_id"])
rides = Source("rides", table="rides", timestamp="ride_at", created="loaded_at",
               columns={"rides.phone": {"pii": True}, "rides.rider_id": {"pii": True},
                        "rides.tip": {"pii": True}})
driver_quality = FeatureView(
    "driver_quality", [driver], rides,
    [Feature("rating", "float64"), Feature("phone", "string"), Feature("rider_id", "int64"),
     Feature("tip", "float64")],
    aggregations=[Aggregation("rides_7d", "count", "rating", "7d"), Aggregation("tips_7d", "sum", "tip", "7d")],
    ttl="3650d", owner="quality@rides.example", materialize="incremental")
quality_model = FeatureService("quality_model", ["driver_quality:rating", "driver_quality:phone",
                                                 "driver_quality:rider_id"])
"""
RIDES = pa.table({
    "driver_id": pa.array([1, 1, 2, 3], pa.int64()),
    "ride_at": pa.array([datetime(2026, 1, 1), datetime(2026, 1, 3), datetime(2026, 1, 2), datetime(2026, 1, 2)],
                        pa.timestamp("us")),
    "loaded_at": pa.array([datetime(2026, 1, 1), datetime(2026, 1, 3), datetime(2026, 1, 2), datetime(2026, 1, 2)],
                          pa.timestamp("us")),
    "rating": pa.array([4.5, 4.0, 3.0, None], pa.float64()),
    "phone": pa.array(["+1 555 0101", "+1 555 0111", "+1 555 0202", None], pa.string()),
    "rider_id": pa.array([77, 78, 88, -5], pa.int64()),
    "tip": pa.array([2.0, 3.5, 1.0, 0.5], pa.float64()),
})
LABELS = pd.DataFrame({"driver_id": [1, 2, 3, 4, 1],
                       "event_timestamp": pd.to_datetime(["2026-01-05", "2026-01-05", "2026-01-05",
                                                          "2026-01-05", "2026-01-02"])})
PII = ("phone", "rider_id", "tip", "tips_7d")
CLEAR = ("rating", "rides_7d")


def sha256(value: Any) -> str | None:
    """The mask of a value, computed here independently: SHA-256 of its text, hex."""
    return None if value is None or value is pd.NA else hashlib.sha256(str(value).encode()).hexdigest()


class CountingWarehouse:
    """A warehouse that counts every statement it is sent."""

    def __init__(self, inner: Warehouse) -> None:
        self.inner, self.statements = inner, 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if name in ("execute", "execute_atomic", "fetch_arrow", "fetch_batches", "upload", "schema_of",
                    "tables_in"):
            def counted(*args: Any, **kwargs: Any) -> Any:
                self.statements += 1
                return attribute(*args, **kwargs)
            return counted
        return attribute


def write_rides_repo(root: Path, dialect: str, access: str = ACCESS, server: str = "",
                     feature_schema: str | None = None) -> Path:
    """The repository's files; the warehouse is given to :func:`opened` (any of the suite's)."""
    root.mkdir(parents=True, exist_ok=True)
    schema = f", feature_schema: {feature_schema}" if feature_schema else ""
    (root / "virtualfs.yaml").write_text(
        f"project: rides\nwarehouse: {{type: {dialect}{schema}}}\n"
        "online: {type: sqlite, path: .virtualfs/online.db}\n"
        "catalog: {url: 'sqlite:///.virtualfs/catalog.db'}\n" + access + server)
    (root / "features.py").write_text(textwrap.dedent(DEFINITIONS))
    return root


@contextmanager
def opened(root: Path, warehouse: Warehouse, principal: str | None) -> Iterator[FeatureStore]:
    """The repository opened by ``principal`` on ``warehouse`` (counted, left open afterwards)."""
    store = FeatureStore(root, principal=principal)
    store.__dict__["warehouse"] = CountingWarehouse(warehouse)
    try:
        yield store
    finally:
        store.__dict__.pop("warehouse", None)
        store.close()


def applied_repo(root: Path, warehouse: Warehouse, **options: Any) -> Path:
    """The repository, its rides table in ``warehouse``, applied by alice."""
    write_rides_repo(root, warehouse.dialect, **options)
    create_user_table(warehouse, "rides", RIDES)
    with opened(root, warehouse, "alice") as store:
        store.apply()
    return root


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"
