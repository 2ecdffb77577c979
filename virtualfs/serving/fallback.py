"""Read-through: keys missing from the online store are computed in the warehouse and cached.

Used for views that are never materialized ("virtual") when ``online: {fallback: warehouse}``.
Each view with missing keys costs one upload of those keys and one latest-row query (rows known
at ``now``, the known-time rule); the rows found are written newer-wins with the view's TTL as
their expiry, so a cached value is recomputed after at most one TTL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from virtualfs.compile.latest import build_latest_query
from virtualfs.compile.names import key_column
from virtualfs.online.base import OnlineStore
from virtualfs.online.codec import to_datetime
from virtualfs.online.keys import plain_text
from virtualfs.retrieval.source_types import snapshot_query
from virtualfs.serving.request_plan import RequestPlan, ViewPlan
from virtualfs.warehouses.base import Warehouse, uploaded

KEYS_TABLE = "_vfs_online_keys"


def read_through(warehouse: Warehouse, store: OnlineStore, plan: RequestPlan,
                 columns: Mapping[str, list], view_keys: Sequence[list[str]],
                 found: Mapping[str, bytes], now_us: int) -> dict[str, bytes]:
    """``found`` plus whatever the warehouse knows at ``now_us`` about the missing keys."""
    merged = dict(found)
    for view, keys in zip(plan.views, view_keys, strict=True):
        missing = _missing_rows(keys, merged)
        if missing:
            merged.update(_fetch(warehouse, store, view, columns, missing, now_us))
    return merged


def _missing_rows(keys: list[str], found: Mapping[str, bytes]) -> list[int]:
    """One row index per distinct missing key."""
    first: dict[str, int] = {}
    for index, key in enumerate(keys):
        if key not in found and key not in first:
            first[key] = index
    return list(first.values())


def _fetch(warehouse: Warehouse, store: OnlineStore, view: ViewPlan, columns: Mapping[str, list],
           rows: list[int], now_us: int) -> dict[str, bytes]:
    import pyarrow as pa

    join_keys = view.view.join_keys
    keys = pa.table({
        key_column(i): pa.array([plain_text(columns[key][row]) for row in rows], pa.string())
        for i, key in enumerate(join_keys)
    })
    # The known-time rule is inclusive (known <= now); the query's window end is exclusive.
    end = to_datetime(now_us + 1)
    with uploaded(warehouse, KEYS_TABLE, keys) as table:
        if view.view.aggregations:  # aggregates are a snapshot at now (inclusive), as materialize writes
            query = snapshot_query(warehouse, view.view, to_datetime(now_us), keys=table)
        else:
            query = build_latest_query(view.view, None, end, warehouse.dialect, keys=table)
        result = warehouse.fetch_arrow(query)
    fetched: dict[str, bytes] = {}
    for batch in result.to_batches():
        write = view.rows.write_batch(batch, expire_after=view.view.ttl)
        store.write(write)
        fetched.update(zip(write.keys, write.values, strict=True))
    return fetched
